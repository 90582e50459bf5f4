package org.dl4jvae.model.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.TorchGenerator;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.samediff.SameDiffVae;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run on PyTorch's generator ({@code rng pytorch}). Expected weights are PyTorch 1.13.1's, printed by
 * {@code torch.manual_seed(s)} and the PyTorch peer's model constructor ({@code ../shared/bench/torch_reference.py}).
 */
class PytorchRngTest {

    @TempDir
    Path dir;

    private static ImageSet train;
    private static ImageSet test;

    @BeforeAll
    static void data() throws Exception {
        TrainingControlsTest.data(); // the training controls' digits: 500 to train on, 200 to test
        train = TrainingControlsTest.train;
        test = TrainingControlsTest.test;
    }

    private static VaeConfig pytorch(VaeConfig c) {
        return c.withRng(VaeConfig.Rng.PYTORCH);
    }

    @Test
    void theReferenceModelStartsFromThePeersWeights() {
        // torch.manual_seed(1); VAE(784, 400, 20)
        Map<String, INDArray> w = SameDiffVae.create(pytorch(VaeConfig.defaults())).weights();
        INDArray fc1 = w.get("fc1_W"); // [784, 400]: fc1.weight transposed
        assertEquals(0.018402257934212685, fc1.getDouble(0, 0), 0);
        assertEquals(-0.015763510018587112, fc1.getDouble(1, 0), 0);
        assertEquals(-0.0069236247800290585, fc1.getDouble(2, 0), 0);
        assertEquals(-0.007635981310158968, fc1.getDouble(783, 399), 0);
        assertEquals(-0.023289352655410767, w.get("fc4_b").getDouble(782), 0);
        assertEquals(0.033996451646089554, w.get("fc4_b").getDouble(783), 0);
    }

    @Test
    void theConvolutionalModelStartsFromThePeersWeights() {
        // torch.manual_seed(3); ConvVAE(2): enc[0] is conv1, dec[3] deconv1, dec[7] deconv3
        VaeConfig conv = ModelFamily.config("vae", Map.of("arch", "conv", "latent", 2, "hidden", 16, "seed", 3,
                "rng", "pytorch")).forData(1, 28, 28, 0);
        Map<String, INDArray> w = SameDiffVae.create(conv).weights();
        INDArray conv1 = w.get("conv1_W"); // [kh, kw, in, out]; PyTorch's [out, in, kh, kw]
        assertEquals(-0.3221198320388794, conv1.getDouble(2, 0, 0, 31), 0);
        assertEquals(-0.028921883553266525, conv1.getDouble(2, 1, 0, 31), 0);
        assertEquals(0.254791259765625, conv1.getDouble(2, 2, 0, 31), 0);
        INDArray deconv1 = w.get("deconv1_W"); // [kh, kw, out, in]; PyTorch's [in, out, kh, kw]
        assertEquals(-0.039016272872686386, deconv1.getDouble(0, 0, 1, 63), 0);
        assertEquals(-0.02221870981156826, deconv1.getDouble(0, 1, 1, 63), 0);
        assertEquals(-0.0256575345993042, deconv1.getDouble(0, 2, 1, 63), 0);
        assertEquals(0.17912030220031738, w.get("deconv3_b").getDouble(0), 0);
    }

    @Test
    void eachEpochTakesTorchsPermutationFromTheStreamAfterTheWeights() throws Exception {
        // the stream as the peer draws it: weights, then randperm(n) at each epoch's start
        VaeConfig c = pytorch(TrainingControlsTest.small("vae"));
        SameDiffVae model = SameDiffVae.create(c);
        TorchGenerator mirror = streamAfterWeights(model);
        int[] expectedOrder = mirror.randperm(train.size());

        List<int[]> seen = new ArrayList<>();
        org.dl4jvae.data.MinibatchIterator batches = org.dl4jvae.data.MinibatchIterator.builder(train).batchSize(100)
                .permutations(n -> {
                    int[] p = ((TorchGenerator) model.trainingNoise()).randperm(n);
                    seen.add(p);
                    return p;
                }).build();
        batches.setEpoch(0);
        batches.setEpoch(0); // set twice, drawn once
        assertTrue(batches.hasNext());
        assertEquals(1, seen.size());
        assertArrayEquals(expectedOrder, seen.get(0));
        // the first batch holds the permutation's first images
        INDArray first = batches.next().getFeatures();
        INDArray image = org.dl4jvae.data.MinibatchIterator.builder(train.select(new int[] {expectedOrder[0]}))
                .shuffle(false).batchSize(1).build().next().getFeatures();
        assertEquals(image.getRow(0), first.getRow(0));
    }

