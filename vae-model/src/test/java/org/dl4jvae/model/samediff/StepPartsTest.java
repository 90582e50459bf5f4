package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A large batch's step in parts on several threads against the same step in one schedule. */
class StepPartsTest {

    static DataSet batch;

    @BeforeAll
    static void data() throws Exception {
        batch = MinibatchIterator.builder(TestData.digits(512)).batchSize(512).shuffle(false).build().next();
    }

    @Test
    void largeBatchesAreSplitIntoPartsOfAtLeast256RowsOnePerCore() {
        assertEquals(1, StepParts.count(128, 2), "the reference batch stays whole");
        assertEquals(1, StepParts.count(511, 2));
        assertEquals(2, StepParts.count(512, 2));
        assertEquals(2, StepParts.count(1024, 2));
        assertEquals(1, StepParts.count(1024, 1), "one core: whole");
        assertEquals(4, StepParts.count(1024, 16), "no part under 256 rows");
        assertEquals(3, StepParts.count(800, 3));
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
            org.nd4j.linalg.api.ndarray.INDArray labels = vae.classes() > 0 ? batch.getLabels() : null;
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

    private static VaeEngine.Gradient step(SameDiffVae vae, org.nd4j.linalg.api.ndarray.INDArray labels, int parts) {
        Nd4j.getRandom().setSeed(9); // the same noise for each
        return vae.gradient(batch.getFeatures(), labels, parts);
    }

    /** The gradient's arrays belong to the engine and are overwritten by its next step. */
    private static VaeEngine.Gradient copy(VaeEngine.Gradient g) {
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> arrays = new LinkedHashMap<>();
        g.arrays().forEach((k, v) -> arrays.put(k, v.dup()));
        return new VaeEngine.Gradient(g.loss(), arrays);
    }
}
