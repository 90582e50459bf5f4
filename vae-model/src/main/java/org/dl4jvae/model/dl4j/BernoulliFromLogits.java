package org.dl4jvae.model.dl4j;

import org.deeplearning4j.nn.conf.layers.variational.BernoulliReconstructionDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's sigmoid Bernoulli reconstruction distribution, with its loss and gradient taken straight from the logits:
 * -log p(x|z) = softplus(l) - x*l (in an overflow-free form, {@link #logProbability}) and its gradient
 * sigmoid(l) - x.
 *
 * <p>Why: DL4J's {@link BernoulliReconstructionDistribution} takes log(sigmoid(l)) and log(1 - sigmoid(l)), sets
 * infinite logs to zero, and forms the gradient as (x - p) / (p(1 - p)) times the sigmoid's derivative, then replaces
 * NaNs: about twenty passes over the image (a fifth of a training step here), and a saturated pixel that is wrong
 * (p = 0 where x = 1) costs nothing instead of a large loss. Same model, same sampling (its mean is still the
 * sigmoid).
 */
public class BernoulliFromLogits extends BernoulliReconstructionDistribution {

    private static final long serialVersionUID = 1L;

    /** Sigmoid activation, as DL4J's default Bernoulli distribution. */
    public BernoulliFromLogits() {
        super(Activation.SIGMOID);
    }

    @Override
    public double negLogProbability(INDArray x, INDArray preOutDistributionParams, boolean average) {
        double sum = -logProbability(x, preOutDistributionParams).sumNumber().doubleValue();
        return average ? sum / x.size(0) : sum;
    }

    @Override
    public INDArray exampleNegLogProbability(INDArray x, INDArray preOutDistributionParams) {
        INDArray ll = logProbability(x, preOutDistributionParams);
        // DL4J's contract: a column in the parameters' type
        return ll.castTo(preOutDistributionParams.dataType()).reshape(ll.length(), 1).negi();
    }

    /**
     * log p(x|z) per row in double from the logits, in the stable form max(l,0) - x*l + log(1 + exp(-|l|)), so
     * saturated pixels never take log(0): per pixel in the logits' own precision (float: relative error ~1e-7, two
     * times faster than double), summed per image in double.
     */
    public static INDArray logProbability(INDArray x, INDArray logits) {
        INDArray bce = Transforms.log1p(Transforms.exp(Transforms.abs(logits, true).negi(), false), false);
        bce.addi(Transforms.relu(logits, true)).subi(x.castTo(logits.dataType()).mul(logits));
        return bce.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sum(1).negi();
    }

    @Override
    public INDArray gradient(INDArray x, INDArray preOutDistributionParams) {
        return Transforms.sigmoid(preOutDistributionParams, true).subi(x.castTo(preOutDistributionParams.dataType()));
    }

    @Override
    public String toString() {
        return "BernoulliFromLogits";
    }
}
