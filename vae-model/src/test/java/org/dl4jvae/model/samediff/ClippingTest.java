package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Gradient clipping by global norm: the norm is the gradient's (SameDiff's own), and only a norm above it acts. */
class ClippingTest {

    @Test
    void clippingUsesTheGlobalNormOfTheGradient() throws Exception {
        VaeConfig c = ModelFamily.config("vae").withSizes(784, 32, 4).withSeed(3);
        INDArray x = MinibatchIterator.builder(TestData.digits(100)).batchSize(50).shuffle(false).build().next()
                .getFeatures();
        SameDiffVae probe = SameDiffVae.create(c);
        Nd4j.getRandom().setSeed(77);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 50, 4);
        List<String> params = probe.graph().variables().stream()
                .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toList();
        Map<String, INDArray> ph = new HashMap<>(Map.of("x", x, "eps", eps, "kl_weight", Nd4j.scalar(DataType.FLOAT, 1f)));
        double squares = 0;
        for (INDArray g : probe.graph().calculateGradients(ph, params).values()) {
            squares += Math.pow(g.norm2Number().doubleValue(), 2);
        }
        double expected = Math.sqrt(squares);
        probe.setClipNorm(1e9);
        Nd4j.getRandom().setSeed(77);
        probe.trainStep(x);
        assertEquals(expected, probe.lastGradientNorm(), 1e-4 * expected);

        VaeEngine plain = SameDiffVae.create(c);
        VaeEngine loose = SameDiffVae.create(c);
        loose.setClipNorm(expected * 10); // never reached: the same steps to the bit
        VaeEngine tight = SameDiffVae.create(c);
        tight.setClipNorm(expected / 1000);
        for (int step = 0; step < 4; step++) {
            for (VaeEngine v : List.of(plain, loose, tight)) {
                Nd4j.getRandom().setSeed(90 + step);
                v.trainStep(x);
            }
        }
        assertEquals(plain.weights().get("fc1_W"), loose.weights().get("fc1_W"));
        assertNotEquals(plain.weights().get("fc1_W"), tight.weights().get("fc1_W"));
    }
}
