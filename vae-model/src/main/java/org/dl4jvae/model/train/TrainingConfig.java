package org.dl4jvae.model.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dl4jvae.model.InvalidSettingException;

/**
 * How a model is trained: epochs in total, images per step, and the seed of the data order and the noise (the weight
 * initialisation has its own seed in the model's configuration). Immutable; JSON names as on the command line.
 *
 * @param epochs epochs in total (a resumed run trains up to this many)
 * @param batchSize images per optimiser step
 * @param seed seeds each epoch's order ({@code seed}, epoch) and noise
 */
public record TrainingConfig(@JsonProperty("epochs") int epochs, @JsonProperty("batch_size") int batchSize,
                             @JsonProperty("seed") long seed) {

    public TrainingConfig {
        if (epochs <= 0) {
            throw new InvalidSettingException("epochs", "must be positive, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new InvalidSettingException("batch_size", "must be positive, got " + batchSize);
        }
    }

    /** The reference: 10 epochs of 128-image batches, seed 1. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(10, 128, 1);
    }

    public TrainingConfig withEpochs(int epochs) {
        return new TrainingConfig(epochs, batchSize, seed);
    }

    /** The seed of epoch {@code epoch}'s noise (0-based). */
    long noiseSeed(int epoch) {
        return seed * 1_000_003L + epoch;
    }

    /** The seed of the test-set evaluation's noise, the same every epoch. */
    long evaluationSeed() {
        return seed + 7919;
    }
}
