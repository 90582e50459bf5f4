package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The engine's training step is DL4J's own pretraining step for the layer (with this toolkit's Adam). */
class Dl4jLayerVaeTest {

    @Test
    void stepsMatchDl4jsPretrainLayer() throws Exception {
        VaeConfig config = VaeConfig.defaults().withSizes(784, 64, 8).withSeed(4);
        Dl4jLayerVae ours = Dl4jLayerVae.create(config);
        Dl4jLayerVae dl4j = Dl4jLayerVae.create(config);
        MinibatchIterator batches = MinibatchIterator.builder(TestData.digits(640)).batchSize(128).seed(2).build();
        int step = 0;
        while (batches.hasNext()) {
            INDArray x = batches.next().getFeatures();
            Nd4j.getRandom().setSeed(100 + step);
            double loss = ours.trainStep(x);
            Nd4j.getRandom().setSeed(100 + step);
            dl4j.network().pretrainLayer(0, x);
            double reference = dl4j.network().getLayer(0).score() * x.rows();
            assertEquals(reference, loss, 1e-5 * reference, "loss of step " + step);
            step++;
        }
        assertEquals(5, step);
        Map<String, INDArray> a = ours.weights();
        Map<String, INDArray> b = dl4j.weights();
        for (String k : a.keySet()) {
            double scale = b.get(k).amaxNumber().doubleValue();
            double diff = a.get(k).sub(b.get(k)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-4 * scale, k + ": weights differ by " + diff + " (scale " + scale + ")");
        }
        assertNotEquals(Dl4jLayerVae.create(config).weights().get("fc1_W"), a.get("fc1_W")); // it did train
    }

    @Test
    void encoderMeanIsDl4jsOwnForwardPass() throws Exception {
        VaeConfig config = VaeConfig.defaults().withSizes(784, 64, 8).withSeed(5);
        Dl4jLayerVae vae = Dl4jLayerVae.create(config);
        MinibatchIterator batches = MinibatchIterator.builder(TestData.digits(256)).batchSize(128).seed(3).build();
        vae.trainStep(batches.next().getFeatures()); // weights away from their initialisation
        INDArray x = batches.next().getFeatures();
        INDArray dl4jMean = vae.network().output(x, false);
        INDArray mu = vae.encode(x).mu();
        assertArrayEquals(dl4jMean.shape(), mu.shape());
        assertTrue(dl4jMean.equalsWithEps(mu, 1e-5), "mu differs from DL4J's activate");
        assertFalse(mu.equalsWithEps(vae.encode(x).logvar(), 1e-3)); // the two heads are not the same
    }
}
