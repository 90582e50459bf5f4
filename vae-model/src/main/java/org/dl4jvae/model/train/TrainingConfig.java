package org.dl4jvae.model.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.dl4jvae.model.InvalidSettingException;

/**
 * How a model is trained: epochs in total, images per step, the seed of the data order, the split and the noise (the
 * weight initialisation has its own seed in the model's configuration), and the controls of a careful experiment.
 * Immutable; JSON names as on the command line. The defaults (no validation split, no early stopping, a constant
 * learning rate, no KL warm-up, no clipping) are the reference run.
 *
 * @param epochs epochs in total (a resumed run trains up to this many)
 * @param batchSize images per optimiser step
 * @param seed seeds each epoch's order ({@code seed}, epoch), the noise and the validation split
 * @param valSplit the fraction of the training images held out for validation (0: none; then the best checkpoint is
 *                 the one with the lowest training loss); the test set never chooses anything
 * @param patience epochs without an improvement of the selection loss by more than {@code minDelta} after which
 *                 training stops (null: never)
 * @param minDelta the improvement that counts, nats per image
 * @param lrSchedule how the learning rate moves (null: constant)
 * @param klWarmup epochs over which the KL weight rises linearly from 0 to 1 (0: none)
 * @param clipNorm the global gradient norm each step is clipped to (0: none)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TrainingConfig(@JsonProperty("epochs") int epochs, @JsonProperty("batch_size") int batchSize,
                             @JsonProperty("seed") long seed, @JsonProperty("val_split") double valSplit,
                             @JsonProperty("patience") Integer patience, @JsonProperty("min_delta") double minDelta,
                             @JsonProperty("lr_schedule") LrSchedule lrSchedule,
                             @JsonProperty("kl_warmup") int klWarmup, @JsonProperty("clip_norm") double clipNorm) {

    public TrainingConfig {
        if (epochs <= 0) {
            throw new InvalidSettingException("epochs", "must be positive, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new InvalidSettingException("batch_size", "must be positive, got " + batchSize);
        }
        if (!(valSplit >= 0 && valSplit < 1)) {
            throw new InvalidSettingException("val_split", "must be in [0, 1), got " + valSplit);
        }
        if (patience != null && patience < 1) {
            throw new InvalidSettingException("patience", "must be at least 1, got " + patience);
        }
        if (!(minDelta >= 0)) {
            throw new InvalidSettingException("min_delta", "must not be negative, got " + minDelta);
        }
        if (klWarmup < 0) {
            throw new InvalidSettingException("kl_warmup", "must not be negative, got " + klWarmup);
        }
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw new InvalidSettingException("clip_norm", "must be a non-negative number, got " + clipNorm);
        }
        if (lrSchedule == null) {
            lrSchedule = LrSchedule.constant();
        }
    }

    /**
     * Reads the JSON form; a setting the file does not name (a run written before it existed) takes its default, so that
     * every earlier run directory still loads.
     */
    @com.fasterxml.jackson.annotation.JsonCreator
    static TrainingConfig read(@JsonProperty("epochs") Integer epochs, @JsonProperty("batch_size") Integer batchSize,
                               @JsonProperty("seed") Long seed, @JsonProperty("val_split") Double valSplit,
                               @JsonProperty("patience") Integer patience, @JsonProperty("min_delta") Double minDelta,
                               @JsonProperty("lr_schedule") LrSchedule lrSchedule,
                               @JsonProperty("kl_warmup") Integer klWarmup, @JsonProperty("clip_norm") Double clipNorm) {
        TrainingConfig d = defaults();
        return new TrainingConfig(epochs == null ? d.epochs() : epochs, batchSize == null ? d.batchSize() : batchSize,
                seed == null ? d.seed() : seed, valSplit == null ? 0 : valSplit, patience,
                minDelta == null ? 0 : minDelta, lrSchedule, klWarmup == null ? 0 : klWarmup,
                clipNorm == null ? 0 : clipNorm);
    }

    /** The reference controls: none. */
    public TrainingConfig(int epochs, int batchSize, long seed) {
        this(epochs, batchSize, seed, 0, null, 0, null, 0, 0);
    }

    /** The reference: 10 epochs of 128-image batches, seed 1. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(10, 128, 1);
    }

    /** The same training with another learning-rate schedule (from a resumed run's next step on). */
    public TrainingConfig withLrSchedule(LrSchedule schedule) {
        return new TrainingConfig(epochs, batchSize, seed, valSplit, patience, minDelta, schedule, klWarmup, clipNorm);
    }

    public TrainingConfig withEpochs(int epochs) {
        return new TrainingConfig(epochs, batchSize, seed, valSplit, patience, minDelta, lrSchedule, klWarmup, clipNorm);
    }

    /** How many of {@code images} training images the validation split holds out. */
    public int validationSize(int images) {
        return (int) Math.round(valSplit * images);
    }

    /** The KL weight of epoch {@code epoch} (1-based): rising linearly from 0 over {@code klWarmup} epochs, then 1. */
    public double klWeight(int epoch) {
        return klWarmup == 0 ? 1.0 : Math.min(1.0, (epoch - 1) / (double) klWarmup);
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
