package org.dl4jvae.model;

import java.util.Properties;

/**
 * The immutable settings of a VAE: layer sizes, the decoder's likelihood, initialisation and optimisation.
 * {@link #defaults()} is the reference PyTorch VAE: 784-400-20, Bernoulli decoder, PyTorch init, Adam 1e-3, beta 1.
 *
 * @param inputSize pixels per image (fc1 fan-in, fc4 fan-out)
 * @param hidden units of fc1 and fc3
 * @param latent size of z (fc21/fc22 outputs)
 * @param decoder likelihood p(x|z)
 * @param init weight initialisation
 * @param learningRate Adam's step size
 * @param beta weight of the KL term in the training loss (1 for the plain VAE; evaluation always uses 1)
 * @param seed seeds the weight initialisation
 */
public record VaeConfig(int inputSize, int hidden, int latent, Decoder decoder, Init init, double learningRate,
                        double beta, long seed) {

    /** The likelihood of the decoder. */
    public enum Decoder {
        /** Sigmoid outputs, binary cross-entropy loss: the reference. */
        BERNOULLI,
        /** Identity outputs, unit-variance Gaussian (summed squared error / 2 plus the constant): continuous data. */
        GAUSSIAN
    }

    /** How weights start. */
    public enum Init {
        /** PyTorch nn.Linear: weights and biases uniform in +-1/sqrt(fan_in). */
        PYTORCH,
        /** Xavier (Glorot) uniform weights, zero biases. */
        XAVIER
    }

    public VaeConfig {
        if (inputSize <= 0 || hidden <= 0 || latent <= 0) {
            throw new IllegalArgumentException("layer sizes must be positive: " + inputSize + "/" + hidden + "/" + latent);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number: " + learningRate);
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a non-negative number: " + beta);
        }
        if (decoder == null || init == null) {
            throw new IllegalArgumentException("decoder and init must be set");
        }
    }

    /** The reference model. */
    public static VaeConfig defaults() {
        return new VaeConfig(784, 400, 20, Decoder.BERNOULLI, Init.PYTORCH, 1e-3, 1.0, 1);
    }

    public VaeConfig withSizes(int inputSize, int hidden, int latent) {
        return new VaeConfig(inputSize, hidden, latent, decoder, init, learningRate, beta, seed);
    }

    public VaeConfig withDecoder(Decoder decoder) {
        return new VaeConfig(inputSize, hidden, latent, decoder, init, learningRate, beta, seed);
    }

    public VaeConfig withInit(Init init) {
        return new VaeConfig(inputSize, hidden, latent, decoder, init, learningRate, beta, seed);
    }

    public VaeConfig withLearningRate(double learningRate) {
        return new VaeConfig(inputSize, hidden, latent, decoder, init, learningRate, beta, seed);
    }

    public VaeConfig withBeta(double beta) {
        return new VaeConfig(inputSize, hidden, latent, decoder, init, learningRate, beta, seed);
    }

    public VaeConfig withSeed(long seed) {
        return new VaeConfig(inputSize, hidden, latent, decoder, init, learningRate, beta, seed);
    }

    /** The settings as properties, for model files. */
    public Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("inputSize", Integer.toString(inputSize));
        p.setProperty("hidden", Integer.toString(hidden));
        p.setProperty("latent", Integer.toString(latent));
        p.setProperty("decoder", decoder.name());
        p.setProperty("init", init.name());
        p.setProperty("learningRate", Double.toString(learningRate));
        p.setProperty("beta", Double.toString(beta));
        p.setProperty("seed", Long.toString(seed));
        return p;
    }

    /** Reads what {@link #toProperties()} wrote. */
    public static VaeConfig fromProperties(Properties p) {
        try {
            return new VaeConfig(Integer.parseInt(p.getProperty("inputSize")), Integer.parseInt(p.getProperty("hidden")),
                    Integer.parseInt(p.getProperty("latent")), Decoder.valueOf(p.getProperty("decoder")),
                    Init.valueOf(p.getProperty("init")), Double.parseDouble(p.getProperty("learningRate")),
                    Double.parseDouble(p.getProperty("beta")), Long.parseLong(p.getProperty("seed")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid VAE configuration " + p + ": " + e.getMessage(), e);
        }
    }
}
