package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ElboEstimate;
import org.dl4jvae.model.Encoding;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.io.ModelFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Training, inference, persistence and likelihood estimates of the SameDiff engine on real-looking digits. */
class SameDiffVaeTest {

    static final VaeConfig CONFIG = VaeConfig.defaults().withSizes(784, 64, 8).withSeed(4);
    static ImageSet train;
    static ImageSet test;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() throws Exception {
        ImageSet all = TestData.digits(1500);
        ImageSet.Split s = all.split(500, 1);
        train = s.train();
        test = s.validation();
    }

    static MinibatchIterator iterator(ImageSet data, int epoch) {
        MinibatchIterator it = MinibatchIterator.builder(data).batchSize(128).seed(7).build();
        it.setEpoch(epoch);
        return it;
    }

    static MinibatchIterator evalIterator(ImageSet data) {
        return MinibatchIterator.builder(data).batchSize(250).shuffle(false).build();
    }

    static List<Double> train(VaeEngine vae, int fromEpoch, int toEpoch) {
        List<Double> losses = new ArrayList<>();
        for (int e = fromEpoch; e < toEpoch; e++) {
            losses.add(vae.fit(iterator(train, e), 100 + e));
        }
        return losses;
    }

    @Test
    void sameSeedSameDataSameEpsGiveTheSameLossSequence() {
        List<Double> a = train(SameDiffVae.create(CONFIG), 0, 3);
        List<Double> b = train(SameDiffVae.create(CONFIG), 0, 3);
        assertEquals(a, b);
        assertTrue(a.get(2) < a.get(0), "training lowers the loss: " + a);
        List<Double> c = train(SameDiffVae.create(CONFIG.withSeed(5)), 0, 3);
        assertNotEquals(a, c);
    }

    @Test
    void savedModelGivesTheSameOutputsAndContinuesTrainingWhereItStopped() throws Exception {
        SameDiffVae straight = SameDiffVae.create(CONFIG);
        List<Double> all = train(straight, 0, 3);

        SameDiffVae first = SameDiffVae.create(CONFIG);
        train(first, 0, 2);
        Path file = dir.resolve("model.zip");
        first.save(file, Map.of("epoch", "2"));
        ModelFile.Contents contents = ModelFile.read(file);
        assertEquals(Map.of("epoch", "2"), contents.metadata());
        SameDiffVae loaded = SameDiffVae.load(contents);
        INDArray x = evalIterator(test).next().getFeatures();
        assertEquals(first.encode(x).mu(), loaded.encode(x).mu());
        assertEquals(first.reconstruct(x), loaded.reconstruct(x));
        assertEquals(CONFIG, loaded.config());

        List<Double> resumed = train(loaded, 2, 3);
        assertEquals(all.get(2), resumed.get(0), "Adam state and weights restored exactly");
        assertEquals(straight.weights(), loaded.weights());
    }

    @Test
    void aModelOfTheOtherEngineIsRefused() throws Exception {
        Path file = dir.resolve("m.zip");
        ModelFile.write(file, "dl4j", CONFIG, Map.of(), out -> out.write(1));
        Exception e = assertThrows(java.io.IOException.class, () -> SameDiffVae.load(ModelFile.read(file)));
        assertTrue(e.getMessage().contains("dl4j"), e.getMessage());
    }

    @Test
    void importanceWeightedBoundIsBelowTheElboAndDoesNotRiseWithK() {
        SameDiffVae vae = SameDiffVae.create(CONFIG);
        train(vae, 0, 4);
        ElboEstimate elbo = vae.negativeElbo(evalIterator(test), 1);
        assertEquals(elbo.loss(), elbo.reconstruction() + elbo.kl(), 1e-9);
        assertEquals(500, elbo.images());
        double k1 = vae.importanceWeightedNll(evalIterator(test), 1, 2);
        double k10 = vae.importanceWeightedNll(evalIterator(test), 10, 2);
        double k100 = vae.importanceWeightedNll(evalIterator(test), 100, 2);
        assertEquals(elbo.loss(), k1, 0.02 * elbo.loss(), "k = 1 is the ELBO's own estimator");
        assertTrue(k10 < elbo.loss(), k10 + " vs " + elbo.loss());
        assertTrue(k100 <= k10 + 0.05, k100 + " vs " + k10);
    }

    @Test
    void decoderMatchesTheGraphAndOutputsHaveTheRightShapes() {
        SameDiffVae vae = SameDiffVae.create(CONFIG);
        train(vae, 0, 1);
        INDArray x = evalIterator(test).next().getFeatures();
        Map<String, INDArray> out = vae.graph().output(Map.of("x", x, "eps", Nd4j.randn(DataType.FLOAT, 250, 8)),
                "z", "logits", "mu");
        INDArray decoded = vae.decode(out.get("z"));
        assertTrue(decoded.equalsWithEps(org.nd4j.linalg.ops.transforms.Transforms.sigmoid(out.get("logits")), 1e-5));
        Encoding q = vae.encode(x);
        assertArrayEquals(new long[] {250, 8}, q.mu().shape());
        assertArrayEquals(new long[] {250, 8}, q.logvar().shape());
        INDArray samples = vae.sample(64, 3);
        assertArrayEquals(new long[] {64, 784}, samples.shape());
        assertTrue(samples.minNumber().doubleValue() >= 0 && samples.maxNumber().doubleValue() <= 1);
        assertEquals(samples, vae.sample(64, 3), "sampling is seeded");
    }

    @Test
    void weightsRoundTripUnderReferenceNamesAndPytorchInitBounds() {
        SameDiffVae a = SameDiffVae.create(CONFIG);
        Map<String, INDArray> w = a.weights();
        assertEquals(List.of("fc1_W", "fc1_b", "fc21_W", "fc21_b", "fc22_W", "fc22_b", "fc3_W", "fc3_b", "fc4_W", "fc4_b"),
                new ArrayList<>(w.keySet()));
        assertArrayEquals(new long[] {784, 64}, w.get("fc1_W").shape());
        double bound = 1 / Math.sqrt(784);
        assertTrue(w.get("fc1_W").amaxNumber().doubleValue() <= bound);
        assertTrue(w.get("fc1_W").amaxNumber().doubleValue() > 0.95 * bound, "uniform over the whole range");
        assertTrue(w.get("fc1_b").amaxNumber().doubleValue() > 0, "PyTorch also initialises biases");

        SameDiffVae b = SameDiffVae.create(CONFIG.withSeed(99));
        assertNotEquals(w.get("fc1_W"), b.weights().get("fc1_W"));
        b.setWeights(w);
        INDArray x = evalIterator(test).next().getFeatures();
        assertEquals(a.reconstruct(x), b.reconstruct(x));
        assertThrows(IllegalArgumentException.class, () -> b.setWeights(Map.of("fc1_W", Nd4j.zeros(DataType.FLOAT, 3, 3))));
    }
}
