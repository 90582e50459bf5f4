package org.dl4jvae.model.samediff;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The outputs of a gradient function's ops that are copies of an input, and what is left of those ops without them.
 * SameDiff writes many: the gradient of a sum passes the incoming gradient on to each addend ({@code add_bp}), that of
 * a difference to its first operand ({@code subtract_bp}), and where a path has no gradient (the step of a ReLU, a
 * cast) it adds a zeros array ({@code zeroslike}) to the gradient of the other path. The op schedule binds such an
 * output to the input array itself and runs only the rest of the op: nothing, the bias's sum over the rows, or the
 * negated gradient. A copy has the values of its source, so every number stays what it was, to the bit.
 *
 * <p>In the reference VAE's step 16 of its 86 ops run in part or not at all, three of them over the whole image. Four
 * alternating {@code bench} runs at 256 x 400 (2-core machine): 28,313-32,519 images/s against 25,679-30,214 before.
 */
final class Copies {

    /** No input. */
    static final int NONE = -1;

    private Copies() {
    }

    /**
     * For each output of an op, the index of the input whose values it has, or {@link #NONE}.
     *
     * @param zeros for each input, whether it holds zeros only (the output of a {@code zeroslike})
     */
    static int[] of(String op, INDArray[] in, long[][] outShapes, DataType[] outTypes, boolean[] zeros) {
        int[] source = new int[outShapes.length];
        Arrays.fill(source, NONE);
        switch (op) {
            case "add_bp" -> { // d(x + y) = g for both where no broadcast sums it
                for (int i = 0; i < 2 && in.length == 3 && outShapes.length == 2; i++) {
                    boolean copy = same(in[2], outShapes[i], outTypes[i])
                            && Arrays.equals(in[i].shape(), in[2].shape());
                    source[i] = copy ? 2 : NONE;
                }
            }
            case "subtract_bp" -> { // d(x - y) = g for x
                if (in.length == 3 && outShapes.length == 2 && Arrays.equals(in[0].shape(), in[2].shape())) {
                    source[0] = same(in[2], outShapes[0], outTypes[0]) ? 2 : NONE;
                }
            }
            case "add" -> { // a + 0
                for (int i = 0; i < 2 && in.length == 2 && outShapes.length == 1; i++) {
                    if (zeros[1 - i] && same(in[i], outShapes[0], outTypes[0])) {
                        source[0] = i;
                        break;
                    }
                }
            }
            default -> {
            }
        }
        return source;
    }

    private static boolean same(INDArray in, long[] shape, DataType type) {
        return Arrays.equals(in.shape(), shape) && in.dataType() == type;
    }

    /**
     * What is left of an op once its outputs {@code copied} are bound to inputs and those {@code unread} are dropped:
     * nothing to run ({@code () -> {}}), the bias's gradient of an {@code add_bp}, the second gradient of a
     * {@code subtract_bp} of equal shapes; null where the op must run as it is (its outputs then all get arrays of
     * their own).
     *
     * @param inRows whether the bias's gradient sums its rows in a Java loop ({@link #columnSums}) rather than with
     *        ND4J's reduction, the one {@code add_bp} uses, whose numbers it has to the bit
     */
    static Runnable rest(String op, INDArray[] in, INDArray[] out, boolean[] copied, boolean[] unread, boolean inRows) {
        boolean[] left = new boolean[out.length];
        int leftCount = 0;
        for (int i = 0; i < out.length; i++) {
            left[i] = !copied[i] && !unread[i];
            leftCount += left[i] ? 1 : 0;
        }
        if (leftCount == 0) {
            return () -> { };
        }
        if (out.length != 2 || leftCount != 1 || !left[1]) {
            return null;
        }
        INDArray g = in[2];
        INDArray gy = out[1];
        if (op.equals("subtract_bp")) { // -g, unless y is broadcast, whose gradient then sums -g
            return Arrays.equals(gy.shape(), g.shape()) && gy.dataType() == g.dataType()
                    ? () -> Nd4j.exec(new Negative(g, gy)) : null;
        }
        if (!op.equals("add_bp") || !isBias(in[1], g) || gy.length() != in[1].length()) {
            return null;
        }
        if (inRows && g.dataType() == DataType.FLOAT && g.ordering() == 'c' && g.elementWiseStride() == 1
                && gy.elementWiseStride() == 1) {
            return () -> columnSums(g, gy);
        }
        DynamicCustomOp sum = DynamicCustomOp.builder("reduce_sum").build();
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        ctx.setInputArrays(g);
        ctx.setOutputArrays(gy);
        ctx.setIArguments(0);
        ctx.setBArguments(gy.rank() == 2); // keep the dimension of a [1, h] bias
        ctx.allowHelpers(false); // ND4J's own kernel, whoever holds the process's helper switch (OneDnn.withHelpers)
        return () -> Nd4j.exec(sum, ctx);
    }

    /** A bias {@code [h]} or {@code [1, h]} added to every row of {@code g [n, h]}. */
    private static boolean isBias(INDArray b, INDArray g) {
        return g.rank() == 2 && b.rank() <= 2 && b.length() == g.columns() && (b.rank() == 1 || b.rows() == 1);
    }

    /**
     * Sums a contiguous float matrix's rows into {@code out}, row after row, in a loop the JIT vectorises. ND4J's
     * reduction over the rows runs across the array's strides: 4.9 ms for [1024, 1024] alone, and all bias gradients of
     * a 1024 x 400 step took 5.4-6.3 ms of its 50-64 (2-core machine, {@code bench --profile}), and a product with a
     * row of ones as long inside a training step (BLAS's threads wake for it); this loop 1.8-2.1 ms. It rounds
     * differently, so the schedule uses it only where the numbers are not the reference's anyway.
     */
    static void columnSums(INDArray m, INDArray out) {
        int rows = (int) m.rows();
        int cols = (int) m.columns();
        FloatBuffer in = m.data().asNioFloat();
        int offset = (int) m.offset();
        float[] sum = new float[cols];
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            in.get(offset + r * cols, row, 0, cols);
            for (int c = 0; c < cols; c++) {
                sum[c] += row[c];
            }
        }
        out.data().asNioFloat().put((int) out.offset(), sum, 0, cols);
    }
}
