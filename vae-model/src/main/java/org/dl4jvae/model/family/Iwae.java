package org.dl4jvae.model.family;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.InvalidSettingException;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.Variant;
import org.dl4jvae.model.samediff.Likelihood;
import org.dl4jvae.model.samediff.Net;
import org.dl4jvae.model.samediff.Posterior;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The importance-weighted autoencoder (Burda et al. 2016): the VAE's network trained on the tighter bound
 * log mean_k w_k, w_k = p(x|z_k) p(z_k) / q(z_k|x), with k samples z_k ~ q(z|x) per image.
 *
 * <p>The loss is the VAE's loss over the k samples (reconstruction averaged over them, KL in closed form) plus
 * the difference between the importance-weighted and the plain Monte Carlo bound: -log mean_k w_k + mean_k log w_k.
 * Its expectation and the expectation of its gradient are those of the importance-weighted bound (the closed-form KL
 * is the expectation of its Monte Carlo estimate), and with k = 1 the difference is exactly zero, so the loss is the
 * VAE's loss to the last bit.
 */
public class Iwae extends Vae {

    public static final String NAME = "iwae";

    public static final Variant VARIANT = Variant.of(NAME,
            "importance-weighted autoencoder (Burda et al. 2016): a tighter bound from --iw-k samples per image; "
                    + "a better likelihood at k times the decoder cost",
            Config.class, Iwae::new);

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** The VAE's settings and the number of importance samples. */
    public static class Config extends VaeConfig {
        @JsonProperty("iw_k")
        @JsonPropertyDescription("importance samples per image in the training bound")
        private int k = 5;

        protected Config() {
        }

        public int k() {
            return k;
        }

        public Config withK(int k) {
            return change((Config c) -> c.k = k);
        }

        @Override
        public void validate() {
            super.validate();
            if (k < 1) {
                throw new InvalidSettingException("iw_k", "must be at least 1, got " + k);
            }
        }
    }

    private final int k;

    public Iwae(Config config) {
        super(config);
        this.k = config.k();
    }

    @Override
    public SDVariable loss(Net net, SDVariable x) {
        SameDiff sd = net.sd();
        Posterior q = encoder(net, x);
        // k copies of the batch, one after the other: row s * batch + i is sample s of image i
        SDVariable mu = sd.tile(q.mu(), k, 1);
        SDVariable logvar = sd.tile(q.logvar(), k, 1);
        SDVariable eps = net.normalNoise("eps", k, config.latent());
        SDVariable z = mu.add("z", sd.math.exp(logvar.mul(0.5)).mul(eps));
        SDVariable logits = decoder(net, z);
        SDVariable xk = sd.tile(x, k, 1);
        Likelihood px = likelihood();
        SDVariable recon = px.negLogProb(sd, xk, logits, Likelihood.Reduction.TOTAL).mul("recon", 1.0 / k);

        // log w = log p(x|z) + log p(z) - log q(z|x), where (z - mu)^2 / exp(logvar) = eps^2
        SDVariable logPz = sd.sum(z.mul(z).add(LOG_2PI), 1).mul(-0.5);
        SDVariable logQz = sd.sum(eps.mul(eps).add(logvar).add(LOG_2PI), 1).mul(-0.5);
        SDVariable logw = px.negLogProb(sd, xk, logits, Likelihood.Reduction.PER_ROW).neg().add(logPz).sub(logQz);
        SDVariable w = sd.reshape(logw, k, -1); // [k, batch]
        SDVariable max = sd.max(w, 0);
        SDVariable logMeanW = sd.math.log(sd.mean(sd.math.exp(w.sub(max)), 0)).add(max);
        SDVariable gap = sd.sum(sd.mean(w, 0)).sub(sd.sum(logMeanW));
        return recon.add(kld(net, q)).add("loss", gap);
    }
}
