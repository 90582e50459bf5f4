package org.dl4jvae.model.family;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.Range;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.Variant;
import org.dl4jvae.model.samediff.Net;
import org.dl4jvae.model.samediff.Posterior;
import org.nd4j.autodiff.samediff.SDVariable;

/** The beta-VAE (Higgins et al. 2017): the KL term weighted by beta; beta above 1 favours disentangled codes. */
public class BetaVae extends Vae {

    public static final String NAME = "beta-vae";

    public static final Variant VARIANT = Variant.of(NAME,
            "beta-VAE (Higgins et al. 2017): KL weighted by --beta; above 1 for more disentangled, blurrier codes",
            Config.class, BetaVae::new);

    /** The VAE's settings and beta. */
    public static class Config extends VaeConfig {
        @JsonProperty("beta")
        @JsonPropertyDescription("weight of the KL term in the training loss")
        @Range(min = 0)
        private double beta = 4.0;

        public double beta() {
            return beta;
        }
    }

    private final double beta;

    public BetaVae(Config config) {
        super(config);
        this.beta = config.beta();
    }

    @Override
    protected SDVariable objective(Net net, SDVariable recon, Posterior q) {
        return recon.add("loss", kld(net, q).mul(beta));
    }
}
