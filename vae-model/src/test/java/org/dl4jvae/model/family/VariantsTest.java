package org.dl4jvae.model.family;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.Encoding;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeMath;
import org.dl4jvae.model.samediff.SameDiffVae;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each variant's objective, checked against its definition computed outside the training graph from the model's own
 * evaluation pieces (encoder, decoder likelihood) and the same noise.
 */
class VariantsTest {

    static ImageSet images;

    @BeforeAll
    static void data() throws Exception {
        images = TestData.digits(300);
    }

    static VaeConfig small(String model) {
        return ModelFamily.config(model).withSizes(784, 32, 4).withSeed(3);
    }

    static DataSet batch(int n) {
        return MinibatchIterator.builder(images).batchSize(n).shuffle(false).build().next();
    }

    /** Per-image -log p(x|z) summed over the batch, through the model's evaluation graph. */
    static double nll(VaeEngine vae, INDArray x, INDArray z, INDArray y) {
        return -vae.logLikelihood(x, z, y).sumNumber().doubleValue();
    }

    static void assertRelative(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.abs(expected), what);
    }

    @Test
    void iwaeWithOneSampleIsTheVaeToTheLastBit() {
        VaeEngine vae = SameDiffVae.create(small("vae"));
        VaeEngine iwae = SameDiffVae.create(small("iwae").with("iw_k", 1));
        assertEquals(vae.weights().keySet(), iwae.weights().keySet());
        MinibatchIterator it = MinibatchIterator.builder(images).batchSize(50).seed(2).build();
        for (int epoch = 0; epoch < 2; epoch++) {
            it.setEpoch(epoch);
            double expected = vae.fit(it, epoch);
            it.setEpoch(epoch); // the same images in the same order
            assertEquals(expected, iwae.fit(it, epoch), 0.0, "epoch " + epoch + " loss");
        }
        Map<String, INDArray> a = vae.weights();
        Map<String, INDArray> b = iwae.weights();
        for (String k : a.keySet()) {
            assertEquals(a.get(k), b.get(k), k);
        }
    }

    @Test
    void seedZeroIsASeedLikeAnyOther() {
        double[] losses = new double[2];
        for (int r = 0; r < 2; r++) {
            VaeEngine vae = SameDiffVae.create(small("vae"));
            MinibatchIterator it = MinibatchIterator.builder(images).batchSize(50).seed(2).build();
            losses[r] = vae.fit(it, 0);
        }
        assertEquals(losses[0], losses[1], 0.0, "ND4J draws unseeded numbers for seed 0 unless it is replaced");
    }

    @Test
    void iwaeLossIsTheVaeLossOverKSamplesPlusTheImportanceWeightingGap() {
        int k = 4;
        VaeEngine iwae = SameDiffVae.create(small("iwae").with("iw_k", k));
        INDArray x = batch(20).getFeatures();
        Nd4j.getRandom().setSeed(17);
        INDArray[] eps = new INDArray[k];
        for (int s = 0; s < k; s++) { // the noise a training step draws, in its order
            eps[s] = Nd4j.randn(DataType.FLOAT, 20, 4);
        }
        Encoding q = iwae.encode(x);
        double recon = 0;
        INDArray logw = Nd4j.create(DataType.DOUBLE, 20, k);
        for (int s = 0; s < k; s++) {
            INDArray z = VaeMath.reparameterize(q.mu(), q.logvar(), eps[s]);
            INDArray ll = iwae.logLikelihood(x, z);
            recon -= ll.sumNumber().doubleValue();
            logw.putColumn(s, ll.add(VaeMath.logStandardNormal(z)).sub(VaeMath.logNormal(z, q.mu(), q.logvar())));
        }
        double kld = VaeMath.kld(q.mu(), q.logvar()).sumNumber().doubleValue();
        double iwBound = -VaeMath.logMeanExp(logw).sumNumber().doubleValue();
        double mcBound = -logw.mean(1).sumNumber().doubleValue();
        assertTrue(iwBound < mcBound, "Jensen: the importance-weighted bound is tighter");
        double expected = recon / k + kld + (iwBound - mcBound);

        Nd4j.getRandom().setSeed(17);
        double loss = iwae.trainStep(x);
        assertRelative(expected, loss, 2e-5, "IWAE loss");
    }

    @Test
    void betaVaeWeightsTheKlTerm() {
        VaeConfig c = small("beta-vae").with("beta", 3.5);
        VaeEngine beta = SameDiffVae.create(c);
        DataSet b = batch(25);
        Nd4j.getRandom().setSeed(5);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 25, 4);
        Encoding q = beta.encode(b.getFeatures());
        double expected = nll(beta, b.getFeatures(), VaeMath.reparameterize(q.mu(), q.logvar(), eps), null)
                + 3.5 * VaeMath.kld(q.mu(), q.logvar()).sumNumber().doubleValue();
        Nd4j.getRandom().setSeed(5);
        assertRelative(expected, beta.trainStep(b.getFeatures()), 2e-5, "beta-VAE loss");
        assertThrows(IllegalArgumentException.class, () -> c.with("beta", -1));
    }

    @Test
    void cvaeReadsTheLabelInEncoderAndDecoder() {
        VaeConfig c = small("cvae").forData(784, 10);
        VaeEngine cvae = SameDiffVae.create(c);
        assertEquals(10, cvae.classes());
        assertArrayEquals(new long[] {784 + 10, 32}, cvae.weights().get("fc1_W").shape());
        assertArrayEquals(new long[] {4 + 10, 32}, cvae.weights().get("fc3_W").shape());
        DataSet b = batch(30);
        INDArray x = b.getFeatures();
        INDArray y = b.getLabels();
        Nd4j.getRandom().setSeed(8);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 30, 4);
        Encoding q = cvae.encode(x, y);
        double expected = nll(cvae, x, VaeMath.reparameterize(q.mu(), q.logvar(), eps), y)
                + VaeMath.kld(q.mu(), q.logvar()).sumNumber().doubleValue();
        Nd4j.getRandom().setSeed(8);
        assertRelative(expected, cvae.trainStep(x, y), 2e-5, "CVAE loss");

        INDArray z = Nd4j.randn(DataType.FLOAT, 2, 4);
        INDArray three = Nd4j.zeros(DataType.FLOAT, 2, 10).putiColumnVector(Nd4j.zeros(DataType.FLOAT, 2, 1));
        three.getColumn(3).assign(1);
        INDArray seven = Nd4j.zeros(DataType.FLOAT, 2, 10);
        seven.getColumn(7).assign(1);
        assertNotEquals(cvae.decode(z, three), cvae.decode(z, seven), "the label changes the image");
        assertEquals(cvae.sample(2, 4, three), cvae.sample(2, 4, three), "seeded");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cvae.trainStep(x));
        assertTrue(e.getMessage().contains("labels"), e.getMessage());
    }

    @Test
    void autoencoderIsDeterministicWithTheReconstructionLossOnly() {
        VaeEngine ae = SameDiffVae.create(small("ae"));
        assertFalse(ae.probabilistic());
        assertFalse(ae.weights().containsKey("fc22_W"), "no log-variance head");
        DataSet b = batch(40);
        INDArray x = b.getFeatures();
        Encoding code = ae.encode(x);
        assertNull(code.logvar());
        double expected = nll(ae, x, code.mu(), null);
        assertRelative(expected, ae.trainStep(x), 2e-5, "AE loss");
        MinibatchIterator all = MinibatchIterator.builder(images).batchSize(100).shuffle(false).build();
        var first = ae.negativeElbo(all, 1);
        assertEquals(0.0, first.kl());
        assertEquals(first.loss(), ae.negativeElbo(all, 2).loss(), 0.0, "no noise in evaluation");
        assertThrows(UnsupportedOperationException.class, () -> ae.sample(4, 1));
        assertThrows(UnsupportedOperationException.class, () -> ae.importanceWeightedNll(all, 5, 1));
    }

    @Test
    void denoisingAutoencoderRestoresTheCleanImageFromAMaskedOne() {
        double p = 0.4;
        VaeEngine dae = SameDiffVae.create(small("dae").with("corruption", p));
        INDArray x = batch(40).getFeatures();
        Nd4j.getRandom().setSeed(21); // the mask the step will draw:
        INDArray mask = Nd4j.rand(DataType.FLOAT, 40, 784).gt(p).castTo(DataType.FLOAT); // the step's draw
        double kept = mask.meanNumber().doubleValue();
        assertEquals(1 - p, kept, 0.02);
        double expected = nll(dae, x, dae.encode(x.mul(mask)).mu(), null); // clean target
        Nd4j.getRandom().setSeed(21);
        assertRelative(expected, dae.trainStep(x), 2e-5, "DAE loss");

        // without corruption it is the plain autoencoder, step for step
        VaeEngine clean = SameDiffVae.create(small("dae").with("corruption", 0));
        VaeEngine ae = SameDiffVae.create(small("ae"));
        for (int i = 0; i < 3; i++) {
            assertEquals(ae.trainStep(x), clean.trainStep(x), 0.0);
        }
    }

    @Test
    void everyVariantTrainsSavesAndLoadsWithItsSettings(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        for (String name : ModelFamily.names()) {
            VaeConfig c = small(name).forData(784, 10);
            VaeEngine m = SameDiffVae.create(c);
            MinibatchIterator it = MinibatchIterator.builder(images).batchSize(100).seed(1).build();
            double first = m.fit(it, 1);
            it.setEpoch(1);
            double second = m.fit(it, 2);
            assertTrue(second < first, name + " learns: " + first + " then " + second);
            java.nio.file.Path file = dir.resolve(name + ".zip");
            m.save(file, Map.of("epoch", "2"));
            var loaded = org.dl4jvae.model.VaeEngines.load(file);
            assertEquals(c, loaded.engine().config(), name);
            assertEquals(c.getClass(), loaded.engine().config().getClass());
            DataSet b = batch(10);
            assertEquals(m.reconstruct(b.getFeatures(), b.getLabels()),
                    loaded.engine().reconstruct(b.getFeatures(), b.getLabels()), name);
        }
        assertEquals(List.of("vae", "beta-vae", "iwae", "cvae", "ae", "dae"), ModelFamily.names().subList(0, 6));
    }
}
