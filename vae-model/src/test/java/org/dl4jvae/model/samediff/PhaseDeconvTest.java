package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/** The transposed convolution as forward convolutions equals ND4J's own deconv2d, and leaves other forms to it. */
class PhaseDeconvTest {

    /** ND4J's deconv2d of x with (kernel, bias): stride, padding; its iArgs as SameDiff's DeConv2D passes them. */
    private static long[] args(int stride, int pad) {
        return new long[] {3, 3, stride, stride, pad, pad, 1, 1, 0, 0, 0};
    }

    private static OpContext context(INDArray x, INDArray w, INDArray b, INDArray out, long[] iArgs) {
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        ctx.setInputArrays(x, w, b);
        ctx.setOutputArrays(out);
        ctx.setIArguments(iArgs);
        return ctx;
    }

    private static INDArray nd4j(INDArray x, INDArray w, INDArray b, long[] outShape, long[] iArgs) {
        INDArray out = Nd4j.create(x.dataType(), outShape);
        Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(x, w, b).addOutputs(out)
                .addIntegerArguments(java.util.Arrays.stream(iArgs).mapToInt(v -> (int) v).toArray()).build());
        return out;
    }

    @Test
    void strideTwoAndStrideOneEqualNd4jsDeconv2d() {
        Nd4j.getRandom().setSeed(7);
        PhaseDeconv phases = new PhaseDeconv();
        // images that are not square, channels that are not multiples of the kernels' blocks; twice (reused arrays)
        for (int[] s : new int[][] {{3, 5, 4, 6, 2}, {3, 5, 4, 6, 2}, {2, 3, 7, 5, 1}, {4, 16, 8, 7, 3}}) {
            int batch = s[0], in = s[1], rows = s[2], cols = s[3], out = s[4];
            INDArray x = Nd4j.rand(DataType.FLOAT, batch, in, rows, cols).subi(0.5);
            INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, out, in).subi(0.5);
            INDArray b = Nd4j.rand(DataType.FLOAT, out);
            for (int stride : new int[] {1, 2}) {
                long[] iArgs = stride == 2 ? args(2, 0) : args(1, 1);
                long[] shape = stride == 2 ? new long[] {batch, out, 2 * rows + 1, 2 * cols + 1}
                        : new long[] {batch, out, rows, cols};
                INDArray want = nd4j(x, w, b, shape, iArgs);
                INDArray got = Nd4j.create(DataType.FLOAT, shape).assign(Float.NaN); // every value must be written
                assertTrue(phases.run(context(x, w, b, got, iArgs)));
                double scale = want.amaxNumber().doubleValue();
                assertEquals(0, want.sub(got).amaxNumber().doubleValue(), 1e-5 * scale,
                        "stride " + stride + " " + java.util.Arrays.toString(s));
            }
        }
    }

    @Test
    void otherFormsAreLeftToNd4j() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, 2, 3);
        INDArray b = Nd4j.rand(DataType.FLOAT, 2);
        PhaseDeconv phases = new PhaseDeconv();
        INDArray out = Nd4j.zeros(DataType.FLOAT, 2, 2, 9, 9);
        assertFalse(phases.run(context(x, w, b, out, new long[] {3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0})), "padding 1");
        assertFalse(phases.run(context(x, w, b, out, new long[] {3, 3, 2, 2, 0, 0, 1, 1, 0, 1, 0})), "NHWC");
        assertFalse(phases.run(context(x, w, b, Nd4j.zeros(DataType.FLOAT, 2, 2, 12, 12),
                new long[] {3, 3, 3, 3, 0, 0, 1, 1, 0, 0, 0})), "stride 3");
        assertFalse(phases.run(context(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE),
                Nd4j.zeros(DataType.DOUBLE, 2, 2, 9, 9), args(2, 0))), "double");
        assertEquals(0.0, out.sumNumber().doubleValue(), 0.0, "nothing written");
    }
}
