package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.OneDnn;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/** The fixed op schedule computes what SameDiff's own executor computes, for changing batch sizes. */
class OpScheduleTest {

    /** ND4J's platform helpers off, as the engines run (AdamEngine): SameDiff's executor then multiplies in OpenBLAS. */
    @org.junit.jupiter.api.BeforeAll
    static void helpersOff() {
        Nd4j.getEnvironment().allowHelpers(false);
    }

    /** The weights of the reference layers, by name. */
    private static List<String> params() {
        List<String> params = new ArrayList<>();
        for (String layer : VaeEngine.LAYERS) {
            params.add(layer + "_W");
            params.add(layer + "_b");
        }
        return params;
    }

    /** A schedule of the loss and the gradient of every weight of {@code sd}, which it differentiates. */
    private static OpSchedule gradientSchedule(SameDiff sd, List<String> params) {
        return gradientSchedule(sd, params, OpSchedule.Mode.EVALUATION);
    }

    private static OpSchedule gradientSchedule(SameDiff sd, List<String> params, OpSchedule.Mode mode) {
        sd.createGradFunction();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        Set<String> required = new HashSet<>(Set.of("loss"));
        for (String p : params) {
            arrays.put(p, sd.getArrForVarName(p));
            required.add(sd.getVariable(p).getGradient().name());
        }
        return new OpSchedule(sd.getFunction("grad"), arrays, required, mode);
    }

    @ParameterizedTest
    @EnumSource(VaeConfig.Decoder.class)
    void lossAndEveryGradientEqualSameDiffsOwn(VaeConfig.Decoder decoder) {
        VaeConfig c = ModelFamily.config("beta-vae").with("beta", 0.7)
                .withSizes(30, 12, 4).withDecoder(decoder).withSeed(5);
        SameDiff sd = SameDiffVae.graph(c, DataType.DOUBLE);
        List<String> params = params();
        OpSchedule schedule = gradientSchedule(sd, params);
        Nd4j.getRandom().setSeed(9);
        // same shape twice (reuse), a smaller one, a batch of over 256 rows, back again
        for (int batch : new int[] {7, 7, 3, 300, 7}) {
            Map<String, INDArray> ph = Map.of(
                    "x", Nd4j.rand(DataType.DOUBLE, batch, 30),
                    "eps", Nd4j.randn(DataType.DOUBLE, batch, 4),
                    "kl_weight", Nd4j.scalar(DataType.DOUBLE, 0.6)); // a KL warm-up's weight
            var expected = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
            Map<String, INDArray> got = schedule.run(ph);
            assertEquals(expected.getOutputs().get("loss").getDouble(0), got.get("loss").getDouble(0), 1e-12);
            for (String p : params) {
                INDArray g = got.get(sd.getVariable(p).getGradient().name());
                assertTrue(expected.getGradients().get(p).equalsWithEps(g, 1e-12), p + " differs at batch " + batch);
            }
            sd.getArrForVarName("fc1_W").addi(0.01); // the schedule reads the live weights
        }
    }

    /** A training batch of random images and noise, with the KL weight 1. */
    private static Map<String, INDArray> placeholders(int batch) {
        return Map.of(
                "x", Nd4j.rand(DataType.FLOAT, batch, 784),
                "eps", Nd4j.randn(DataType.FLOAT, batch, 20),
                "kl_weight", Nd4j.scalar(DataType.FLOAT, 1.0));
    }

