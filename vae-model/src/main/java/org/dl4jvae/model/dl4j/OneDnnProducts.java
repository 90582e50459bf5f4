package org.dl4jvae.model.dl4j;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.OneDnn;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BroadcastOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.TransformOp;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.BaseDynamicTransformOp;
import org.nd4j.linalg.api.ops.impl.transforms.any.Assign;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the matrix products of DL4J's layer in oneDNN during a large or a small training step
 * ({@link OneDnn#takesProducts}, {@link OneDnn#smallStep}).
 *
 * <p>Why: DL4J's {@code VariationalAutoencoder} layer multiplies through {@code INDArray.mmul} and {@code Nd4j.gemm},
 * which always write into column-major arrays (a fresh one for {@code mmul}, the layer's column-major gradient views
 * for {@code gemm}). ND4J's oneDNN helper refuses a column-major output, so every product went to OpenBLAS, whose
 * bundled 0.3.19 runs Zen 4 CPUs with its AVX2 kernels. A column-major {@code C = op(A) op(B)} is the row-major
 * {@code C^T = op(B)^T op(A)^T} in the same memory, which oneDNN takes. Both calls end in ND4J's native {@code matmul}
 * op through {@code Nd4j.getExecutioner()}, the one place to turn them around: this wraps ND4J's executioner, passes
 * every other op (and every product outside {@link #during}) to it unchanged.
 *
 * <p>In every step, whatever the route, the product that computes the image's gradient, which the layer drops, is not
 * computed. Once the wrapper is installed (by the first step), the executioner's tensor-along-dimension packs come
 * from {@link TadCache} for every caller, in a step or not.
 */
final class OneDnnProducts implements InvocationHandler {

    /** Where a step's products run ({@link #during}). */
    enum Route {
        /** Where ND4J puts them (OpenBLAS): only the product of {@code unread} is left out. */
        ND4J,
        /** In oneDNN on this thread alone ({@link OneDnn#onThisThread}). */
        THIS_THREAD,
        /** In oneDNN on every core, with the step's large element-wise ops ({@link #large}). */
        EVERY_CORE
    }

    /** A thread's step while {@link #during} runs. */
    private static final class Step {
        /** Where the products run; null outside {@link #during}. */
        Route route;
        /** The weights whose products nothing reads. */
        INDArray unread;
        /** A product held back one call ({@link Product}), or null. */
        Product pending;
    }

    /**
     * {@code z = alpha op(x) op(y) + beta z}, z column-major. One into a fresh such array is held back one call:
     * {@code INDArray.mmul} multiplies into such a temporary and then copies it into its row-major result
     * ({@code assign}), a transposing copy that took ND4J 2.1 ms a step at 512 x 400 (three of them). When that copy
     * comes next, the product is written straight into the result instead; before any other call to the executioner,
     * and at the end of the step, it is computed into its own array.
     */
    private record Product(INDArray x, INDArray y, INDArray z, boolean tx, boolean ty, double alpha, double beta) {
    }

    private static final ThreadLocal<Step> STEP = ThreadLocal.withInitial(Step::new);
    private static final LongAdder ROUTED = new LongAdder();
    private static final LongAdder SKIPPED = new LongAdder();
    private static final LongAdder WIDE = new LongAdder();
    /** The wrapper, once installed. */
    private static volatile OneDnnProducts installed;

    private final OpExecutioner nd4j;

    private OneDnnProducts(OpExecutioner nd4j) {
        this.nd4j = nd4j;
    }

    /**
     * Runs {@code body} with this thread's column-major float products on {@code route}. A product whose first operand
     * is {@code unread} (the very array) is not computed: its output is zeros. Where ND4J's executioner cannot be
     * wrapped (the CUDA backend, or an ND4J version without the field this relies on) it just runs {@code body}.
     */
    static <T> T during(INDArray unread, Route route, Supplier<T> body) {
        if (installed == null && !install()) {
            return body.get();
        }
        Step step = STEP.get();
        step.route = route;
        step.unread = unread;
        try {
            return body.get();
        } finally {
            step.unread = null;
            Product pending = step.pending;
            step.pending = null;
            if (pending != null) {
                installed.transposed(pending);
            }
            step.route = null;
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

    /** Element-wise ops run on one thread per core so far ({@link #large}), in this JVM (for tests). */
    static long wide() {
        return WIDE.sum();
    }

    /** Products not computed so far (their first operand was {@code unread}), in this JVM (for tests). */
    static long skipped() {
        return SKIPPED.sum();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Step step = STEP.get();
        boolean exec = args != null && args.length == 1 && method.getName().equals("exec");
        if (step.pending != null) { // whatever comes next, the held-back product is computed first
            Product d = step.pending;
            step.pending = null;
            if (exec && args[0] instanceof Assign copy && method.getReturnType() == INDArray.class
                    && copy.x() == d.z() && intoRowMajor(d, copy.z())) {
                return copy.z();
            }
            transposed(d);
        }
        if (args != null && args.length == 2 && args[0] instanceof INDArray a && args[1] instanceof int[] dims
                && method.getName().equals("tadShapeInfoAndOffsets")) {
            return TadCache.get(a, dims, () -> nd4j.tadShapeInfoAndOffsets(a, dims));
        }
        if (step.route != null && exec && args[0] instanceof Mmul mmul && method.getParameterTypes()[0] == CustomOp.class
                && rowMajor(mmul, step)) {
            return new INDArray[] {mmul.getOutputArgument(0)};
        }
        if (step.route == Route.EVERY_CORE && exec && NativeThreads.wideStepsAllowed()
                && large(args[0])) {
            WIDE.increment();
            Throwable[] failure = new Throwable[1];
            Object result = NativeThreads.wide(() -> {
                try {
                    return call(method, args);
                } catch (Throwable t) {
                    failure[0] = t;
                    return null;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            return result;
        }
        return call(method, args);
    }

    /** ND4J's executioner's own {@code method}, with its own exceptions. */
    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(nd4j, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * An element-wise op of at least {@link NativeThreads#WIDE_MIN} values, which a large step runs on one thread per
     * core where the process allows it, as the SameDiff engine's: its products are oneDNN's on every core, so no
     * OpenBLAS thread spins beside OpenMP's. Element-wise ops give the same numbers on any number of threads;
     * reductions, which round differently when split, keep theirs. At 256 x 400, in one JVM, 30 alternating pairs of
     * 20-step blocks: median 0.879 and 0.922 of the time (faster in 23 and 22 of 30), at 512 x 400 0.886 (27 of 30).
     */
    private static boolean large(Object op) {
        if (op instanceof BaseDynamicTransformOp c) {
            return c.numOutputArguments() == 1 && c.getOutputArgument(0).length() >= NativeThreads.WIDE_MIN;
        }
        if (!(op instanceof TransformOp || op instanceof ScalarOp || op instanceof BroadcastOp)) {
            return false;
        }
        Op o = (Op) op;
        INDArray a = o.z() != null ? o.z() : o.x();
        return a != null && a.length() >= NativeThreads.WIDE_MIN;
    }

    /**
     * Takes the product: skipped, held back, or computed as its transpose into the output's memory, in oneDNN; false
     * (and nothing done) where that does not apply.
     */
    private boolean rowMajor(Mmul mmul, Step step) {
        if (mmul.numInputArguments() != 2 || mmul.numOutputArguments() != 1) {
            return false;
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
            return false;
        }
        if (x == step.unread) {
            z.assign(0);
            SKIPPED.increment();
            return true;
        }
        if (step.route == Route.ND4J) {
            return false;
        }
        Product d = new Product(x, y, z, i.length > 0 && i[0] != 0, i.length > 1 && i[1] != 0,
                t.length > 0 ? t[0] : 1.0, t.length > 1 ? t[1] : 0.0);
        if (d.beta() == 0 && !z.isView() && z.offset() == 0) {
            step.pending = d;
        } else {
            transposed(d);
        }
        return true;
    }

    /** {@code d} into its own column-major output, as the row-major transpose. */
    private void transposed(Product d) {
        run(new Mmul(d.y(), d.x(), d.z().transpose(), d.alpha(), d.beta(),
                MMulTranspose.builder().transposeA(!d.ty()).transposeB(!d.tx()).build()));
    }

    /** {@code d} (beta 0) straight into {@code out} where that is a row-major float matrix of its shape; else false. */
    private boolean intoRowMajor(Product d, INDArray out) {
        if (out == null || out.ordering() != 'c' || out.dataType() != DataType.FLOAT || out.elementWiseStride() != 1
                || !Arrays.equals(out.shape(), d.z().shape()) || !Shape.hasDefaultStridesForShape(out)) {
            return false;
        }
        run(new Mmul(d.x(), d.y(), out, d.alpha(), 0.0,
                MMulTranspose.builder().transposeA(d.tx()).transposeB(d.ty()).build()));
        return true;
    }

    private void run(Mmul product) {
        if (STEP.get().route == Route.THIS_THREAD) {
            OneDnn.onThisThread(() -> nd4j.exec(product));
        } else {
            OneDnn.onEveryCore(() -> nd4j.exec(product));
        }
        ROUTED.increment();
    }
}
