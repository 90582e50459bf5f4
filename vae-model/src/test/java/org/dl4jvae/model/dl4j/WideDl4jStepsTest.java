package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.OneDnn;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** The layer's large element-wise ops on one thread per core in large steps: only where allowed, the same numbers. */
class WideDl4jStepsTest {

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @AfterEach
    void narrowAgain() {
        NativeThreads.allowWideSteps(false);
        NativeThreads.configure(1, CORES);
    }

    /** One step's loss and gradient from seeded noise, copied. */
    private static VaeEngine.Gradient step(Dl4jLayerVae vae, INDArray x) {
        Nd4j.getRandom().setSeed(7); // the layer draws its noise from ND4J's generator
        VaeEngine.Gradient g = vae.gradient(x, null);
        return new VaeEngine.Gradient(g.loss(), java.util.Map.of("all", g.arrays().values().iterator().next().dup()));
    }

    @Test
    void aLargeStepRunsItsLargeElementWiseOpsWideOnlyWhereAllowedWithTheSameNumbersToTheBit() {
        NativeThreads.configure(1, CORES);
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(784, 100, 5));
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, (int) OneDnn.LARGE_BATCH, 784);
        long before = OneDnnProducts.wide();
        VaeEngine.Gradient narrow = step(vae, x);
        assertEquals(before, OneDnnProducts.wide(), "not wide unless allowed");
        NativeThreads.allowWideSteps(true);
        VaeEngine.Gradient wide = step(vae, x);
        // the image-sized ones ([256, 784] = 200,704 values: the logits' bias, sigmoid, the BCE's pieces) at least
        assertTrue(OneDnnProducts.wide() - before >= 5, "wide ops: " + (OneDnnProducts.wide() - before));
        assertEquals(1, Nd4j.getEnvironment().maxMasterThreads(), "threads per op back after the step");
        assertEquals(1, NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads());
        // element-wise ops give the same numbers on any number of threads, and reductions keep theirs
        assertEquals(narrow.loss(), wide.loss(), 0.0);
        assertArrayEquals(narrow.arrays().get("all").data().asFloat(), wide.arrays().get("all").data().asFloat());

        // a small step's products run on this thread alone (OneDnn.smallStep): none of its ops is wide
        long small = OneDnnProducts.wide();
        step(vae, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, (int) OneDnn.SMALL_BATCH),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup());
        assertEquals(small, OneDnnProducts.wide(), "small step");
    }
}