    /**
     * The schedule's gradients {@code got} against SameDiff's {@code expected}: to the bit where {@code bitExact},
     * else within 1e-5 of each gradient's norm. Returns whether all of them were identical to the bit.
     */
    private static boolean agree(SameDiff sd, List<String> params, Map<String, INDArray> expected,
                                 Map<String, INDArray> got, boolean bitExact, String where) {
        boolean identical = true;
        for (String p : params) {
            INDArray want = expected.get(p);
            INDArray g = got.get(sd.getVariable(p).getGradient().name());
            float[] bits = want.dup('c').data().asFloat(); // INDArray.equals allows a relative 1e-5
            identical &= java.util.Arrays.equals(bits, g.dup('c').data().asFloat());
            if (bitExact) {
                assertArrayEquals(bits, g.dup('c').data().asFloat(), p + where);
            } else {
                double scale = want.norm2Number().doubleValue();
                double diff = want.sub(g).norm2Number().doubleValue();
                assertTrue(diff <= 1e-5 * scale, p + where + ": " + diff + " of " + scale);
            }
        }
        return identical;
    }

    /**
     * In float, the training precision: in training steps that keep OpenBLAS ({@link OneDnn#takesProducts},
     * {@link OneDnn#smallStep}) the schedule's products (matmul_bp split in two) and bias gradients are ND4J's own to
     * the last bit; in larger ones, oneDNN's products and the Java row sums agree with ND4J's to float rounding, and
     * in small ones oneDNN's products on one thread. The reference (batch 128 of 400 units, and each epoch's last batch
     * of 96) keeps OpenBLAS; a batch of 300 or of 64, or of 128 with 2048 units, takes oneDNN.
     */
    @Test
    void floatGradientsAreNd4jsOwnInSmallStepsAndCloseInLargeOnes() {
        for (int hidden : new int[] {400, 2048}) {
            VaeConfig c = ModelFamily.config("vae").withSizes(784, hidden, 20).withSeed(3);
            SameDiff sd = SameDiffVae.graph(c, DataType.FLOAT);
            List<String> params = params();
            OpSchedule schedule = gradientSchedule(sd, params, OpSchedule.Mode.TRAINING);
            Nd4j.getRandom().setSeed(4);
            for (int batch : hidden == 400 ? new int[] {128, 300, 64, 96, 128} : new int[] {128}) {
                boolean small = !OneDnn.takesProducts(batch, 784L * hidden) && !OneDnn.smallStep(batch);
                assertEquals(hidden == 400 && batch >= 96 && batch <= 128, small, "batch " + batch + " of " + hidden);
                Map<String, INDArray> ph = placeholders(batch);
                var expected = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
                Map<String, INDArray> got = schedule.run(ph);
                // every add_bp (8) and subtract_bp (4) has a copy; the adds of zeros and the zeroslikes (2 each)
                assertEquals(16, schedule.shortcuts(), "batch " + batch);
                boolean identical = agree(sd, params, expected.getGradients(), got, small, " at batch " + batch);
                // oneDNN's products round differently from OpenBLAS's: seen in some gradient, so they did run
                assertEquals(small, identical, "batch " + batch + " of " + hidden);
            }
        }
    }

    /**
     * With every product taken ({@link OneDnn#takeAllProducts}, the app's {@code --products onednn}), the reference's
     * batch of 128 rows multiplies in oneDNN: a schedule bound then gives gradients that agree with ND4J's to float
     * rounding and no longer to the bit. Batches of 64 rows and fewer are left as they were.
     */
    @Test
    void everyProductTakenMovesTheReferenceBatchToOneDnn() {
        VaeConfig c = ModelFamily.config("vae").withSizes(784, 400, 20).withSeed(3);
        SameDiff sd = SameDiffVae.graph(c, DataType.FLOAT);
        List<String> params = params();
        Nd4j.getRandom().setSeed(4);
        Map<String, INDArray> ph = placeholders(128);
        var expected = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
        assertFalse(OneDnn.takesProducts(128, 784L * 400));
        try {
            OneDnn.takeAllProducts(true);
            assertTrue(OneDnn.takesProducts(128, 784L * 400));
            assertTrue(OneDnn.takesProducts(65, 784L * 400));
            assertFalse(OneDnn.takesProducts(64, 784L * 400), "small steps keep oneDNN on one thread");
            Map<String, INDArray> got = gradientSchedule(sd, params, OpSchedule.Mode.TRAINING).run(ph);
            assertFalse(agree(sd, params, expected.getGradients(), got, false, " at batch 128"),
                    "oneDNN's products round differently from OpenBLAS's");
        } finally {
            OneDnn.takeAllProducts(false);
        }
        assertFalse(OneDnn.takesProducts(128, 784L * 400));
    }

