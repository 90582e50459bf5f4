package org.dl4jvae.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Initial weights of the layers, shared by both engines: with the same seed, both start from the same
 * numbers when layers are filled in the order fc1, fc21, fc22, fc3, fc4. With {@link VaeConfig.Rng#PYTORCH} the draws
 * are PyTorch's: each weight filled in PyTorch's layout and with its bound, as the peer's layers fill theirs.
 */
public final class LinearInit {

    private final VaeConfig.Init scheme;
    private final TorchGenerator torch;

    /** Seeds ND4J's generator with the configuration's seed, or starts PyTorch's. */
    public LinearInit(VaeConfig config) {
        this.scheme = config.init();
        if (config.rng() == VaeConfig.Rng.PYTORCH) {
            this.torch = new TorchGenerator(config.seed());
        } else {
            this.torch = null;
            VaeMath.seed(config.seed());
        }
    }

    /** The PyTorch generator the weights came from, to go on drawing the run's noise; null with ND4J's. */
    public TorchGenerator torchGenerator() {
        return torch;
    }

    /**
     * Fills a weight {@code [fanIn, fanOut]} and its bias. PyTorch's nn.Linear: both uniform in +-1/sqrt(fan_in).
     * Xavier: weights uniform in +-sqrt(6/(fan_in+fan_out)), biases zero.
     */
    public void fill(INDArray w, INDArray b) {
        fill(w, b, w.size(0), w.size(1));
    }

    /**
     * The same for a layer of any shape whose fans are given: a convolution's kernel {@code [kh, kw, in, out]} or a
     * transposed convolution's {@code [kh, kw, out, in]}.
     */
    public void fill(INDArray w, INDArray b, long fanIn, long fanOut) {
        if (torch != null) {
            fillAsPytorch(w, b, fanIn, fanOut);
            return;
        }
        double bound = scheme == VaeConfig.Init.PYTORCH ? 1 / Math.sqrt(fanIn) : Math.sqrt(6.0 / (fanIn + fanOut));
        w.assign(Nd4j.rand(w.dataType(), w.shape()).muli(2 * bound).subi(bound));
        if (scheme == VaeConfig.Init.PYTORCH) {
            b.assign(Nd4j.rand(b.dataType(), b.shape()).muli(2 * bound).subi(bound));
        } else {
            b.assign(0);
        }
    }

    private void fillAsPytorch(INDArray w, INDArray b, long fanIn, long fanOut) {
        // PyTorch's weight: [out, in] for nn.Linear, [out, in, kh, kw] for Conv2d, [in, out, kh, kw] for
        // ConvTranspose2d; filled in its own C order, so the draws land where the peer's do
        INDArray pytorchLayout = w.rank() == 4 ? w.permute(3, 2, 0, 1) : w.transpose();
        double bound;
        if (scheme == VaeConfig.Init.PYTORCH) { // kaiming_uniform_(a=sqrt(5)), computed as PyTorch computes it
            double a = Math.sqrt(5);
            bound = Math.sqrt(3.0) * (Math.sqrt(2.0 / (1 + a * a)) / Math.sqrt(fanIn));
        } else { // xavier_uniform_
            bound = Math.sqrt(6.0 / (fanIn + fanOut));
        }
        float[] weights = torch.uniform(Math.toIntExact(w.length()), -bound, bound);
        pytorchLayout.assign(Nd4j.createFromArray(weights).reshape('c', pytorchLayout.shape()));
        if (scheme == VaeConfig.Init.PYTORCH) {
            double biasBound = 1 / Math.sqrt(fanIn);
            b.assign(Nd4j.createFromArray(torch.uniform(Math.toIntExact(b.length()), -biasBound, biasBound))
                    .reshape(b.shape()));
        } else {
            b.assign(0);
        }
    }
}
