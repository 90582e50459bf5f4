package org.dl4jvae.model.samediff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A model of the family as SameDiff graph pieces: what the runtime ({@link SameDiffVae}) needs to train it and to
 * evaluate it through its own graph. The runtime builds two graphs from these pieces over the same weights: the
 * training graph ({@link #loss}) and the evaluation graph ({@link #encoder} on x, {@link #decoder} on a given z,
 * {@link #likelihood()} of x under the decoder), so nothing of a model is written twice.
 *
 * <p>Names the runtime reads: the encoder's outputs are renamed {@code mu} and {@code logvar}, the loss is
 * {@code loss}. Weights are created with {@link Net#linear}; noise (drawn from ND4J's seeded generator at every step)
 * with {@link Net#normalNoise} and {@link Net#uniformNoise}; class labels with {@link Net#labels}.
 */
public interface GraphModel {

    /** q(z|x) for a batch x: {@link Posterior#mu} and, for a probabilistic model, {@link Posterior#logvar}. */
    Posterior encoder(Net net, SDVariable x);

    /** The decoder's pre-activation output (logits for a Bernoulli likelihood) for latent codes z. */
    SDVariable decoder(Net net, SDVariable z);

    /** The training objective, summed over the batch, named {@code loss}. */
    SDVariable loss(Net net, SDVariable x);

    /** p(x|z) given the decoder's output. */
    Likelihood likelihood();

    /** The size of z (the decoder's input without labels). */
    int latent();

    /** Whether the model has a prior p(z) and a stochastic encoder q(z|x) (sampling, ELBO, importance weighting). */
    default boolean probabilistic() {
        return true;
    }

    /** The number of classes whose one-hot labels the model reads ({@link Net#labels}); 0 for none. */
    default int classes() {
        return 0;
    }
}