    /**
     * A schedule with convolutions, which multiplies on one BLAS thread while it runs, gives the caller's setting back
     * afterwards, also when it fails.
     */
    @Test
    void aConvolutionalScheduleGivesBackTheProductsThreads() {
        VaeConfig c = ModelFamily.config("vae", Map.of("arch", "conv", "latent", 2)).forData(1, 8, 8, 10).withSeed(3);
        SameDiff sd = SameDiffVae.graph(c, DataType.FLOAT);
        List<String> params = new ArrayList<>();
        sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
                .forEach(v -> params.add(v.name()));
        OpSchedule schedule = gradientSchedule(sd, params);
        Blas blas = Nd4j.factory().blas();
        int before = blas.getMaxThreads();
        try {
            blas.setMaxThreads(2);
            Map<String, INDArray> ph = Map.of(
                    "x", Nd4j.rand(DataType.FLOAT, 5, 64),
                    "eps", Nd4j.randn(DataType.FLOAT, 5, 2),
                    "kl_weight", Nd4j.scalar(DataType.FLOAT, 1.0));
            assertTrue(Double.isFinite(schedule.run(ph).get("loss").getDouble(0)));
            assertEquals(2, blas.getMaxThreads());
            assertThrows(IllegalArgumentException.class, () -> schedule.run(Map.of("x", ph.get("x"))));
            assertEquals(2, blas.getMaxThreads());
        } finally {
            blas.setMaxThreads(before);
        }
    }

    /** One input's gradient of a product is ND4J's multiply_bp's to the last bit; broadcast products are left to it. */
    @Test
    void oneGradientOfAProductIsNd4jsOwnAndBroadcastsAreLeftToNd4j() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 5, 4);
        INDArray y = Nd4j.randn(DataType.FLOAT, 6, 5, 4);
        INDArray g = Nd4j.randn(DataType.FLOAT, 6, 5, 4);
        INDArray[] want = Nd4j.exec(customOp("multiply_bp", x, y, g));
        for (int which = 0; which < 2; which++) {
            OpContext ctx = Nd4j.getExecutioner().buildContext();
            INDArray[] out = {Nd4j.zeros(DataType.FLOAT, 6, 5, 4), Nd4j.zeros(DataType.FLOAT, 6, 5, 4)};
            ctx.setInputArrays(x, y, g);
            ctx.setOutputArrays(out);
            assertTrue(OpSchedule.oneInputGradient(ctx, which));
            assertArrayEquals(want[which].data().asFloat(), out[which].data().asFloat(), 0f, "gradient " + which);
            assertEquals(0.0, out[1 - which].norm1Number().doubleValue(), "the other gradient is not computed");
        }
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        INDArray row = Nd4j.randn(DataType.FLOAT, 1, 4);
        INDArray m = Nd4j.randn(DataType.FLOAT, 3, 4);
        INDArray[] out = {Nd4j.zeros(DataType.FLOAT, 3, 4), Nd4j.zeros(DataType.FLOAT, 1, 4)};
        ctx.setInputArrays(m, row, Nd4j.randn(DataType.FLOAT, 3, 4));
        ctx.setOutputArrays(out);
        assertFalse(OpSchedule.oneInputGradient(ctx, 1));
        assertEquals(0.0, out[1].norm1Number().doubleValue());
    }

    private static CustomOp customOp(String name, INDArray... in) {
        return DynamicCustomOp.builder(name).addInputs(in).build();
    }
}
