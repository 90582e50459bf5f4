package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import java.util.function.Supplier;
import org.dl4jvae.model.OneDnn;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's layer's products in oneDNN: every one of a large batch's step, the same numbers up to float rounding. */
class OneDnnProductsTest {

    /** ND4J's product, then the same product routed, each on fresh copies of the output; both must agree. */
    private static void agree(String what, Supplier<INDArray> product, boolean routed) {
        INDArray plain = product.get().dup();
        long before = OneDnnProducts.routed();
        INDArray turned = OneDnnProducts.during(null, OneDnnProducts.Route.EVERY_CORE, product).dup();
        assertEquals(routed ? 1 : 0, OneDnnProducts.routed() - before, what + ": routed products");
        assertArrayEquals(plain.shape(), turned.shape(), what);
        double scale = Math.max(1, plain.castTo(DataType.DOUBLE).amaxNumber().doubleValue());
        assertTrue(plain.castTo(DataType.DOUBLE).equalsWithEps(turned.castTo(DataType.DOUBLE), 1e-5 * scale),
                what + ": " + plain.castTo(DataType.DOUBLE).sub(turned.castTo(DataType.DOUBLE)).amaxNumber());
    }

    @Test
    void everyKindOfProductOfTheLayerAgreesWithNd4jsOwn() {
        Nd4j.getRandom().setSeed(11);
        // as in DL4J's layer: weights and gradients are column-major views into one flat array, at offsets
        INDArray flat = Nd4j.rand(DataType.FLOAT, 1, 3 + 50 * 40 + 40 * 7).reshape('f', 1, 3 + 50 * 40 + 40 * 7);
        INDArray w = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 3 + 50 * 40)).reshape('f', 50, 40);
        INDArray w2 = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(3 + 50 * 40, 3 + 50 * 40 + 40 * 7)).reshape('f', 40, 7);
        assertEquals('f', w.ordering());
        assertTrue(w.offset() > 0);
        INDArray x = Nd4j.randn(DataType.FLOAT, 300, 50);
        INDArray delta = Nd4j.randn(DataType.FLOAT, 300, 40);
        INDArray d7 = Nd4j.randn(DataType.FLOAT, 300, 7);
        INDArray grad = Nd4j.zeros(DataType.FLOAT, 1, 50 * 40 + 9).reshape('f', 1, 50 * 40 + 9);
        INDArray gw = grad.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(9, 9 + 50 * 40)).reshape('f', 50, 40);

        agree("forward x W", () -> x.mmul(w), true);
        agree("input gradient (W d^T)^T", () -> w.mmul(delta.transpose()).transpose(), true);
        agree("weight gradient into a view", () -> Nd4j.gemm(x, delta, gw, true, false, 1.0, 0.0), true);
        agree("scaled", () -> Nd4j.gemm(x, delta, gw, true, false, 0.5, 0.0), true);
        // into a fresh column-major array: held back, then computed when the step ends or before the next op, or
        // straight into the row-major array that mmul copies it into (above)
        agree("d W^T, nothing after", () -> Nd4j.gemm(d7, w2, false, true), true);
        agree("d W^T, read by the next op", () -> Nd4j.gemm(d7, w2, false, true).mul(2), true);
        agree("d W^T, any other call to the executioner first", () -> {
            INDArray c = Nd4j.gemm(d7, w2, false, true);
            Nd4j.getExecutioner().commit();
            return Nd4j.createFromArray(c.toFloatMatrix());
        }, true);
        agree("d W^T, into a row-major copy", () -> Nd4j.create(DataType.FLOAT, new long[] {300, 40}, 'c')
                .assign(Nd4j.gemm(d7, w2, false, true)), true);
        INDArray eps = Nd4j.gemm(d7, w2, false, true);
        INDArray start = eps.dup();
        agree("accumulated, beta 1", () -> Nd4j.gemm(d7, w2, eps.assign(start), false, true, 1.0, 1.0), true);

        // what stays with ND4J: row-major outputs and other precisions
        agree("row-major output", () -> Nd4j.gemm(x, w, Nd4j.create(DataType.FLOAT, new long[] {300, 40}, 'c'),
                false, false, 1.0, 0.0), false);
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray wd = w.castTo(DataType.DOUBLE);
        agree("double", () -> Nd4j.gemm(xd, wd, Nd4j.create(DataType.DOUBLE, new long[] {300, 40}, 'f'),
                false, false, 1.0, 0.0), false);
    }

    @Test
    void aLargeBatchStepRunsEveryProductInOneDnnWithTheSameGradient() {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(100, 40, 5));
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, (int) OneDnn.LARGE_BATCH + 44, 100);

        INDArray routedArray = everyProductRouted(vae, x);
        assertNotEquals(0, routedArray.norm2Number().doubleValue());

        // a batch of 96 or 128 rows of small layers keeps ND4J's products (the reference's batches)
        for (int rows : new int[] {96, 128}) {
            long before = OneDnnProducts.routed();
            vae.gradient(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), null);
            assertEquals(0, OneDnnProducts.routed() - before, rows + " rows");
        }
    }

    /** A small step ({@link OneDnn#smallStep}) runs every product in oneDNN on this thread, with the same gradient. */
    @Test
    void aSmallStepRunsEveryProductInOneDnnOnThisThreadWithTheSameGradient() {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(100, 40, 5));
        var ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
        int omp = ops.ompGetMaxThreads();
        everyProductRouted(vae, Nd4j.rand(DataType.FLOAT, (int) OneDnn.SMALL_BATCH, 100));
        assertEquals(omp, ops.ompGetMaxThreads(), "the thread's OpenMP team is left as it was");
    }

    /**
     * The engine's step on {@code x} against the layer's own with ND4J's products, from the same noise: every product
     * routed, the image's gradient skipped, the same loss and gradient to float rounding. Returns the routed gradient.
     */
    private static INDArray everyProductRouted(Dl4jLayerVae vae, INDArray x) {
        Nd4j.getRandom().setSeed(7); // the layer draws its noise from ND4J's generator
        VaeEngine.Gradient plain = vae.layerGradient(x, null, null);
        INDArray plainArray = plain.arrays().values().iterator().next().dup();
        Nd4j.getRandom().setSeed(7);
        long before = OneDnnProducts.routed();
        long skippedBefore = OneDnnProducts.skipped();
        VaeEngine.Gradient routed = vae.gradient(x, null);
        // the encoder, both heads, the decoder and p(x|z) forward; their weight gradients; the gradients of their
        // inputs, except the image's, which the layer drops
        assertEquals(14, OneDnnProducts.routed() - before);
        assertEquals(1, OneDnnProducts.skipped() - skippedBefore);
        INDArray routedArray = routed.arrays().values().iterator().next();
        assertEquals(plain.loss(), routed.loss(), 1e-5 * plain.loss());
        double scale = plainArray.amaxNumber().doubleValue();
        assertTrue(plainArray.equalsWithEps(routedArray, 1e-4 * scale),
                "largest difference " + plainArray.sub(routedArray).amaxNumber() + " of " + scale);
        return routedArray;
    }

    /** Below the large batches a step of wide layers moves all its products; the reference model's all stay ND4J's. */
    @Test
    void aSmallBatchOfWideLayersMovesAllItsProductsAndTheReferenceNone() {
        Dl4jLayerVae wide = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(784, 2048, 20));
        long before = OneDnnProducts.routed();
        wide.gradient(Nd4j.rand(DataType.FLOAT, 64, 784), null); // 64 x 784 x 2048: over OneDnn.LARGE_PRODUCT
        assertEquals(14, OneDnnProducts.routed() - before);

        // the reference, and with the Gaussian decoder, whose p(x|z) layer has twice fc4's columns (its variance half)
        for (VaeConfig.Decoder decoder : VaeConfig.Decoder.values()) {
            Dl4jLayerVae reference = Dl4jLayerVae.create(VaeConfig.defaults().withDecoder(decoder));
            assertEquals(400, reference.config().hidden());
            before = OneDnnProducts.routed();
            reference.gradient(Nd4j.rand(DataType.FLOAT, 128, 784), null);
            assertEquals(0, OneDnnProducts.routed() - before, decoder.name());
        }
    }

    /**
     * With every product taken ({@link OneDnn#takeAllProducts}, the app's {@code --products onednn}), the reference
     * model's batch of 128 rows moves all its products to oneDNN, with the same gradient to float rounding.
     */
    @Test
    void everyProductTakenMovesTheReferenceBatch() {
        Dl4jLayerVae reference = Dl4jLayerVae.create(VaeConfig.defaults());
        INDArray x = Nd4j.rand(DataType.FLOAT, 128, 784);
        try {
            OneDnn.takeAllProducts(true);
            everyProductRouted(reference, x);
        } finally {
            OneDnn.takeAllProducts(false);
        }
        long before = OneDnnProducts.routed();
        reference.gradient(x, null);
        assertEquals(0, OneDnnProducts.routed() - before, "switched off again");
    }

    /** The skipped product is the image's gradient: the layer's own network gradient is as with every product computed. */
    @Test
    void skippingTheImagesGradientLeavesTheNetworksGradientAsItWas() {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(100, 40, 5));
        INDArray x = Nd4j.rand(DataType.FLOAT, (int) OneDnn.LARGE_BATCH, 100);
        Nd4j.getRandom().setSeed(7);
        INDArray all = vae.layerGradient(x, OneDnnProducts.Route.EVERY_CORE, null).arrays().values().iterator().next()
                .dup();
        Nd4j.getRandom().setSeed(7);
        long skipped = OneDnnProducts.skipped();
        INDArray fewer = vae.gradient(x, null).arrays().values().iterator().next();
        assertEquals(1, OneDnnProducts.skipped() - skipped);
        assertArrayEquals(all.data().asFloat(), fewer.dup().data().asFloat());
    }

    /**
     * The reference's steps (128 rows, and each epoch's last of 96) keep ND4J's products but leave out the image's
     * gradient: the layer's loss and gradient are the same to the bit as with every product computed.
     */
    @Test
    void aReferenceStepLeavesOutOnlyTheImagesGradientWithTheSameNumbers() {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults());
        for (int rows : new int[] {96, 128}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, rows, 784);
            Nd4j.getRandom().setSeed(7);
            VaeEngine.Gradient all = vae.layerGradient(x, null, null);
            float[] allArray = all.arrays().values().iterator().next().dup().data().asFloat();
            Nd4j.getRandom().setSeed(7);
            long routed = OneDnnProducts.routed();
            long skipped = OneDnnProducts.skipped();
            VaeEngine.Gradient fewer = vae.gradient(x, null);
            assertEquals(0, OneDnnProducts.routed() - routed, rows + " rows: routed");
            assertEquals(1, OneDnnProducts.skipped() - skipped, rows + " rows: skipped");
            assertEquals(all.loss(), fewer.loss(), rows + " rows: loss");
            float[] fewerArray = fewer.arrays().values().iterator().next().dup().data().asFloat();
            assertArrayEquals(allArray, fewerArray, rows + " rows");
        }
    }
}
