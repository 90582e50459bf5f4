package org.dl4jvae.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.dl4j.Dl4jLayerVae;
import org.dl4jvae.model.samediff.SameDiffVae;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two engines are independent implementations of one model: loaded with the same weights they must compute the
 * same encoder, decoder, KL term and reconstruction likelihood, on real MNIST digits when available.
 */
class EngineParityTest {

    static final VaeConfig CONFIG = VaeConfig.defaults().withSizes(784, 64, 8).withSeed(21);
    static ImageSet images;
    static ImageSet testSet;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() throws Exception {
        images = TestData.digits(600);
        testSet = TestData.digits(10_000); // the whole MNIST test set when ../shared has it
    }

    static MinibatchIterator eval(ImageSet data) {
        return MinibatchIterator.builder(data).batchSize(200).shuffle(false).build();
    }

    static void assertClose(INDArray expected, INDArray actual, double rel, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(e.shape());
        double scale = Math.max(e.amaxNumber().doubleValue(), 1e-3);
        double err = e.sub(a).amaxNumber().doubleValue();
        assertTrue(err <= rel * scale, what + ": max abs difference " + err + " exceeds " + rel + " x " + scale);
    }

    @Test
    void sameSeedGivesTheSameInitialWeights() {
        Map<String, INDArray> a = SameDiffVae.create(CONFIG).weights();
        Map<String, INDArray> b = Dl4jLayerVae.create(CONFIG).weights();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(a.get(k), b.get(k).reshape(a.get(k).shape()), k);
        }
    }

    @Test
    void sameWeightsSameEncoderDecoderKlAndLikelihood() {
        SameDiffVae sd = SameDiffVae.create(CONFIG);
        sd.fit(MinibatchIterator.builder(images).seed(3).build(), 1); // trained weights, not just the init
        Dl4jLayerVae dl = Dl4jLayerVae.create(CONFIG.withSeed(77));
        dl.setWeights(sd.weights());

        INDArray x = eval(images).next().getFeatures();
        Encoding qs = sd.encode(x);
        Encoding qd = dl.encode(x);
        assertClose(qs.mu(), qd.mu(), 1e-5, "mu");
        assertClose(qs.logvar(), qd.logvar(), 1e-5, "logvar");
        assertClose(sd.decode(qs.mu()), dl.decode(qs.mu()), 1e-5, "decoder output at z = mu");
        assertClose(VaeMath.kld(qs.mu(), qs.logvar()), VaeMath.kld(qd.mu(), qd.logvar()), 1e-5, "KL term");

        Nd4j.getRandom().setSeed(5);
        INDArray z = VaeMath.reparameterize(qs.mu(), qs.logvar(), Nd4j.randn(DataType.FLOAT, x.rows(), 8));
        // our stable BCE-from-logits against DL4J's BernoulliReconstructionDistribution
        assertClose(sd.logLikelihood(x, z), dl.logLikelihood(x, z), 1e-5, "log p(x|z) at fixed z");
    }

    @Test
    void weightsTrainedByOneEngineGiveTheSameElboInTheOther() throws Exception {
        Dl4jLayerVae dl = Dl4jLayerVae.create(CONFIG);
        for (int e = 0; e < 2; e++) {
            MinibatchIterator it = MinibatchIterator.builder(images).seed(3).build();
            it.setEpoch(e);
            dl.fit(it, 10 + e);
        }
        SameDiffVae sd = SameDiffVae.create(CONFIG.withSeed(99));
        sd.setWeights(dl.weights());
        // the same eps seed gives the same noise to both: the estimates agree beyond Monte-Carlo noise
        ElboEstimate a = dl.negativeElbo(eval(testSet), 4);
        ElboEstimate b = sd.negativeElbo(eval(testSet), 4);
        assertEquals(a.loss(), b.loss(), 1e-4 * a.loss());
        assertEquals(a.kl(), b.kl(), 1e-4 * a.kl());

        Dl4jLayerVae back = Dl4jLayerVae.create(CONFIG.withSeed(5));
        back.setWeights(sd.weights());
        assertEquals(a.loss(), back.negativeElbo(eval(testSet), 4).loss(), 1e-4 * a.loss());
    }

    @Test
    void dl4jEngineTrainsDeterministicallyAndResumesFromItsModelFile() throws Exception {
        List<Double> straight = new java.util.ArrayList<>();
        Dl4jLayerVae a = Dl4jLayerVae.create(CONFIG);
        for (int e = 0; e < 3; e++) {
            MinibatchIterator it = MinibatchIterator.builder(images).seed(3).build();
            it.setEpoch(e);
            straight.add(a.fit(it, 10 + e));
        }
        assertTrue(straight.get(2) < straight.get(0), straight.toString());

        Dl4jLayerVae b = Dl4jLayerVae.create(CONFIG);
        for (int e = 0; e < 2; e++) {
            MinibatchIterator it = MinibatchIterator.builder(images).seed(3).build();
            it.setEpoch(e);
            assertEquals(straight.get(e), b.fit(it, 10 + e));
        }
        Path file = dir.resolve("dl4j.zip");
        b.save(file, Map.of("epoch", "2"));
        VaeEngines.Loaded loaded = VaeEngines.load(file);
        assertEquals("dl4j", loaded.engine().kind());
        assertEquals("2", loaded.metadata().get("epoch"));
        MinibatchIterator it = MinibatchIterator.builder(images).seed(3).build();
        it.setEpoch(2);
        assertEquals(straight.get(2), loaded.engine().fit(it, 12), 1e-9 * straight.get(2));
    }

    @Test
    void variantsOtherThanTheReferenceAreRefusedByTheDl4jEngine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dl4jLayerVae.create(ModelFamily.config("beta-vae").withSizes(784, 64, 8)));
        assertTrue(e.getMessage().contains("beta-vae") && e.getMessage().contains("samediff"), e.getMessage());
    }
}
