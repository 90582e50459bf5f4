package org.dl4jvae.model.train;

import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.VaeEngine;

/**
 * Where and how one epoch of training runs: on this machine over a {@link MinibatchIterator} ({@link #local}), or
 * spread over workers that hold the data (the {@code vae-spark} module). The {@link Trainer} around it evaluates,
 * checkpoints and resumes the same way for both.
 */
public interface EpochPass {

    /** The images one epoch trains on. */
    int imagesPerEpoch();

    /** The optimiser steps of one epoch, as a learning-rate schedule counts them. */
    int stepsPerEpoch();

    /**
     * Trains epoch {@code epoch} (from 0) into {@code model}, its noise seeded with {@code noiseSeed}, and returns the
     * mean training loss per image (each batch's before its step). {@code listener.beforeStep(s)} comes before step
     * {@code s} takes its step size from the model; {@code onStep} reports the images and summed loss of a step or of a
     * group of steps.
     */
    double train(VaeEngine model, int epoch, long noiseSeed, VaeEngine.StepListener listener);

    /** Epochs on this machine: the iterator's seeded order for each epoch, one step per batch. */
    static EpochPass local(MinibatchIterator batches) {
        return new EpochPass() {
            @Override
            public int imagesPerEpoch() {
                return batches.imagesPerEpoch();
            }

            @Override
            public int stepsPerEpoch() {
                return batches.batchesPerEpoch();
            }

            @Override
            public double train(VaeEngine model, int epoch, long noiseSeed, VaeEngine.StepListener listener) {
                batches.setEpoch(epoch);
                return model.fit(batches, noiseSeed, listener);
            }
        };
    }
}
