package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.LongSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A DL4J engine's training step once warm, for tests of what such a step still asks of ND4J. */
final class WarmStep {

    private WarmStep() {
    }

    /** Two steps on {@code x}, then a third: how far {@code counter} moved during the third. */
    static long counted(Dl4jLayerVae vae, INDArray x, LongSupplier counter) {
        vae.trainStep(x, null);
        vae.trainStep(x, null);
        long before = counter.getAsLong();
        assertTrue(Double.isFinite(vae.trainStep(x, null)));
        return counter.getAsLong() - before;
    }
}
