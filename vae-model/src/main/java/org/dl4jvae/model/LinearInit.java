package org.dl4jvae.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Initial weights of the layers, shared by both engines: with the same seed, both start from the same
 * numbers when layers are filled in the order fc1, fc21, fc22, fc3, fc4.
 */
public final class LinearInit {

    private final VaeConfig.Init scheme;

    /** Seeds ND4J's generator with the configuration's seed. */
    public LinearInit(VaeConfig config) {
        this.scheme = config.init();
        VaeMath.seed(config.seed());
    }

    /**
     * Fills a weight {@code [fanIn, fanOut]} and its bias. PyTorch's nn.Linear: both uniform in +-1/sqrt(fan_in).
     * Xavier: weights uniform in +-sqrt(6/(fan_in+fan_out)), biases zero.
     */
    public void fill(INDArray w, INDArray b) {
        fill(w, b, w.size(0), w.size(1));
    }

    /** The same for a layer of any shape (a convolution's kernel) whose fans are given. */
    public void fill(INDArray w, INDArray b, long fanIn, long fanOut) {
        double bound = scheme == VaeConfig.Init.PYTORCH ? 1 / Math.sqrt(fanIn) : Math.sqrt(6.0 / (fanIn + fanOut));
        w.assign(Nd4j.rand(w.dataType(), w.shape()).muli(2 * bound).subi(bound));
        if (scheme == VaeConfig.Init.PYTORCH) {
            b.assign(Nd4j.rand(b.dataType(), b.shape()).muli(2 * bound).subi(bound));
        } else {
            b.assign(0);
        }
    }
}
