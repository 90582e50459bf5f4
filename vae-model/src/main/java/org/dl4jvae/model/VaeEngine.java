package org.dl4jvae.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One VAE, whatever computes it: the SameDiff graph ({@link org.dl4jvae.model.samediff.SameDiffVae}) or DL4J's
 * VariationalAutoencoder layer ({@link org.dl4jvae.model.dl4j.Dl4jLayerVae}). Engines implement training, the
 * encoder and the decoder; everything derived from those (sampling, reconstruction, the negative ELBO, the
 * importance-weighted likelihood) is defined once here, so both engines are evaluated by the same code.
 *
 * <p>Weights are exchanged as named arrays {@code fc1_W, fc1_b, fc21_W, ..., fc4_b}; a weight {@code fcN_W} is
 * {@code [fan_in, fan_out]}, the transpose of PyTorch's {@code fcN.weight}.
 *
 * <p>An engine reuses its working arrays from call to call: use it from one thread at a time.
 */
public interface VaeEngine {

    /** The layer names, in order, as in the reference PyTorch model. */
    String[] LAYERS = {"fc1", "fc21", "fc22", "fc3", "fc4"};

    /** {@code samediff} or {@code dl4j}. */
    String kind();

    VaeConfig config();

    /**
     * Trains one epoch on the iterator's features (labels are ignored), drawing eps from ND4J's generator seeded
     * with {@code seed}. Returns the mean training loss per image (BCE + beta * KL, before each step's update).
     */
    default double fit(DataSetIterator data, long seed, StepListener listener) {
        Nd4j.getRandom().setSeed(seed);
        double total = 0;
        long images = 0;
        data.reset();
        while (data.hasNext()) {
            INDArray x = data.next().getFeatures();
            double loss = trainStep(x);
            total += loss;
            images += x.rows();
            listener.onStep((int) x.rows(), loss);
        }
        return total / images;
    }

    /** One optimiser step on a batch {@code [batch, inputSize]}; returns the batch's summed loss before the step. */
    double trainStep(INDArray x);

    /** {@link #fit(DataSetIterator, long, StepListener)} without a listener. */
    default double fit(DataSetIterator data, long seed) {
        return fit(data, seed, StepListener.NONE);
    }

    /** Told after every training step: for progress bars and divergence checks. */
    @FunctionalInterface
    interface StepListener {
        StepListener NONE = (images, loss) -> { };

        /** @param images the step's batch size; @param loss the step's summed loss */
        void onStep(int images, double loss);
    }

    /** The parameters of q(z|x) for a batch {@code [batch, inputSize]}. */
    Encoding encode(INDArray x);

    /** E[x|z]: the decoded image for latent codes {@code z} ({@code [batch, latent]}). */
    INDArray decode(INDArray z);

    /** log p(x|z) per row, in nats. */
    INDArray logLikelihood(INDArray x, INDArray z);

    /** A copy of the weights, by name ({@code fc1_W}, ...). */
    Map<String, INDArray> weights();

    /** Replaces the weights; every name of {@link #weights()} must be present with the same shape. */
    void setWeights(Map<String, INDArray> weights);

    /**
     * Writes the model, its optimiser state, its configuration and the caller's metadata (for example the epoch) to
     * one file, atomically.
     */
    void save(Path file, Map<String, String> metadata) throws IOException;

    /** Decodes the latent means of x. */
    default INDArray reconstruct(INDArray x) {
        return decode(encode(x).mu());
    }

    /** n images decoded from z ~ N(0, I), drawn with the given seed. */
    default INDArray sample(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return decode(VaeMath.standardNormal(DataType.FLOAT, n, config().latent()));
    }

    /**
     * The reconstruction log-probability of An and Cho (2015), per row: log of the mean of p(x|z_l) over
     * {@code samples} draws z_l ~ q(z|x) (log-mean-exp, stable). Low values mark atypical inputs.
     */
    default INDArray reconstructionLogProbability(INDArray x, int samples) {
        Encoding q = encode(x);
        INDArray ll = Nd4j.create(DataType.DOUBLE, x.rows(), samples);
        for (int s = 0; s < samples; s++) {
            try (MemoryWorkspace sample = VaeMath.sampleScratch()) {
                ll.putColumn(s, logLikelihood(x, q.sample()));
            }
        }
        return VaeMath.logMeanExp(ll);
    }

    /**
     * The negative ELBO over a dataset, nats per image, with one z sample per image (eps seeded by {@code seed}) and
     * beta 1, as the reference's test loss.
     */
    default ElboEstimate negativeElbo(DataSetIterator data, long seed) {
        Nd4j.getRandom().setSeed(seed);
        double rec = 0;
        double kl = 0;
        long n = 0;
        data.reset();
        while (data.hasNext()) {
            INDArray x = data.next().getFeatures();
            try (MemoryWorkspace ws = VaeMath.scratch()) {
                Encoding q = encode(x);
                rec -= logLikelihood(x, q.sample()).sumNumber().doubleValue();
                kl += VaeMath.kld(q.mu(), q.logvar()).sumNumber().doubleValue();
            }
            n += x.rows();
        }
        return new ElboEstimate((rec + kl) / n, rec / n, kl / n, n);
    }

    /**
     * The importance-weighted estimate of -log p(x) with {@code k} samples from q(z|x), nats per image
     * (Burda et al.): -log mean_k [p(x|z_k) p(z_k) / q(z_k|x)], with a stable log-sum-exp. It is a tighter bound
     * than the negative ELBO and does not rise, in expectation, as k grows.
     */
    default double importanceWeightedNll(DataSetIterator data, int k, long seed) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1: " + k);
        }
        Nd4j.getRandom().setSeed(seed);
        double total = 0;
        long n = 0;
        data.reset();
        while (data.hasNext()) {
            INDArray x = data.next().getFeatures();
            try (MemoryWorkspace ws = VaeMath.scratch()) {
                Encoding q = encode(x);
                INDArray logw = Nd4j.create(DataType.DOUBLE, x.rows(), k);
                for (int s = 0; s < k; s++) {
                    try (MemoryWorkspace sample = VaeMath.sampleScratch()) {
                        INDArray z = q.sample();
                        INDArray w = logLikelihood(x, z).addi(VaeMath.logStandardNormal(z))
                                .subi(VaeMath.logNormal(z, q.mu(), q.logvar()));
                        logw.putColumn(s, w);
                    }
                }
                total -= VaeMath.logMeanExp(logw).sumNumber().doubleValue();
            }
            n += x.rows();
        }
        return total / n;
    }
}
