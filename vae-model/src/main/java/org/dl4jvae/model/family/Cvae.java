package org.dl4jvae.model.family;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.FromData;
import org.dl4jvae.model.InvalidSettingException;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.Variant;
import org.dl4jvae.model.samediff.Net;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The conditional VAE (Sohn et al. 2015): the one-hot class label joins the encoder's input and the latent code, so
 * that the decoder draws images of a chosen class.
 */
public class Cvae extends Vae {

    public static final String NAME = "cvae";

    public static final Variant VARIANT = Variant.of(NAME,
            "conditional VAE (Sohn et al. 2015): the class label joins x and z; samples of a chosen class",
            Config.class, Cvae::new);

    /** The VAE's settings and the number of classes (from the data). */
    public static class Config extends VaeConfig {
        @FromData
        @JsonProperty("classes")
        @JsonPropertyDescription("number of classes of the one-hot labels")
        private int classes = 10;

        protected Config() {
        }

        public int classes() {
            return classes;
        }

        @Override
        public VaeConfig forData(int inputSize, int classes) {
            return ((Config) super.forData(inputSize, classes)).change((Config c) -> c.classes = classes);
        }

        @Override
        public void validate() {
            super.validate();
            if (classes < 2) {
                throw new InvalidSettingException("classes", "must be at least 2 for a conditional model, got " + classes);
            }
        }
    }

    private final int classes;

    public Cvae(Config config) {
        super(config);
        this.classes = config.classes();
    }

    @Override
    protected SDVariable encoderInput(Net net, SDVariable x) {
        return net.sd().concat(1, x, net.labels());
    }

    @Override
    protected long encoderInputSize() {
        return config.inputSize() + classes;
    }

    @Override
    protected SDVariable decoderInput(Net net, SDVariable z) {
        return net.sd().concat(1, z, net.labels());
    }

    @Override
    protected long decoderInputSize() {
        return config.latent() + classes;
    }

    @Override
    public int classes() {
        return classes;
    }
}
