package org.dl4jvae.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.Range;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.Variant;
import org.dl4jvae.model.family.Vae;
import org.dl4jvae.model.samediff.GraphModel;
import org.dl4jvae.model.samediff.Net;
import org.dl4jvae.model.samediff.Posterior;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A variant registered in test scope only (META-INF/services), as a user's own jar would add one: a linear VAE with
 * an input gain setting. One class and one registration; nothing in the app knows it.
 */
public final class ToyVariant extends Variant {

    public ToyVariant() {
        super("toy", "a linear VAE (a test of the registry)", Config.class);
    }

    /** The VAE's settings and the gain. */
    public static class Config extends VaeConfig {
        @JsonProperty("toy_gain")
        @JsonPropertyDescription("factor on the input")
        @Range(min = 0, minOpen = true)
        private double gain = 1.0;
    }

    @Override
    public GraphModel model(VaeConfig config) {
        double gain = ((Config) config).gain;
        return new Vae(config) {
            @Override
            public Posterior encoder(Net net, SDVariable x) {
                SDVariable in = x.mul(gain);
                return new Posterior(net.linear("enc_mu", in, config.inputSize(), config.latent()).rename("mu"),
                        net.linear("enc_logvar", in, config.inputSize(), config.latent()).rename("logvar"));
            }

            @Override
            public SDVariable decoder(Net net, SDVariable z) {
                return net.linear("dec", z, config.latent(), config.inputSize());
            }
        };
    }
}
