package org.dl4jvae.model.samediff;

import org.dl4jvae.model.VaeConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The decoder's likelihood p(x|z) as graph pieces, the strategy a model delegates to (as DL4J's
 * {@code ReconstructionDistribution}): its mean and its negative log-probability, computed per pixel and reduced as
 * the caller needs (one sum for a training loss, per-row sums in double for evaluation).
 */
public interface Likelihood {

    /** Reduces per-pixel terms {@code [rows, pixels]}. */
    @FunctionalInterface
    interface Reduction {
        /** One sum over everything, in the terms' precision: a training loss. */
        Reduction TOTAL = (sd, v) -> sd.sum(v);
        /** One sum per row, in the terms' precision (differentiable per-example terms). */
        Reduction PER_ROW = (sd, v) -> sd.sum(v, 1);
        /** One sum per row in double precision: evaluation. */
        Reduction PER_ROW_DOUBLE = (sd, v) -> sd.sum(v.castTo(DataType.DOUBLE), 1);

        SDVariable apply(SameDiff sd, SDVariable perPixel);
    }

    /** -log p(x|z) from the decoder's output, reduced. */
    SDVariable negLogProb(SameDiff sd, SDVariable x, SDVariable out, Reduction reduction);

    /** E[x|z] from the decoder's output. */
    SDVariable mean(SameDiff sd, SDVariable out);

    /** The likelihood a configuration names. */
    static Likelihood of(VaeConfig.Decoder decoder) {
        return decoder == VaeConfig.Decoder.GAUSSIAN ? GAUSSIAN : BERNOULLI;
    }

    /**
     * Bernoulli from logits: -log p(x|z) = softplus(l) - x * l per pixel. ND4J's softplus is log(1 + exp(l)), infinite
     * from l = 89 in float, so above 80 it continues as the line it has become: softplus(l - r) + r with the
     * whole-number shift r = floor(relu(l - 80)) (exact for logits below 2^31). The shift passes through an integer
     * type, so SameDiff does not differentiate it, and the gradient is sigmoid(l - r) - x = sigmoid(l) - x throughout.
     * Chosen over ND4J's sigmoidCrossEntropy loss op, whose per-element lambdas made it a quarter of a training step.
     */
    Likelihood BERNOULLI = new Likelihood() {
        @Override
        public SDVariable negLogProb(SameDiff sd, SDVariable x, SDVariable logits, Reduction reduction) {
            SDVariable over = sd.nn.relu(logits.sub(80), 0).castTo(DataType.INT32).castTo(logits.dataType());
            SDVariable softplus = sd.nn.softplus(logits.sub(over)).add(over);
            return reduction.apply(sd, softplus).sub(reduction.apply(sd, x.mul(logits)));
        }

        @Override
        public SDVariable mean(SameDiff sd, SDVariable logits) {
            return sd.nn.sigmoid(logits);
        }
    };

    /** Unit-variance Gaussian: -log p(x|z) = ((x - mean)^2 + log 2 pi) / 2 per value. */
    Likelihood GAUSSIAN = new Likelihood() {
        @Override
        public SDVariable negLogProb(SameDiff sd, SDVariable x, SDVariable mean, Reduction reduction) {
            SDVariable d = x.sub(mean);
            return reduction.apply(sd, d.mul(d).add(Math.log(2 * Math.PI))).mul(0.5);
        }

        @Override
        public SDVariable mean(SameDiff sd, SDVariable out) {
            return sd.identity(out);
        }
    };
}
