package org.dl4jvae.model.family;

import org.dl4jvae.model.InvalidSettingException;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.samediff.Net;
import org.dl4jvae.model.samediff.Posterior;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The plain autoencoder: the VAE's network without fc22 and noise, a deterministic code {@code fc21(h1)} and the
 * reconstruction loss alone. A baseline: no prior, so nothing to sample from and no likelihood bound.
 */
public class Ae extends Vae {

    public Ae(VaeConfig config) {
        super(config);
    }

    @Override
    public Posterior encoder(Net net, SDVariable x) {
        return Posterior.code(net.linear("fc21", encoderHidden(net, x), config.hidden(), config.latent()).rename("mu"));
    }

    @Override
    protected SDVariable reparameterize(Net net, Posterior q) {
        return q.mu();
    }

    @Override
    protected SDVariable objective(Net net, SDVariable recon, Posterior q) {
        return net.sd().identity("loss", recon);
    }

    @Override
    public boolean probabilistic() {
        return false;
    }

    /** The VAE's settings without a KL term to shape. */
    public static class Config extends VaeConfig {
        @Override
        public void validate() {
            super.validate();
            if (freeBits() != 0) {
                throw new InvalidSettingException("free_bits", "does not apply to model " + model()
                        + ", which has no KL term");
            }
        }
    }
}
