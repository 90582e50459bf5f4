package org.dl4jvae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameters of q(z|x) for a batch: {@code mu} and {@code logvar}, each {@code [batch, latent]}; for a deterministic
 * encoder the code as {@code mu} and no {@code logvar}.
 */
public record Encoding(INDArray mu, INDArray logvar) {

    /** Whether z is drawn (a VAE) or fixed (an autoencoder's code). */
    public boolean stochastic() {
        return logvar != null;
    }

    /** One draw z ~ q(z|x) per row (reparameterized, eps from ND4J's generator); the code itself if deterministic. */
    public INDArray sample() {
        return sample(Noise.ND4J);
    }

    /** The same with eps from the given noise. */
    public INDArray sample(Noise noise) {
        if (!stochastic()) {
            return mu;
        }
        return VaeMath.reparameterize(mu, logvar, noise.standardNormal(mu.dataType(), mu.rows(), mu.columns()));
    }
}
