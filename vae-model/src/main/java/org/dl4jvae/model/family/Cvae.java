package org.dl4jvae.model.family;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.FromData;
import org.dl4jvae.model.Range;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.samediff.Net;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The conditional VAE (Sohn et al. 2015): the one-hot class label joins the encoder's input and the latent code, so
 * that the decoder draws images of a chosen class.
 */
public class Cvae extends Vae {

    public Cvae(Config config) {
        super(config);
    }

    @Override
    protected SDVariable conditioned(Net net, SDVariable in) {
        return net.sd().concat(1, in, net.labels());
    }

    @Override
    protected long conditionSize() {
        return classes();
    }

    @Override
    public int classes() {
        return ((Config) config).classes;
    }

    /** The VAE's settings and the number of classes (from the data). */
    public static class Config extends VaeConfig {
        @FromData
        @JsonProperty("classes") @JsonPropertyDescription("number of classes of the one-hot labels")
        @Range(min = 2)
        private int classes = 10;

        @Override
        public VaeConfig forData(int channels, int rows, int cols, int classes) {
            return super.forData(channels, rows, cols, classes).with("classes", classes);
        }
    }
}
