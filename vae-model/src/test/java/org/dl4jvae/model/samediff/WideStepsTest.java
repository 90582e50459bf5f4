package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Training steps with every op on one thread per core ({@link NativeThreads#wide}): when, their numbers, the settings. */
class WideStepsTest {

    static DataSet batch;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @BeforeAll
    static void data() throws Exception {
        batch = MinibatchIterator.builder(TestData.digits(256)).batchSize(256).shuffle(false).build().next();
    }

    @AfterEach
    void narrowAgain() {
        NativeThreads.allowWideSteps(false);
        NativeThreads.configure(1, CORES);
    }

    @Test
    void wideRunsItsBodyOnOneThreadPerCoreAndPutsTheSettingsBackAlsoWhenItFails() {
        NativeThreads.configure(1, CORES);
        Environment env = Nd4j.getEnvironment();
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int[] inside = NativeThreads.wide(() -> new int[] {env.maxMasterThreads(), ops.ompGetMaxThreads()});
        assertArrayEquals(new int[] {Math.min(CORES, env.maxThreads()), CORES}, inside);
        assertEquals(1, env.maxMasterThreads());
        assertEquals(1, ops.ompGetMaxThreads());
        assertThrows(IllegalStateException.class, () -> NativeThreads.wide(() -> {
            throw new IllegalStateException("fails");
        }));
        assertEquals(1, env.maxMasterThreads());
        assertEquals(1, ops.ompGetMaxThreads());
    }

    /** A 256-row step (products in oneDNN): wide where allowed, its numbers those of the narrow step to rounding. */
    @Test
    void aLargeStepIsWideOnlyWhereAllowedAndGivesTheNarrowStepsNumbersToRounding() {
        NativeThreads.configure(1, CORES);
        SameDiffVae vae = SameDiffVae.create(ModelFamily.config("vae").withSizes(784, 64, 8).withSeed(2));
        long before = OpSchedule.wideRuns();
        VaeEngine.Gradient narrow = step(vae, batch.getFeatures());
        assertEquals(before, OpSchedule.wideRuns(), "not wide unless allowed");
        NativeThreads.allowWideSteps(true);
        VaeEngine.Gradient wide = step(vae, batch.getFeatures());
        VaeEngine.Gradient again = step(vae, batch.getFeatures());
        assertEquals(before + 2, OpSchedule.wideRuns(), "both steps wide");
        assertEquals(1, Nd4j.getEnvironment().maxMasterThreads(), "threads per op back after the step");
        assertEquals(1, NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads());
        assertEquals(narrow.loss(), wide.loss(), 1e-5 * Math.abs(narrow.loss()));
        assertEquals(wide.loss(), again.loss(), 0.0);
        narrow.arrays().forEach((name, g) -> {
            double scale = g.norm2Number().doubleValue();
            assertTrue(scale > 0, name + " has a gradient");
            double diff = g.sub(wide.arrays().get(name)).norm2Number().doubleValue();
            assertTrue(diff <= 1e-5 * scale, name + ": " + diff + " of " + scale);
            assertEquals(wide.arrays().get(name), again.arrays().get(name), name);
        });
    }

    /** The reference model's 128-row steps multiply in OpenBLAS: never wide, the same numbers to the last bit. */
    @Test
    void aReferenceStepIsNeverWideAndKeepsItsNumbers() {
        NativeThreads.configure(1, CORES);
        SameDiffVae vae = SameDiffVae.create(ModelFamily.config("vae").withSeed(3));
        INDArray x = batch.getFeatures().get(NDArrayIndex.interval(0, 128), NDArrayIndex.all());
        VaeEngine.Gradient narrow = step(vae, x);
        NativeThreads.allowWideSteps(true);
        long before = OpSchedule.wideRuns();
        VaeEngine.Gradient allowed = step(vae, x);
        assertEquals(before, OpSchedule.wideRuns());
        assertEquals(narrow.loss(), allowed.loss(), 0.0);
        narrow.arrays().forEach((name, g) -> assertArrayEquals(g.data().asFloat(),
                allowed.arrays().get(name).data().asFloat(), 0f, name));
    }

    /** One step's loss and gradients from seeded noise, copied (the engine's arrays are reused). */
    private static VaeEngine.Gradient step(SameDiffVae vae, INDArray x) {
        Nd4j.getRandom().setSeed(5);
        VaeEngine.Gradient g = vae.gradient(x, null, 1);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        g.arrays().forEach((name, a) -> arrays.put(name, a.dup()));
        return new VaeEngine.Gradient(g.loss(), arrays);
    }
}
