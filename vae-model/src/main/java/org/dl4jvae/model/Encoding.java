package org.dl4jvae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The parameters of q(z|x) for a batch: {@code mu} and {@code logvar}, each {@code [batch, latent]}. */
public record Encoding(INDArray mu, INDArray logvar) {
}
