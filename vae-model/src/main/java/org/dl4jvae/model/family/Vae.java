package org.dl4jvae.model.family;

import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.samediff.GraphModel;
import org.dl4jvae.model.samediff.Likelihood;
import org.dl4jvae.model.samediff.Net;
import org.dl4jvae.model.samediff.Posterior;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The reference VAE, layer for layer the PyTorch example, and the base the other variants override piece by piece:
 * <pre>
 *   h1 = relu(fc1(x));  mu, logvar = fc21(h1), fc22(h1)
 *   z = mu + exp(0.5 * logvar) * eps                     eps ~ N(0, I)
 *   logits = fc4(relu(fc3(z)))
 *   loss = -log p(x|z) + KLD,  KLD = -0.5 * sum(1 + logvar - mu^2 - exp(logvar))
 * </pre>
 */
public class Vae implements GraphModel {

    protected final VaeConfig config;

    public Vae(VaeConfig config) {
        this.config = config;
    }

    @Override
    public Posterior encoder(Net net, SDVariable x) {
        SDVariable h1 = encoderHidden(net, x);
        SDVariable mu = net.linear("fc21", h1, config.hidden(), config.latent()).rename("mu");
        SDVariable logvar = net.linear("fc22", h1, config.hidden(), config.latent()).rename("logvar");
        return new Posterior(mu, logvar);
    }

    /** h1 = relu(fc1(x)); with the convolutional network, x's features first: conv2(conv1(x)), flattened. */
    protected SDVariable encoderHidden(Net net, SDVariable x) {
        if (config.arch() == VaeConfig.Arch.CONV) {
            SDVariable features = ConvLayers.encoder(net, x, config);
            return net.relu(net.linear("fc1", conditioned(net, features), ConvLayers.features(config) + conditionSize(),
                    config.hidden()));
        }
        return net.relu(net.linear("fc1", conditioned(net, x), config.inputSize() + conditionSize(), config.hidden()));
    }

    /** logits = fc4(relu(fc3(z))); with the convolutional network, fc3 feeds the transposed convolutions instead. */
    @Override
    public SDVariable decoder(Net net, SDVariable z) {
        if (config.arch() == VaeConfig.Arch.CONV) {
            SDVariable h3 = net.relu(net.linear("fc3", conditioned(net, z), config.latent() + conditionSize(),
                    ConvLayers.features(config)));
            return net.named(ConvLayers.decoder(net, h3, config), "logits");
        }
        SDVariable h3 = net.relu(net.linear("fc3", conditioned(net, z), config.latent() + conditionSize(), config.hidden()));
        return net.named(net.linear("fc4", h3, config.hidden(), config.inputSize()), "logits");
    }

    @Override
    public SDVariable loss(Net net, SDVariable x) {
        Posterior q = encoder(net, trainingInput(net, x));
        SDVariable logits = decoder(net, reparameterize(net, q));
        SDVariable recon = likelihood().negLogProb(net.sd(), x, logits, Likelihood.Reduction.TOTAL).rename("recon");
        return objective(net, recon, q);
    }

    /** z = mu + exp(0.5 * logvar) * eps. */
    protected SDVariable reparameterize(Net net, Posterior q) {
        SDVariable eps = net.normalNoise("eps", 1, config.latent());
        return q.mu().add("z", net.sd().math.exp(q.logvar().mul(0.5)).mul(eps));
    }

    /** KLD = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)), summed over the batch. */
    protected SDVariable kld(Net net, Posterior q) {
        return net.sd().sum(klTerms(net, q)).mul("kld", -0.5);
    }

    /** 1 + logvar - mu^2 - exp(logvar) per image and latent dimension: -2 times each one's KL. */
    private static SDVariable klTerms(Net net, Posterior q) {
        SDVariable mu = q.mu();
        SDVariable logvar = q.logvar();
        return logvar.add(1.0).sub(mu.mul(mu)).sub(net.sd().math.exp(logvar));
    }

    /**
     * The KL part of the training loss: KLD, or with free bits (Kingma et al. 2016) each latent dimension's KL summed
     * over the batch but at least {@code free_bits} nats per image, so that dimensions below it get no push towards the
     * prior; times the KL weight the trainer sets (1, or less during a KL warm-up).
     */
    protected SDVariable klTerm(Net net, Posterior q) {
        double lambda = config.freeBits();
        if (lambda == 0) {
            return kld(net, q).mul(net.klWeight());
        }
        SameDiff sd = net.sd();
        SDVariable perDimension = sd.sum(klTerms(net, q), 0).mul(-0.5);
        SDVariable floor = sd.sizeAt(q.mu(), 0).castTo(net.type()).mul(lambda);
        return sd.sum(sd.math.max(perDimension, floor)).rename("kld").mul(net.klWeight());
    }

    /** The training loss from its parts: here the negative ELBO, reconstruction + KLD. */
    protected SDVariable objective(Net net, SDVariable recon, Posterior q) {
        return recon.add("loss", klTerm(net, q));
    }

    /** What the encoder sees in training (the clean input here; corrupted in a denoising autoencoder). */
    protected SDVariable trainingInput(Net net, SDVariable x) {
        return x;
    }

    /** What fc1 reads of x and fc3 of z: themselves here, joined by the label in a conditional VAE. */
    protected SDVariable conditioned(Net net, SDVariable in) {
        return in;
    }

    /** The width {@link #conditioned} adds. */
    protected long conditionSize() {
        return 0;
    }

    @Override
    public Likelihood likelihood() {
        return Likelihood.of(config.decoder());
    }

    @Override
    public int latent() {
        return config.latent();
    }
}
