package org.dl4jvae.model.samediff;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's {@code deconv2d} (a transposed convolution) of a 3x3 kernel, computed as forward convolutions: the same
 * output in other rounding. Why: oneDNN runs a transposed convolution as a strided convolution's backward-data pass,
 * which on the 2-core machine took 45-70 ms for the convolutional VAE's [128, 64, 14, 14] -> [128, 32, 29, 29] layer,
 * where the same arithmetic as forward convolutions took 10-13 ms and interleaving their outputs 4-5 ms. A training
 * step of the convolutional VAE took 0.82 of the time at the median of 30 alternating pairs of 5-step blocks in one
 * JVM (faster in all 30). Only the forward pass: the backward pass stays ND4J's {@code deconv2d_bp}.
 *
 * <p>With stride 2 and no padding ({@code out[o] = sum over o = 2i + k of x[i] W[k]} along each axis), an even output
 * {@code 2m} takes taps 2 at input m - 1 and 0 at m, an odd one {@code 2m + 1} tap 1 at m. Each of the four parities
 * of (row, column) is thus a stride-1 convolution with a 2 or 1 tap kernel (padded by 1 where it has 2 taps), and the
 * four results are interleaved. With stride 1 and padding 1 it is the convolution with the kernel reversed. Each
 * output value belongs to one parity, so each gets the bias once.
 */
final class PhaseDeconv {

    private static final int[] EVEN = {2, 0};
    private static final int[] ODD = {1};
    private static final int[] REVERSED = {2, 1, 0};

    private long[] boundInput; // the shapes the arrays below were made for
    private long[] boundOutput;
    private INDArray[] kernels;
    private INDArray[] outputs;

    /**
     * Runs the deconv2d of {@code ctx} (inputs x, kernel, bias; one output) if it is one of the two forms above:
     * float, NCHW, 3x3, no dilation, kernel {@code [3, 3, out, in]}. Returns false, having done nothing, for any other.
     */
    boolean run(OpContext ctx) {
        List<INDArray> in = ctx.getInputArrays();
        List<Long> a = ctx.getIArguments();
        if (in.size() != 3 || ctx.getOutputArrays().size() != 1 || a.size() < 10) {
            return false;
        }
        INDArray x = in.get(0);
        INDArray w = in.get(1);
        INDArray bias = in.get(2);
        INDArray out = ctx.getOutputArrays().get(0);
        boolean stride2 = a.get(2) == 2 && a.get(3) == 2 && a.get(4) == 0 && a.get(5) == 0;
        boolean stride1 = a.get(2) == 1 && a.get(3) == 1 && a.get(4) == 1 && a.get(5) == 1;
        if (a.get(0) != 3 || a.get(1) != 3 || a.get(6) != 1 || a.get(7) != 1 || a.get(8) != 0 || a.get(9) != 0
                || (a.size() > 10 && a.get(10) != 0) || !(stride1 || stride2)
                || x.dataType() != DataType.FLOAT || w.dataType() != DataType.FLOAT || x.rank() != 4
                || !Arrays.equals(w.shape(), new long[] {3, 3, out.size(1), x.size(1)}) || out.ordering() != 'c') {
            return false;
        }
        long h = x.size(2);
        long wd = x.size(3);
        INDArray wc = w.permute(0, 1, 3, 2); // [3, 3, in, out]: a convolution's kernel
        if (stride1) {
            if (out.size(2) != h || out.size(3) != wd) {
                return false;
            }
            bind(x.shape(), new int[][] {REVERSED}, new int[][] {REVERSED}, wc, out.shape());
            fill(kernels[0], wc, REVERSED, REVERSED);
            conv(x, kernels[0], bias, out, 1, 1);
            return true;
        }
        if (out.size(2) != 2 * h + 1 || out.size(3) != 2 * wd + 1) {
            return false;
        }
        int[][] rows = {EVEN, EVEN, ODD, ODD};
        int[][] cols = {EVEN, ODD, EVEN, ODD};
        bind(x.shape(), rows, cols, wc, out.shape());
        for (int p = 0; p < 4; p++) {
            fill(kernels[p], wc, rows[p], cols[p]);
            conv(x, kernels[p], bias, outputs[p], rows[p].length - 1, cols[p].length - 1);
            int r0 = rows[p] == EVEN ? 0 : 1;
            int c0 = cols[p] == EVEN ? 0 : 1;
            out.get(all(), all(), interval(r0, 2, out.size(2)), interval(c0, 2, out.size(3))).assign(outputs[p]);
        }
        return true;
    }

    /**
     * The kernels (and, for stride 2, the four parities' outputs) for these shapes, allocated once per shape outside
     * any workspace the caller has open; a previous shape's arrays are freed now rather than by the garbage collector,
     * as the op schedule frees its own.
     */
    private void bind(long[] xShape, int[][] rows, int[][] cols, INDArray wc, long[] outShape) {
        if (Arrays.equals(boundInput, xShape) && Arrays.equals(boundOutput, outShape)) {
            return;
        }
        close(kernels);
        close(outputs);
        boundInput = xShape.clone();
        boundOutput = outShape.clone();
        boolean parities = rows.length > 1;
        kernels = new INDArray[rows.length];
        outputs = parities ? new INDArray[rows.length] : null;
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (int p = 0; p < rows.length; p++) {
                kernels[p] = Nd4j.create(DataType.FLOAT, rows[p].length, cols[p].length, wc.size(2), wc.size(3));
                if (parities) {
                    long r = rows[p] == EVEN ? xShape[2] + 1 : xShape[2];
                    long c = cols[p] == EVEN ? xShape[3] + 1 : xShape[3];
                    outputs[p] = Nd4j.create(DataType.FLOAT, xShape[0], outShape[1], r, c);
                }
            }
        }
    }

    private static void close(INDArray[] arrays) {
        if (arrays != null) {
            for (INDArray a : arrays) {
                if (a.closeable()) {
                    a.close();
                }
            }
        }
    }

    private static void fill(INDArray kernel, INDArray wc, int[] rows, int[] cols) {
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < cols.length; c++) {
                kernel.get(point(r), point(c), all(), all()).assign(wc.get(point(rows[r]), point(cols[c]), all(), all()));
            }
        }
    }

    /** A stride-1 NCHW convolution, padded by {@code padRows, padCols} on both sides. */
    private static void conv(INDArray x, INDArray kernel, INDArray bias, INDArray out, int padRows, int padCols) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, kernel, bias).addOutputs(out)
                .addIntegerArguments((int) kernel.size(0), (int) kernel.size(1), 1, 1, padRows, padCols, 1, 1, 0, 0, 0)
                .build());
    }
}
