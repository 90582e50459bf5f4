package org.dl4jvae.model.family;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.dl4jvae.model.Range;
import org.dl4jvae.model.VaeConfig;
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

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    public Iwae(Config config) {
        super(config);
    }

    @Override
    public SDVariable loss(Net net, SDVariable x) {
        int k = ((Config) config).k;
        SameDiff sd = net.sd();
        Likelihood px = likelihood();
        Posterior q = encoder(net, x);
        SDVariable recon = null;
        SDVariable[] logw = new SDVariable[k];
        // the decoder once per sample, sharing its weights (the graph's shapes stay static: no reshapes, whose
        // gradients read shapes at run time)
        for (int s = 0; s < k; s++) {
            SDVariable eps = net.normalNoise(s == 0 ? "eps" : "eps_" + s, 1, config.latent());
            SDVariable z = q.mu().add(s == 0 ? "z" : "z_" + s, sd.math.exp(q.logvar().mul(0.5)).mul(eps));
            SDVariable logits = decoder(net, z);
            SDVariable sampleRecon = px.negLogProb(sd, x, logits, Likelihood.Reduction.TOTAL);
            recon = recon == null ? sampleRecon : recon.add(sampleRecon);
            // log w = log p(x|z) + log p(z) - log q(z|x), where (z - mu)^2 / exp(logvar) = eps^2
            SDVariable logPz = sd.sum(z.mul(z).add(LOG_2PI), 1).mul(-0.5);
            SDVariable logQz = sd.sum(eps.mul(eps).add(q.logvar()).add(LOG_2PI), 1).mul(-0.5);
            logw[s] = px.negLogProb(sd, x, logits, Likelihood.Reduction.PER_ROW).neg().add(logPz).sub(logQz);
        }
        SDVariable gap;
        if (k == 1) { // the mean and the log-mean-exp of one value are the value; ND4J 1.0.0-M2.1 cannot run
            // reductions over an axis of length 1 from an op context, so the gap is written as what it is
            gap = sd.sum(logw[0]).sub(sd.sum(logw[0]));
        } else {
            SDVariable w = sd.stack(1, logw); // [batch, k]
            SDVariable logMeanW = sd.math.log(sd.mean(sd.math.exp(w.sub(sd.max(w, true, 1))), 1)).add(sd.max(w, 1));
            gap = sd.sum(sd.mean(w, 1)).sub(sd.sum(logMeanW));
        }
        return recon.mul("recon", 1.0 / k).add(klTerm(net, q)).add("loss", gap);
    }

    /** The VAE's settings and the number of importance samples. */
    public static class Config extends VaeConfig {
        @JsonProperty("iw_k") @JsonPropertyDescription("importance samples per image in the training bound")
        @Range(min = 1, max = 256, maxClosed = true) // the training graph holds the decoder once per sample
        private int k = 5;
    }
}