    @Test
    void aResumedRunGoesOnWithTheSameStream() throws Exception {
        TrainingConfig c = new TrainingConfig(3, 100, 5);
        VaeConfig model = pytorch(TrainingControlsTest.small("vae"));
        List<EpochResult> expected = Trainer.start(SameDiffVae.create(model), c, dir.resolve("whole"))
                .fit(train, test, Trainer.Listener.NONE);

        Trainer first = Trainer.start(SameDiffVae.create(model), new TrainingConfig(1, 100, 5), dir.resolve("parts"));
        first.fit(train, test, Trainer.Listener.NONE);
        Trainer rest = Trainer.resume(c, dir.resolve("parts"));
        List<EpochResult> got = rest.fit(train, test, Trainer.Listener.NONE);
        for (int i = 0; i < 3; i++) {
            assertEquals(expected.get(i).trainLoss(), got.get(i).trainLoss(), 0.0, "epoch " + (i + 1));
            assertEquals(expected.get(i).testLoss(), got.get(i).testLoss(), 0.0, "epoch " + (i + 1));
        }
        // and the stream is not ND4J's: the same run on ND4J's generator ends elsewhere
        List<EpochResult> nd4j = Trainer.start(SameDiffVae.create(model.withRng(VaeConfig.Rng.ND4J)), c,
                dir.resolve("nd4j")).fit(train, test, Trainer.Listener.NONE);
        assertNotEquals(expected.get(2).testLoss(), nd4j.get(2).testLoss());
    }

    @Test
    void aStepsNoiseIsTheStreamsNextRandn() {
        VaeConfig c = pytorch(TrainingControlsTest.small("vae")); // latent 4
        SameDiffVae model = SameDiffVae.create(c);
        TorchGenerator mirror = streamAfterWeights(model);
        INDArray x = org.dl4jvae.data.MinibatchIterator.builder(train).batchSize(20).shuffle(false).build().next()
                .getFeatures();
        INDArray eps = org.nd4j.linalg.factory.Nd4j.createFromArray(mirror.normal(20 * 4)).reshape(20, 4);
        org.dl4jvae.model.Encoding q = model.encode(x);
        INDArray z = org.dl4jvae.model.VaeMath.reparameterize(q.mu(), q.logvar(), eps);
        double expected = -model.logLikelihood(x, z).sumNumber().doubleValue()
                + org.dl4jvae.model.VaeMath.kld(q.mu(), q.logvar()).sumNumber().doubleValue();
        double got = model.trainStep(x); // the loss before the step, with the noise the step drew
        assertEquals(expected, got, 1e-5 * Math.abs(expected));
        // the stream went on by the step's draws exactly
        assertArrayEquals(mirror.uniform(5, 0, 1), ((TorchGenerator) model.trainingNoise()).uniform(5, 0, 1));
    }

    @Test
    void everyVariantTrainsOnTheStreamTheSameWayTwice() throws Exception {
        for (String name : ModelFamily.names()) {
            VaeConfig c = pytorch(TrainingControlsTest.small(name));
            double[] losses = new double[2];
            for (int r = 0; r < 2; r++) {
                List<EpochResult> h = Trainer.start(SameDiffVae.create(c), new TrainingConfig(1, 100, 5),
                        dir.resolve(name + r)).fit(train, test, Trainer.Listener.NONE);
                losses[r] = h.get(0).testLoss();
            }
            assertTrue(Double.isFinite(losses[0]), name);
            assertEquals(losses[0], losses[1], 0.0, name);
        }
    }

    /** A generator of the model's seed that has skipped the draws of its weights: one uniform draw per value. */
    private static TorchGenerator streamAfterWeights(SameDiffVae model) {
        TorchGenerator mirror = new TorchGenerator(model.config().seed());
        mirror.uniform(Math.toIntExact(model.weights().values().stream().mapToLong(INDArray::length).sum()), 0, 1);
        return mirror;
    }

    @Test
    void theDl4jEngineRefusesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VaeEngines.create("dl4j", pytorch(VaeConfig.defaults())));
        assertTrue(e.getMessage().contains("needs the samediff engine"), e.getMessage());
    }
}
