package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** A large batch's step in parts on several threads: how many, which rows, the settings, and its numbers against one schedule. */
class StepPartsTest {

    static DataSet batch;

    @BeforeAll
    static void data() throws Exception {
        batch = MinibatchIterator.builder(TestData.digits(512)).batchSize(512).shuffle(false).build().next();
    }

    /**
     * Every kind of placeholder a model has is split by rows: the image, normal noise (VAE, and one array per sample
     * for the IWAE), the DAE's uniform mask, the CVAE's labels. The loss and every gradient are the whole batch's up to
     * the rounding of the parts' sums, and the parts give the same numbers every time.
     */
    @Test
    void partsGiveTheWholeBatchsLossAndGradientsToRoundingAndTheSameNumbersEachTime() {
        for (VaeConfig c : new VaeConfig[] {ModelFamily.config("vae"), ModelFamily.config("cvae").forData(784, 10),
                ModelFamily.config("dae"), ModelFamily.config("iwae").with("iw_k", 3)}) {
            SameDiffVae vae = SameDiffVae.create(c.withSizes(784, 64, 8).withSeed(2));
            String model = c.model();
            INDArray labels = vae.classes() > 0 ? batch.getLabels() : null;
            VaeEngine.Gradient whole = copy(step(vae, labels, 1));
            VaeEngine.Gradient parts = copy(step(vae, labels, 2));
            VaeEngine.Gradient again = copy(step(vae, labels, 2));
            assertEquals(whole.loss(), parts.loss(), 1e-5 * Math.abs(whole.loss()), model + " loss");
            assertEquals(parts.loss(), again.loss(), 0.0, model);
            assertEquals(whole.arrays().keySet(), parts.arrays().keySet());
            whole.arrays().forEach((name, g) -> {
                double scale = g.norm2Number().doubleValue();
                assertTrue(scale > 0, model + " " + name + " has a gradient");
                double diff = g.sub(parts.arrays().get(name)).norm2Number().doubleValue();
                assertTrue(diff <= 1e-5 * scale, model + " " + name + ": " + diff + " of " + scale);
                assertEquals(parts.arrays().get(name), again.arrays().get(name), model + " " + name);
            });
        }
    }

    @Test
    void trainingStepsOfLargeBatchesGoOnFromThePartsGradients() {
        SameDiffVae vae = SameDiffVae.create(ModelFamily.config("vae").withSizes(784, 64, 8).withSeed(2));
        double first = vae.trainStep(batch.getFeatures());
        double later = first;
        for (int i = 0; i < 20; i++) {
            later = vae.trainStep(batch.getFeatures());
        }
        assertTrue(later < 0.9 * first, first + " then " + later);
    }

    private static VaeEngine.Gradient step(SameDiffVae vae, INDArray labels, int parts) {
        Nd4j.getRandom().setSeed(9); // the same noise for each
        return vae.gradient(batch.getFeatures(), labels, parts);
    }

    /** The gradient's arrays belong to the engine and are overwritten by its next step. */
    private static VaeEngine.Gradient copy(VaeEngine.Gradient g) {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        g.arrays().forEach((k, v) -> arrays.put(k, v.dup()));
        return new VaeEngine.Gradient(g.loss(), arrays);
    }


    @Test
    void largeBatchesAreSplitIntoPartsOfAtLeast256RowsOnePerCore() {
        assertEquals(1, StepParts.count(128, 2), "the reference batch stays whole");
        assertEquals(1, StepParts.count(256, 2), "parts of 128 rows lost to the whole");
        assertEquals(1, StepParts.count(511, 2));
        assertEquals(2, StepParts.count(512, 2));
        assertEquals(2, StepParts.count(1024, 2));
        assertEquals(1, StepParts.count(1024, 1), "one core: whole");
        assertEquals(4, StepParts.count(1024, 16), "no part under 256 rows");
        assertEquals(3, StepParts.count(800, 3));
    }

    @Test
    void slicesAreConsecutiveRowsAndOtherArraysGoWhole() {
        INDArray x = Nd4j.arange(0, 7 * 3).castTo(DataType.FLOAT).reshape(7, 3);
        INDArray a = StepParts.slice(x, 7, 0, 2);
        INDArray b = StepParts.slice(x, 7, 1, 2);
        assertEquals(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), a);
        assertEquals(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 7),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), b);
        INDArray weight = Nd4j.scalar(DataType.FLOAT, 0.5f);
        assertSame(weight, StepParts.slice(weight, 7, 1, 2));
        INDArray other = Nd4j.zeros(DataType.FLOAT, 5, 3);
        assertSame(other, StepParts.slice(other, 7, 1, 2));
    }

    @Test
    void partsRunAtOnceInOrderAndTheSettingsComeBackAlsoWhenOneFails() {
        var env = Nd4j.getEnvironment();
        var blas = Nd4j.factory().blas();
        var ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        boolean helpers = env.helpersAllowed();
        int blasThreads = blas.getMaxThreads();
        int omp = ops.ompGetMaxThreads();
        List<String> names = StepParts.run(3, i -> i + ":" + env.helpersAllowed());
        assertEquals(List.of("0:true", "1:true", "2:true"), names, "oneDNN's helpers on in every part");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StepParts.run(2, i -> {
            if (i == 1) {
                throw new IllegalStateException("part " + i + " failed");
            }
            return i;
        }));
        assertEquals("part 1 failed", e.getMessage());
        assertEquals(helpers, env.helpersAllowed());
        assertEquals(blasThreads, blas.getMaxThreads());
        assertEquals(omp, ops.ompGetMaxThreads());
    }

    /**
     * ND4J's helper switch is one for the process: while another thread's steps hold it on (small steps and parts run
     * their products in oneDNN), a reference-sized step (128 rows, OpenBLAS) gives the same numbers to the last bit as
     * alone, as Spark's tasks run side by side in one JVM.
     */
    @Test
    void aReferenceStepKeepsItsNumbersWhileAnotherThreadRunsOneDnnSteps() throws Exception {
        SameDiffVae reference = SameDiffVae.create(ModelFamily.config("vae").withSeed(3));
        INDArray x = batch.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        Nd4j.getRandom().setSeed(5);
        VaeEngine.Gradient alone = copy(reference.gradient(x, null));
        SameDiffVae other = SameDiffVae.create(ModelFamily.config("vae").withSeed(4));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger otherSteps = new java.util.concurrent.atomic.AtomicInteger();
        Thread t = new Thread(() -> {
            org.dl4jvae.model.NativeThreads.configure(1, 2);
            while (!stop.get()) {
                other.gradient(batch.getFeatures(), null, otherSteps.get() % 2 == 0 ? 1 : 2); // 512 rows whole or in parts
                other.gradient(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 32),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()), null); // a small step
                otherSteps.incrementAndGet();
            }
        });
        t.start();
        try {
            for (int i = 0; i < 30; i++) {
                Nd4j.getRandom().setSeed(5);
                VaeEngine.Gradient again = reference.gradient(x, null);
                assertEquals(alone.loss(), again.loss(), 0.0, "step " + i);
                alone.arrays().forEach((name, g) -> assertArrayEquals(g.data().asFloat(),
                        again.arrays().get(name).dup().data().asFloat(), 0f, name));
            }
        } finally {
            stop.set(true);
            t.join();
        }
        assertTrue(otherSteps.get() > 0, "the other thread ran alongside");
        assertFalse(Nd4j.getEnvironment().helpersAllowed(), "the switch is off again when no section is open");
    }
}
