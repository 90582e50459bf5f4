package org.dl4jvae.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * What every task of a run needs, sent once with each task's closure: the run's settings (the workers prepare the
 * training images by the app's rules), its scaling, the engine and model, and how the images are split.
 *
 * @param id names this run's shards in the executors' caches
 * @param settingsJson the run's settings as {@code TrainingData.forWorker} reads them
 * @param scaling the run's scaling, or null to fit it (the survey)
 * @param engine the engine's name; {@code configJson} the model's configuration (as model files hold it)
 * @param workers the number of shards (partitions)
 * @param batchSize images per step on each worker
 * @param seed the training seed: shard 0's batch order is a single machine's
 * @param dataUri the data's Hadoop URI, which each executor copies to its disk ({@link Staging}), or null when the
 *        settings' data directory is on every machine
 * @param failOnce a test's injected failure, {@code "epoch:round"} (the first attempt of shard 0's task of that round
 *        fails after its first step), or null
 */
record Job(String id, String settingsJson, byte[] scaling, String engine, String configJson, int workers,
           int batchSize, long seed, String dataUri, String failOnce) implements Serializable {

    /** The same job with the scaling the workers use and the model they train. */
    Job with(byte[] scaling, String engine, String configJson) {
        return new Job(id, settingsJson, scaling, engine, configJson, workers, batchSize, seed, dataUri, failOnce);
    }

    /** One round of an epoch, broadcast to the workers. */
    record Round(int epoch, int round, int firstStep, int steps, long noiseSeed, boolean gradients,
                 NamedFloats state, int stepCount, double[] stepSizes, double klWeight, double clipNorm,
                 Map<Integer, long[]> random) implements Serializable {
    }

    /**
     * What the workers return, summed over them by {@link #merge}: the arrays (states or gradients), the images and
     * summed loss of their steps, how many workers took steps, the highest step count, and each worker's generator
     * state after the round (so that the next round continues its noise).
     */
    record Result(NamedFloats sum, long images, double loss, int contributors, int stepCount,
                  Map<Integer, long[]> random) implements Serializable {

        static Result merge(Result a, Result b) {
            if (a.sum == null) {
                return b.withRandom(a.random);
            }
            if (b.sum == null) {
                return a.withRandom(b.random);
            }
            java.util.Map<Integer, long[]> random = new java.util.HashMap<>(a.random);
            random.putAll(b.random);
            return new Result(a.sum.add(b.sum), a.images + b.images, a.loss + b.loss, a.contributors + b.contributors,
                    Math.max(a.stepCount, b.stepCount), random);
        }

        private Result withRandom(Map<Integer, long[]> more) {
            java.util.Map<Integer, long[]> random = new java.util.HashMap<>(this.random);
            random.putAll(more);
            return new Result(sum, images, loss, contributors, stepCount, random);
        }
    }

    /** What the survey learns of a worker's shard: its images, its steps per epoch, their shape, classes, scaling. */
    record ShardFacts(int shard, int size, int steps, int channels, int rows, int cols, int numClasses, byte[] scaling)
            implements Serializable {
    }
}
