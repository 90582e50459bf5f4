package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.deeplearning4j.nn.conf.layers.variational.BernoulliReconstructionDistribution;
import org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jvae.model.VaeConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The logit form of DL4J's Bernoulli distribution: DL4J's numbers where DL4J's are right, exact where they are not. */
class BernoulliFromLogitsTest {

    private final BernoulliFromLogits ours = new BernoulliFromLogits();
    private final BernoulliReconstructionDistribution dl4j = new BernoulliReconstructionDistribution(Activation.SIGMOID);

    @Test
    void agreesWithDl4jsDistributionAtOrdinaryLogits() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 50);
        INDArray l = Nd4j.randn(DataType.FLOAT, 16, 50).muli(2); // where float sigmoid does not saturate
        double sum = dl4j.negLogProbability(x, l, false);
        assertEquals(sum, ours.negLogProbability(x, l, false), 1e-5 * sum);
        assertEquals(sum / 16, ours.negLogProbability(x, l, true), 1e-5 * sum / 16);
        INDArray perExample = ours.exampleNegLogProbability(x, l);
        assertArrayEquals(new long[] {16, 1}, perExample.shape());
        assertTrue(dl4j.exampleNegLogProbability(x, l).equalsWithEps(perExample, 1e-3));
        assertTrue(dl4j.gradient(x, l).equalsWithEps(ours.gradient(x, l), 1e-5));
        assertEquals(dl4j.generateAtMean(l), ours.generateAtMean(l));
    }

    @Test
    void exactAtSaturatedLogits() {
        INDArray x = Nd4j.createFromArray(new float[][] {{1f, 0f, 1f, 0f, 0.5f}});
        INDArray l = Nd4j.createFromArray(new float[][] {{-200f, 200f, 200f, -200f, 0f}});
        // -log p: 200 for each wrong saturated pixel, ~0 for each right one, log 2 at l = 0
        assertEquals(400 + Math.log(2), ours.negLogProbability(x, l, false), 1e-4);
        INDArray grad = ours.gradient(x, l);
        assertArrayEquals(new float[] {-1f, 1f, 0f, 0f, 0f}, grad.toFloatVector(), 1e-6f);
        // DL4J's own form counts a wrong saturated pixel as free: the reason for this class
        assertTrue(dl4j.negLogProbability(x, l, false) < 1);
    }

    @Test
    void survivesDl4jsModelSerializerWithTheEnginesActivation() throws Exception {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(20, 8, 2));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(vae.network(), out, false);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(out.toByteArray()));
        VariationalAutoencoder layer = (VariationalAutoencoder) back.getLayerWiseConfigurations().getConf(0).getLayer();
        assertInstanceOf(BernoulliFromLogits.class, layer.getOutputDistribution());
        assertInstanceOf(ReluByStep.class, layer.getActivationFn());
    }
}
