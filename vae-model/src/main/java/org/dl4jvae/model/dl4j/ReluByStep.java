package org.dl4jvae.model.dl4j;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's ReLU with its backward pass written as {@code epsilon * step(z)} (gradient 0 at 0, as DL4J's and PyTorch's).
 *
 * <p>Why: DL4J's ReLU backward runs ND4J's {@code relu_bp}, which calls a {@code std::function} per element; a step and
 * a multiply are plain vectorised loops. The SameDiff engine writes its relu the same way.
 */
public class ReluByStep extends ActivationReLU {

    private static final long serialVersionUID = 1L;

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        // in place, as DL4J's own activations do: the caller's pre-activation is not read again
        Nd4j.getExecutioner().exec(new Step(in, in));
        return new Pair<>(in.muli(epsilon), null);
    }

    @Override
    public String toString() {
        return "relu";
    }
}
