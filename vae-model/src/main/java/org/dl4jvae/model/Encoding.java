package org.dl4jvae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The parameters of q(z|x) for a batch: {@code mu} and {@code logvar}, each {@code [batch, latent]}. */
public record Encoding(INDArray mu, INDArray logvar) {

    /** One draw z ~ q(z|x) per row (reparameterized, eps from ND4J's generator). */
    public INDArray sample() {
        return VaeMath.reparameterize(mu, logvar, VaeMath.standardNormal(mu.dataType(), mu.rows(), mu.columns()));
    }
}
