package org.dl4jvae.model.samediff;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;

/**
 * Runs a convolution ({@code conv2d}, {@code deconv2d}, or their {@code _bp}) over slices of its batch when its arrays
 * are large. Why: ND4J's oneDNN helper converts every array to oneDNN's layout in a buffer of the same size that it
 * allocates and frees at each call, and glibc serves a thread's blocks from heaps of at most 64 MB, mapping anything
 * larger afresh, so every call pays a page fault per 4 KB. The convolutional VAE on 64 x 64 RGB images at batch 128
 * converts arrays of 64-69 MB: a training step took 1.17-1.44 s, 0.51 s with all threads on one heap (an environment
 * setting, {@code MALLOC_ARENA_MAX=1}, which a running JVM cannot make for itself). Slices keep each array under
 * {@link #LIMIT}. The gradients of the kernel and bias are sums over the batch: the slices' are added up.
 */
final class BatchSlices {

    /** The most bytes of one array, in oneDNN's layout, that one call converts. */
    static final long LIMIT = 24L << 20;

    private BatchSlices() {
    }

    /**
     * How many slices the op of {@code ctx} runs in: 1 unless one of its batch arrays, with its channels padded to
     * oneDNN's blocks of 16, holds more than {@link #LIMIT} bytes; then the fewest that divide the batch evenly, if
     * one does within twice the fewest that would do.
     */
    static int count(OpContext ctx) {
        if (!(ctx.getInputArrays().size() == 3 && ctx.getOutputArrays().size() == 1) && !backward(ctx)) {
            return 1; // neither a forward nor a backward pass with a bias
        }
        List<INDArray> batch = batchArrays(ctx);
        long rows = batch.get(0).size(0);
        long rowBytes = 0;
        for (INDArray a : batch) {
            if (a.rank() != 4 || a.size(0) != rows) {
                return 1;
            }
            long channels = (a.size(1) + 15) / 16 * 16;
            rowBytes = Math.max(rowBytes, channels * a.size(2) * a.size(3) * a.dataType().width());
        }
        long fewest = Math.min(rows, (rows * rowBytes + LIMIT - 1) / LIMIT);
        if (fewest <= 1) {
            return 1;
        }
        for (long k = fewest; k <= Math.min(rows, 2 * fewest); k++) {
            if (rows % k == 0) {
                return (int) k;
            }
        }
        return (int) fewest;
    }

    /**
     * Runs the op of {@code ctx} with {@code whole} on {@code slices} slices of the batch: the input (and, for a
     * {@code _bp}, the output's gradient) and the first output sliced, a {@code _bp}'s other outputs summed.
     */
    static void run(OpContext ctx, int slices, Consumer<OpContext> whole) {
        List<INDArray> in = ctx.getInputArrays();
        List<INDArray> out = ctx.getOutputArrays();
        boolean backward = backward(ctx);
        long rows = in.get(0).size(0);
        long per = (rows + slices - 1) / slices;
        INDArray[] sums = new INDArray[0]; // the later slices' kernel and bias gradients; the first writes the outputs
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            if (backward) {
                sums = new INDArray[] {out.get(1).ulike(), out.get(2).ulike()};
            }
            for (long r0 = 0; r0 < rows; r0 += per) {
                INDArrayIndex[] slice = {interval(r0, Math.min(rows, r0 + per)), all(), all(), all()};
                List<INDArray> sliceIn = new ArrayList<>(in);
                List<INDArray> sliceOut = new ArrayList<>(out);
                sliceIn.set(0, in.get(0).get(slice));
                sliceOut.set(0, out.get(0).get(slice));
                if (backward) {
                    sliceIn.set(3, in.get(3).get(slice));
                    if (r0 > 0) {
                        sliceOut.set(1, sums[0]);
                        sliceOut.set(2, sums[1]);
                    }
                }
                runSlice(ctx, sliceIn, sliceOut, whole);
                if (backward && r0 > 0) {
                    out.get(1).addi(sums[0]);
                    out.get(2).addi(sums[1]);
                }
            }
        } finally {
            for (INDArray sum : sums) {
                sum.close();
            }
        }
    }

    /** Runs {@code whole} in a context of its own with {@code ctx}'s arguments and these arrays. */
    private static void runSlice(OpContext ctx, List<INDArray> in, List<INDArray> out, Consumer<OpContext> whole) {
        OpContext c = Nd4j.getExecutioner().buildContext();
        try {
            c.setIArguments(ctx.getIArguments().stream().mapToLong(Long::longValue).toArray());
            c.setTArguments(ctx.getTArguments().stream().mapToDouble(Double::doubleValue).toArray());
            c.setInputArrays(in);
            c.setOutputArrays(out);
            whole.accept(c);
        } finally {
            c.purge();
        }
    }

    /** The arrays whose first dimension is the batch: the input, and a backward op's output gradient. */
    private static List<INDArray> batchArrays(OpContext ctx) {
        List<INDArray> in = ctx.getInputArrays();
        List<INDArray> out = ctx.getOutputArrays();
        List<INDArray> batch = new ArrayList<>(List.of(in.get(0), out.get(0)));
        if (backward(ctx)) {
            batch.add(in.get(3));
        }
        return batch;
    }

    /** A backward pass with a bias: x, W, b, gradO in; gradX, gradW, gradB out. */
    private static boolean backward(OpContext ctx) {
        return ctx.getInputArrays().size() == 4 && ctx.getOutputArrays().size() == 3;
    }
}
