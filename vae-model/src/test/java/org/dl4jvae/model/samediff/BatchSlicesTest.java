package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/** A convolution run over slices of its batch equals the op run whole; only large arrays are sliced. */
class BatchSlicesTest {

    private static final long[] STRIDE_2 = {3, 3, 2, 2, 0, 0, 1, 1, 0, 0, 0}; // kernel, stride, padding, dilation
    private static final long[] CONV_STRIDE_2 = {3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0}; // the encoder's, padded by 1
    private static final long[] STRIDE_1 = {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0};

    private static OpContext context(long[] iArgs, List<INDArray> in, List<INDArray> out) {
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        ctx.setIArguments(iArgs);
        ctx.setInputArrays(in);
        ctx.setOutputArrays(out);
        return ctx;
    }

    /** The op's outputs run whole by ND4J, and run in {@code slices} slices. */
    private static void assertSlicesEqualWhole(String op, long[] iArgs, List<INDArray> in, List<long[]> outShapes,
            int slices) {
        List<INDArray> whole = new ArrayList<>();
        List<INDArray> sliced = new ArrayList<>();
        for (long[] s : outShapes) {
            whole.add(Nd4j.create(DataType.FLOAT, s));
            sliced.add(Nd4j.valueArrayOf(s, 7f)); // stale values, as in the schedule's reused arrays
        }
        DynamicCustomOp nd4j = DynamicCustomOp.builder(op).build();
        Nd4j.exec(nd4j, context(iArgs, in, whole));
        BatchSlices.run(context(iArgs, in, sliced), slices, c -> Nd4j.exec(nd4j, c));
        for (int o = 0; o < whole.size(); o++) {
            INDArray diff = whole.get(o).sub(sliced.get(o));
            double scale = whole.get(o).amaxNumber().doubleValue();
            assertTrue(diff.amaxNumber().doubleValue() <= 1e-5 * scale, op + " output " + o + ": "
                    + diff.amaxNumber() + " apart (largest value " + scale + ")");
        }
    }

    @Test
    void slicedConvolutionsAndTheirGradientsEqualTheWholeOps() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 5, 8, 7).subi(0.5);
        INDArray convW = Nd4j.rand(DataType.FLOAT, 3, 3, 5, 4).subi(0.5); // [kH, kW, in, out]
        INDArray convB = Nd4j.rand(DataType.FLOAT, 4);
        INDArray convGrad = Nd4j.rand(DataType.FLOAT, 6, 4, 4, 4).subi(0.5);
        INDArray deconvW = Nd4j.rand(DataType.FLOAT, 3, 3, 4, 5).subi(0.5); // [kH, kW, out, in]
        INDArray deconvGrad = Nd4j.rand(DataType.FLOAT, 6, 4, 17, 15).subi(0.5);
        for (int slices : new int[] {2, 3, 4}) { // 4 asked of 6 rows: slices of 2 rows, 3 of them
            assertSlicesEqualWhole("conv2d", CONV_STRIDE_2, List.of(x, convW, convB), List.of(new long[] {6, 4, 4, 4}),
                    slices);
            assertSlicesEqualWhole("conv2d_bp", CONV_STRIDE_2, List.of(x, convW, convB, convGrad),
                    List.of(x.shape(), convW.shape(), convB.shape()), slices);
            assertSlicesEqualWhole("deconv2d", STRIDE_2, List.of(x, deconvW, convB),
                    List.of(new long[] {6, 4, 17, 15}), slices);
            assertSlicesEqualWhole("deconv2d_bp", STRIDE_2, List.of(x, deconvW, convB, deconvGrad),
                    List.of(x.shape(), deconvW.shape(), convB.shape()), slices);
            assertSlicesEqualWhole("conv2d_bp", STRIDE_1, List.of(x, convW, convB,
                    Nd4j.rand(DataType.FLOAT, 6, 4, 8, 7)), List.of(x.shape(), convW.shape(), convB.shape()), slices);
        }
    }

    @Test
    void theTransposedConvolutionAsConvolutionsRunsInSlices() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 5, 8, 7).subi(0.5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, 4, 5).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 4);
        INDArray whole = Nd4j.create(DataType.FLOAT, 6, 4, 17, 15);
        Nd4j.exec(DynamicCustomOp.builder("deconv2d").build(), context(STRIDE_2, List.of(x, w, b), List.of(whole)));
        INDArray sliced = Nd4j.valueArrayOf(whole.shape(), 7f);
        PhaseDeconv phases = new PhaseDeconv();
        BatchSlices.run(context(STRIDE_2, List.of(x, w, b), List.of(sliced)), 3,
                c -> assertTrue(phases.run(c), "PhaseDeconv takes a slice"));
        assertTrue(whole.sub(sliced).amaxNumber().doubleValue() <= 1e-5 * whole.amaxNumber().doubleValue());
    }

    @Test
    void onlyArraysAboveTheLimitInOneDnnsLayoutAreSliced() {
        INDArray w = Nd4j.create(DataType.FLOAT, 3, 3, 32, 32);
        INDArray b = Nd4j.create(DataType.FLOAT, 32);
        // the 28 x 28 network's largest: [128, 32, 29, 29], 13.8 MB: whole
        assertEquals(1, BatchSlices.count(context(STRIDE_2, List.of(Nd4j.create(DataType.FLOAT, 128, 32, 14, 14), w, b),
                List.of(Nd4j.create(DataType.FLOAT, 128, 32, 29, 29)))));
        // 64 x 64 images: [128, 32, 65, 65], 69 MB: 3 slices would do, 4 divide 128 evenly
        assertEquals(4, BatchSlices.count(context(STRIDE_2, List.of(Nd4j.create(DataType.FLOAT, 128, 32, 32, 32), w, b),
                List.of(Nd4j.create(DataType.FLOAT, 128, 32, 65, 65)))));
        // one channel takes a block of 16 in oneDNN's layout: [128, 1, 128, 128] is 128 MB there, 6 slices would do
        INDArray one = Nd4j.create(DataType.FLOAT, 3, 3, 1, 1);
        assertEquals(8, BatchSlices.count(context(STRIDE_1, List.of(Nd4j.create(DataType.FLOAT, 128, 1, 128, 128),
                one, Nd4j.create(DataType.FLOAT, 1)), List.of(Nd4j.create(DataType.FLOAT, 128, 1, 128, 128)))));
        // a convolution without a bias is left whole: its gradients' places differ
        assertEquals(1, BatchSlices.count(context(STRIDE_2, List.of(Nd4j.create(DataType.FLOAT, 128, 32, 32, 32), w),
                List.of(Nd4j.create(DataType.FLOAT, 128, 32, 65, 65)))));
    }
}
