package org.dl4jvae.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One model of the family, whatever computes it: the SameDiff runtime ({@link org.dl4jvae.model.samediff.SameDiffVae},
 * every variant) or DL4J's VariationalAutoencoder layer ({@link org.dl4jvae.model.dl4j.Dl4jLayerVae}, the reference
 * VAE). Engines implement training, the encoder, the decoder and the likelihood; everything derived from those
 * (sampling, reconstruction, the negative ELBO, the importance-weighted likelihood) is defined once here.
 *
 * <p>Labels are one-hot rows {@code [batch, classes]}; only a conditional model ({@link #classes()} above 0) reads
 * them, and for the others they may be null.
 *
 * <p>Weights are exchanged as named arrays {@code fc1_W, fc1_b, fc21_W, ..., fc4_b}; a weight {@code fcN_W} is
 * {@code [fan_in, fan_out]}, the transpose of PyTorch's {@code fcN.weight}.
 *
 * <p>An engine reuses its working arrays from call to call: use it from one thread at a time.
 */
public interface VaeEngine {

    /** The layer names of the reference model, in order, as in the PyTorch example. */
    String[] LAYERS = {"fc1", "fc21", "fc22", "fc3", "fc4"};

    /** {@code samediff} or {@code dl4j}. */
    String kind();

    /** The settings, including the variant's name ({@link VaeConfig#model()}). */
    VaeConfig config();

    /** Whether the model has a prior and a stochastic encoder: false for plain and denoising autoencoders. */
    default boolean probabilistic() {
        return true;
    }

    /** The number of classes a conditional model reads from the labels; 0 for a model that reads none. */
    default int classes() {
        return 0;
    }

    /**
     * The batch to evaluate in, at most {@code wanted}: fewer for a convolutional network, whose activations take about
     * 0.5 MB per image in the evaluation graphs (1000 images would take 1.4 GB where 200 take 0.75 GB in all).
     */
    default int evaluationBatch(int wanted) {
        return config().arch() == VaeConfig.Arch.CONV ? Math.min(wanted, 200) : wanted;
    }

    /**
     * Where training draws its noise: ND4J's generator ({@link Noise#ND4J}, seeded by {@link #fit}'s seed), or the
     * PyTorch generator of a model configured with {@link VaeConfig.Rng#PYTORCH}, which goes on from step to step and
     * epoch to epoch and which a saved model keeps.
     */
    default Noise trainingNoise() {
        return Noise.ND4J;
    }

    /**
     * Trains one epoch on the iterator's batches, drawing noise from {@link #trainingNoise()} (ND4J's generator seeded
     * with {@code seed}).
     * Returns the mean training loss per image (before each step's update).
     */
    default double fit(DataSetIterator data, long seed, StepListener listener) {
        VaeMath.seed(seed);
        double total = 0;
        long images = 0;
        data.reset();
        for (int step = 0; data.hasNext(); step++) {
            DataSet batch = data.next();
            INDArray x = batch.getFeatures();
            listener.beforeStep(step);
            double loss = trainStep(x, batch.getLabels());
            total += loss;
            images += x.rows();
            listener.onStep((int) x.rows(), loss);
        }
        return total / images;
    }

    /** {@link #fit(DataSetIterator, long, StepListener)} without a listener. */
    default double fit(DataSetIterator data, long seed) {
        return fit(data, seed, StepListener.NONE);
    }

    /** One optimiser step on a batch {@code [batch, inputSize]}; returns the batch's summed loss before the step. */
    double trainStep(INDArray x, INDArray labels);

    /**
     * A batch's gradient, without a step: the summed loss and the gradient of that loss by the engine's own names (the
     * same names as the arrays of {@link #applyGradient}). The arrays are valid until the engine's next call. A step of
     * {@link #trainStep} is this followed by {@link #applyGradient} with the batch's size.
     */
    Gradient gradient(INDArray x, INDArray labels);

    /**
     * One optimiser step from a gradient of {@link #gradient}'s form, summed over batches of {@code images} images in
     * all (synchronous data-parallel training adds the workers' gradients and steps once).
     */
    void applyGradient(Map<String, INDArray> gradient, long images);

    /** A batch's summed loss and its gradient by name. */
    record Gradient(double loss, Map<String, INDArray> arrays) {
    }

    /**
     * Everything training changes, by name: the weights, the optimiser's moments and its step count (what a checkpoint
     * holds besides the configuration). Averaging two engines' states name by name averages their weights and Adam
     * moments; the step count is the same in both.
     */
    Map<String, INDArray> trainingState();

    /** The name of the optimiser's step count (a scalar) in {@link #trainingState()}. */
    String STEP_COUNT = "adam_iteration";

    /** Restores a state of {@link #trainingState()}'s form, of a model of the same configuration. */
    void setTrainingState(Map<String, INDArray> state);

    /** The optimiser's step count: steps taken so far. */
    int steps();

    /** Adam's step size for the next step ({@link #setStepSize}). */
    double stepSize();

    /** The weight of the KL term in the training loss ({@link #setKlWeight}); 1 for models without one. */
    default double klWeight() {
        return 1.0;
    }

    /** {@link #trainStep(INDArray, INDArray)} of a model that reads no labels. */
    default double trainStep(INDArray x) {
        return trainStep(x, null);
    }

    /** Told around every training step: for progress bars, divergence checks and learning-rate schedules. */
    @FunctionalInterface
    interface StepListener {
        StepListener NONE = (images, loss) -> { };

        /** @param images the step's batch size; @param loss the step's summed loss */
        void onStep(int images, double loss);

        /** Before step {@code step} (from 0) of the epoch: where a learning-rate schedule sets the step size. */
        default void beforeStep(int step) {
        }
    }

    /** The parameters of q(z|x) for a batch {@code [batch, inputSize]} (the code alone for a deterministic encoder). */
    Encoding encode(INDArray x, INDArray labels);

    default Encoding encode(INDArray x) {
        return encode(x, null);
    }

    /** E[x|z]: the decoded images for latent codes {@code z} ({@code [batch, latent]}). */
    INDArray decode(INDArray z, INDArray labels);

    default INDArray decode(INDArray z) {
        return decode(z, null);
    }

    /** log p(x|z) per row, in nats, double precision. */
    INDArray logLikelihood(INDArray x, INDArray z, INDArray labels);

    default INDArray logLikelihood(INDArray x, INDArray z) {
        return logLikelihood(x, z, null);
    }

    /**
     * Changes Adam's learning rate from the next step on (the optimiser's moments stay), for example to resume a
     * diverged run more carefully; {@link #config()} then names the new rate.
     */
    void setLearningRate(double learningRate);

    /**
     * Adam's step size for the next steps, as a learning-rate schedule sets it; {@link #config()}'s {@code lr}, the
     * schedule's base, stays.
     */
    void setStepSize(double learningRate);

    /**
     * The weight of the KL term in the training loss from the next step on (1 by default; a KL warm-up raises it from
     * 0). Engines and models without such a weight refuse it.
     */
    default void setKlWeight(double weight) {
        throw new UnsupportedOperationException("the " + kind() + " engine has no KL weight to set");
    }

    /**
     * Clips each step's gradient to this global (L2) norm over all weights, 0 for no clipping (the default). The
     * gradient is that of the step's loss as {@link #trainStep} reports it.
     */
    void setClipNorm(double maxNorm);

    /** The global norm of the last step's gradient before clipping (NaN when no step has been taken or not tracked). */
    double lastGradientNorm();

    /** A copy of the weights, by name ({@code fc1_W}, ...). */
    Map<String, INDArray> weights();

    /** Replaces the weights; every name of {@link #weights()} must be present with the same shape. */
    void setWeights(Map<String, INDArray> weights);

    /**
     * Writes the model, its optimiser state, its configuration and the caller's metadata (for example the epoch) to
     * one file, atomically.
     */
    void save(Path file, Map<String, String> metadata) throws IOException;

    /** Decodes the latent means (codes) of x. */
    default INDArray reconstruct(INDArray x, INDArray labels) {
        return decode(encode(x, labels).mu(), labels);
    }

    default INDArray reconstruct(INDArray x) {
        return reconstruct(x, null);
    }

    /**
     * n images decoded from z ~ N(0, I), drawn with the given seed; a conditional model draws image i of class
     * {@code i % classes()}.
     */
    default INDArray sample(int n, long seed) {
        return sample(n, seed, classes() > 0 ? VaeMath.cyclicLabels(n, classes()) : null);
    }

    /** n images decoded from z ~ N(0, I) with the given labels (one row per image; null without labels). */
    default INDArray sample(int n, long seed, INDArray labels) {
        if (!probabilistic()) {
            throw new UnsupportedOperationException("model " + config().model() + " has no prior to sample from");
        }
        VaeMath.seed(seed);
        return decode(Noise.ND4J.standardNormal(DataType.FLOAT, n, config().latent()), labels);
    }

    /**
     * The reconstruction log-probability of An and Cho (2015), per row: log of the mean of p(x|z_l) over
     * {@code samples} draws z_l ~ q(z|x) (log-mean-exp, stable); for a deterministic encoder log p(x|code). Low
     * values mark atypical inputs.
     */
    default INDArray reconstructionLogProbability(INDArray x, int samples) {
        return reconstructionLogProbability(x, null, samples);
    }

    /** {@link #reconstructionLogProbability(INDArray, int)} with labels, for a conditional model. */
    default INDArray reconstructionLogProbability(INDArray x, INDArray labels, int samples) {
        Encoding q = encode(x, labels);
        if (!q.stochastic()) {
            return logLikelihood(x, q.mu(), labels);
        }
        INDArray ll = Nd4j.create(DataType.DOUBLE, x.rows(), samples);
        for (int s = 0; s < samples; s++) {
            try (MemoryWorkspace sample = VaeMath.sampleScratch()) {
                ll.putColumn(s, logLikelihood(x, q.sample(), labels));
            }
        }
        return VaeMath.logMeanExp(ll);
    }

    /**
     * The negative ELBO over a dataset, nats per image, with one z sample per image (eps seeded by {@code seed}) and
     * beta 1, as the reference's test loss. For a deterministic encoder: the reconstruction loss at the code, KL 0.
     */
    default ElboEstimate negativeElbo(DataSetIterator data, long seed) {
        return negativeElbo(data, seed, Noise.ND4J);
    }

    /**
     * The same with eps from the given noise ({@code seed} seeds ND4J's generator; training's evaluation passes
     * {@link #trainingNoise()}).
     */
    default ElboEstimate negativeElbo(DataSetIterator data, long seed, Noise noise) {
        VaeMath.seed(seed);
        double rec = 0;
        double kl = 0;
        long n = 0;
        data.reset();
        while (data.hasNext()) {
            DataSet batch = data.next();
            INDArray x = batch.getFeatures();
            try (MemoryWorkspace ws = VaeMath.scratch()) {
                Encoding q = encode(x, batch.getLabels());
                rec -= logLikelihood(x, q.sample(noise), batch.getLabels()).sumNumber().doubleValue();
                if (q.stochastic()) {
                    kl += VaeMath.kld(q.mu(), q.logvar()).sumNumber().doubleValue();
                }
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
        if (!probabilistic()) {
            throw new UnsupportedOperationException("model " + config().model() + " has no likelihood bound");
        }
        VaeMath.seed(seed);
        double total = 0;
        long n = 0;
        data.reset();
        while (data.hasNext()) {
            DataSet batch = data.next();
            INDArray x = batch.getFeatures();
            INDArray y = batch.getLabels();
            try (MemoryWorkspace ws = VaeMath.scratch()) {
                Encoding q = encode(x, y);
                INDArray logw = Nd4j.create(DataType.DOUBLE, x.rows(), k);
                for (int s = 0; s < k; s++) {
                    try (MemoryWorkspace sample = VaeMath.sampleScratch()) {
                        INDArray z = q.sample();
                        INDArray w = logLikelihood(x, z, y).addi(VaeMath.logStandardNormal(z))
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
