package org.dl4jvae.model.dl4j;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;
import org.dl4jvae.model.OneDnn;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.any.Assign;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the matrix products of DL4J's layer in oneDNN during a large training step ({@link OneDnn#takesProducts}).
 *
 * <p>Why: DL4J's {@code VariationalAutoencoder} layer multiplies through {@code INDArray.mmul} and {@code Nd4j.gemm},
 * which always write into column-major arrays (a fresh one for {@code mmul}, the layer's column-major gradient views for
 * {@code gemm}). ND4J's oneDNN helper refuses a column-major output, so every product went to OpenBLAS, whose bundled
 * 0.3.19 runs Zen 4 CPUs with its AVX2 kernels. A column-major {@code C = op(A) op(B)} is the row-major
 * {@code C^T = op(B)^T op(A)^T} in the same memory, which oneDNN takes. Both calls end in ND4J's native {@code matmul}
 * op through {@code Nd4j.getExecutioner()}, the one place to turn them around: this wraps ND4J's executioner, passes
 * every other op (and every product outside {@link #during}) to it unchanged.
 */
final class OneDnnProducts implements InvocationHandler {

    /**
     * This thread's step while {@link #during} runs: [0] true, [1] the weights whose products nothing reads, [2] a
     * product not yet computed ({@link Deferred}).
     */
    private static final ThreadLocal<Object[]> STEP = ThreadLocal.withInitial(() -> new Object[3]);

    /**
     * A product into a fresh column-major array, held back one call: {@code INDArray.mmul} multiplies into such a
     * temporary and then copies it into its row-major result ({@code assign}), a transposing copy that took ND4J 2.1
     * ms a step at 512 x 400 (three of them). When that copy comes next, the product is written straight into the
     * result instead; before any other op, and at the end of the step, it is computed into its own array.
     */
    private record Deferred(INDArray x, INDArray y, INDArray z, boolean tx, boolean ty, double alpha) {
    }

    private static final java.util.concurrent.atomic.LongAdder ROUTED = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.LongAdder SKIPPED = new java.util.concurrent.atomic.LongAdder();
    /** The wrapper, once installed. */
    private static volatile OneDnnProducts installed;

    private final OpExecutioner nd4j;

    private OneDnnProducts(OpExecutioner nd4j) {
        this.nd4j = nd4j;
    }

    /**
     * Runs {@code body} with this thread's column-major float products in oneDNN. A product whose first operand is
     * {@code unread} (the very array) is not computed: its output is zeros. Where ND4J's executioner cannot be wrapped
     * (the CUDA backend, or an ND4J version without the field this relies on) it just runs {@code body}.
     */
    static <T> T during(INDArray unread, Supplier<T> body) {
        if (!install()) {
            return body.get();
        }
        Object[] step = STEP.get();
        step[0] = Boolean.TRUE;
        step[1] = unread;
        try {
            return body.get();
        } finally {
            try {
                step[0] = null;
                if (step[2] instanceof Deferred d) {
                    step[2] = null;
                    installed.transposed(d);
                }
            } finally {
                step[1] = null;
                step[2] = null;
            }
        }
    }

    private static synchronized boolean install() {
        if (installed != null) {
            return true;
        }
        OpExecutioner current = Nd4j.getExecutioner();
        if (!current.getClass().getName().equals("org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner")) {
            return false; // the CUDA backend has no oneDNN
        }
        try {
            Field f = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
            f.setAccessible(true);
            OneDnnProducts wrapper = new OneDnnProducts(current);
            f.set(null, Proxy.newProxyInstance(OneDnnProducts.class.getClassLoader(),
                    new Class<?>[] {OpExecutioner.class}, wrapper));
            installed = wrapper;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
        return true;
    }

    /** Products turned around so far, in this JVM (for tests). */
    static long routed() {
        return ROUTED.sum();
    }

    /** Products not computed so far (their first operand was {@code unread}), in this JVM (for tests). */
    static long skipped() {
        return SKIPPED.sum();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Object[] step = STEP.get();
        boolean exec = args != null && args.length == 1 && method.getName().equals("exec");
        if (step[2] instanceof Deferred d) { // whatever comes next, the held-back product is computed first
            step[2] = null;
            if (exec && args[0] instanceof Assign copy && method.getReturnType() == INDArray.class
                    && copy.x() == d.z() && intoRowMajor(d, copy.z())) {
                return copy.z();
            }
            transposed(d);
        }
        if (step[0] != null && exec && args[0] instanceof Mmul mmul && method.getParameterTypes()[0] == CustomOp.class) {
            INDArray[] out = rowMajor(mmul, step);
            if (out != null) {
                return out;
            }
        }
        try {
            return method.invoke(nd4j, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The product as its transpose into the output's memory, in oneDNN; null where that does not apply. */
    private INDArray[] rowMajor(Mmul mmul, Object[] step) {
        if (mmul.numInputArguments() != 2 || mmul.numOutputArguments() != 1) {
            return null;
        }
        INDArray x = mmul.getInputArgument(0);
        INDArray y = mmul.getInputArgument(1);
        INDArray z = mmul.getOutputArgument(0);
        long[] i = mmul.iArgs();
        double[] t = mmul.tArgs();
        if (x.rank() != 2 || y.rank() != 2 || z.rank() != 2 || z.ordering() != 'f'
                || x.dataType() != DataType.FLOAT || y.dataType() != DataType.FLOAT || z.dataType() != DataType.FLOAT
                || x.elementWiseStride() != 1 || y.elementWiseStride() != 1 || z.elementWiseStride() != 1
                || !Shape.hasDefaultStridesForShape(z) || (i.length > 2 && i[2] != 0)) {
            return null;
        }
        if (x == step[1]) {
            z.assign(0);
            SKIPPED.increment();
            return new INDArray[] {z};
        }
        boolean tx = i.length > 0 && i[0] != 0;
        boolean ty = i.length > 1 && i[1] != 0;
        double alpha = t.length > 0 ? t[0] : 1.0;
        double beta = t.length > 1 ? t[1] : 0.0;
        Deferred d = new Deferred(x, y, z, tx, ty, alpha);
        if (beta == 0 && !z.isView() && z.offset() == 0) {
            step[2] = d;
        } else if (beta == 0) {
            transposed(d);
        } else {
            run(new Mmul(y, x, z.transpose(), alpha, beta, MMulTranspose.builder().transposeA(!ty).transposeB(!tx).build()));
        }
        return new INDArray[] {z};
    }

    /** {@code d} into its own column-major output, as the row-major transpose. */
    private void transposed(Deferred d) {
        run(new Mmul(d.y(), d.x(), d.z().transpose(), d.alpha(), 0.0,
                MMulTranspose.builder().transposeA(!d.ty()).transposeB(!d.tx()).build()));
    }

    /** {@code d} straight into {@code out}, where that is a row-major float matrix of its shape; false where not. */
    private boolean intoRowMajor(Deferred d, INDArray out) {
        if (out == null || out.ordering() != 'c' || out.dataType() != DataType.FLOAT || out.elementWiseStride() != 1
                || !java.util.Arrays.equals(out.shape(), d.z().shape()) || !Shape.hasDefaultStridesForShape(out)) {
            return false;
        }
        run(new Mmul(d.x(), d.y(), out, d.alpha(), 0.0,
                MMulTranspose.builder().transposeA(d.tx()).transposeB(d.ty()).build()));
        return true;
    }

    private void run(Mmul product) {
        OneDnn.onEveryCore(() -> nd4j.exec(product));
        ROUTED.increment();
    }
}
