package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The step form of the ReLU gives DL4J's ReLU values and gradients, zeros and transposed gradients included. */
class ReluByStepTest {

    @Test
    void sameForwardAndBackwardAsDl4jsRelu() {
        Nd4j.getRandom().setSeed(5);
        INDArray z = Nd4j.randn(DataType.FLOAT, 'f', 12, 9);
        z.putScalar(0, 0, 0f); // the kink: gradient 0 in both
        z.putScalar(3, 4, -0f);
        // DL4J hands its activations gradients that are transposed views of a product
        INDArray epsilon = Nd4j.randn(DataType.FLOAT, 9, 12).transpose();

        INDArray expected = new ActivationReLU().backprop(z.dup(), epsilon).getFirst();
        INDArray actual = new ReluByStep().backprop(z.dup(), epsilon).getFirst();
        assertEquals(expected, actual);
        assertEquals(0f, actual.getFloat(0, 0));
        assertTrue(actual.neq(0).castTo(DataType.INT32).sumNumber().intValue() > 20, "most gradients pass");

        assertEquals(new ActivationReLU().getActivation(z.dup(), true), new ReluByStep().getActivation(z.dup(), true));
    }
}
