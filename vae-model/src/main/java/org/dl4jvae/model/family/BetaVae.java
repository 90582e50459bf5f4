package org.dl4jvae.model.family;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.Range;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.samediff.Net;
import org.dl4jvae.model.samediff.Posterior;
import org.nd4j.autodiff.samediff.SDVariable;

/** The beta-VAE (Higgins et al. 2017): the KL term weighted by beta; beta above 1 favours disentangled codes. */
public class BetaVae extends Vae {

    public BetaVae(Config config) {
        super(config);
    }

    @Override
    protected SDVariable objective(Net net, SDVariable recon, Posterior q) {
        return recon.add("loss", klTerm(net, q).mul(((Config) config).beta));
    }

    /** The VAE's settings and beta. */
    public static class Config extends VaeConfig {
        @JsonProperty("beta") @JsonPropertyDescription("weight of the KL term in the training loss")
        @Range(min = 0)
        private double beta = 4.0;
    }
}
