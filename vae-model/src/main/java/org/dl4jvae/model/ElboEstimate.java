package org.dl4jvae.model;

/**
 * A dataset-level loss in nats per image: {@code loss = reconstruction + kl} (the negative ELBO when computed with
 * beta 1), with its two terms.
 */
public record ElboEstimate(double loss, double reconstruction, double kl, long images) {
}
