package org.dl4jvae.model.family;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.Range;
import org.dl4jvae.model.samediff.Net;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The denoising autoencoder (Vincent et al. 2008): the plain autoencoder trained to restore the clean image from one
 * with a fraction of its values masked to zero (a fresh mask every step); evaluated on clean images.
 */
public class Dae extends Ae {

    public Dae(Config config) {
        super(config);
    }

    /** x * mask, mask = 1 where u > corruption for u ~ U(0, 1): each value kept with probability 1 - corruption. */
    @Override
    protected SDVariable trainingInput(Net net, SDVariable x) {
        SDVariable u = net.uniformNoise("mask", 1, config.inputSize());
        return x.mul(net.sd().math.step(u, ((Config) config).corruption));
    }

    /** The autoencoder's settings and the masking probability. */
    public static class Config extends Ae.Config {
        @JsonProperty("corruption") @JsonPropertyDescription("probability that an input value is masked to 0 in training")
        @Range(min = 0, max = 1)
        private double corruption = 0.3;
    }
}
