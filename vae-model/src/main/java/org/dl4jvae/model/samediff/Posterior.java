package org.dl4jvae.model.samediff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The encoder's output in a graph: the mean {@code mu} and log-variance {@code logvar} of q(z|x), or for a
 * deterministic encoder the code alone ({@code logvar} null).
 */
public record Posterior(SDVariable mu, SDVariable logvar) {

    /** A deterministic encoder's code. */
    public static Posterior code(SDVariable code) {
        return new Posterior(code, null);
    }
}
