package org.dl4jvae.spark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.train.EpochPass;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An epoch on Spark, the design of DL4J's {@code ParameterAveragingTrainingMaster}: in each round every worker starts
 * from the driver's broadcast weights and Adam moments, takes K steps on its own shard, and the driver averages what
 * they return (weights and moments, name by name) into its model. With K = 1 the workers return their batch's gradient
 * instead and the driver takes one Adam step on their sum: averaging Adam steps is not Adam on the averaged gradient
 * (Adam divides each step by its own moments), and this is exactly synchronous SGD on the union of the workers'
 * batches. Either way one worker is a single machine: the same batches, noise and steps.
 */
final class ParameterAveraging implements EpochPass {

    private final JavaSparkContext sc;
    private final JavaRDD<Integer> shards;
    private final Job job;
    private final int averagingFrequency;
    private final double clipNorm;
    private final int imagesPerEpoch;
    private final int stepsPerEpoch;
    private final Consumer<RoundCost> costs;
    /** Each shard's noise generator after its last round of the current epoch. */
    private final Map<Integer, long[]> random = new HashMap<>();

    /** What one round cost, for the driver's log and the measurements in the README. */
    record RoundCost(int epoch, int round, long bytesBroadcast, long bytesReturned, double seconds,
                     double averagingSeconds) {
    }

    ParameterAveraging(JavaSparkContext sc, JavaRDD<Integer> shards, Job job, int averagingFrequency, double clipNorm,
                       int imagesPerEpoch, int stepsPerEpoch, Consumer<RoundCost> costs) {
        this.sc = sc;
        this.shards = shards;
        this.job = job;
        this.averagingFrequency = averagingFrequency;
        this.clipNorm = clipNorm;
        this.imagesPerEpoch = imagesPerEpoch;
        this.stepsPerEpoch = stepsPerEpoch;
        this.costs = costs;
    }

    @Override
    public int imagesPerEpoch() {
        return imagesPerEpoch;
    }

    /** The longest shard's steps (as the survey found them): rounds continue until every shard has trained its epoch. */
    @Override
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    @Override
    public double train(VaeEngine model, int epoch, long noiseSeed, VaeEngine.StepListener listener) {
        boolean gradients = averagingFrequency == 1;
        int steps = stepsPerEpoch();
        double loss = 0;
        long images = 0;
        random.clear();
        for (int round = 0, first = 0; first < steps; round++, first += averagingFrequency) {
            int k = Math.min(averagingFrequency, steps - first);
            double[] stepSizes = new double[k];
            for (int j = 0; j < k; j++) { // a schedule sets the step size of each step on the driver's model
                listener.beforeStep(first + j);
                stepSizes[j] = model.stepSize();
            }
            long t0 = System.nanoTime();
            NamedFloats state = gradients ? NamedFloats.of(model.weights(), null)
                    : NamedFloats.of(model.trainingState(), VaeEngine.STEP_COUNT);
            Job.Round r = new Job.Round(epoch, round, first, k, noiseSeed, gradients, state, model.steps(), stepSizes,
                    model.klWeight(), clipNorm, Map.copyOf(random));
            Broadcast<Job.Round> b = sc.broadcast(r);
            Job j = job;
            Job.Result result = SparkSite.run(() -> shards.mapPartitionsWithIndex((shard, it) ->
                    List.of(Worker.round(j, b.value(), shard)).iterator(), true).treeReduce(Job.Result::merge));
            long t1 = System.nanoTime();
            b.destroy();
            if (result.sum() == null) {
                throw new IllegalStateException("no worker had a batch in round " + round + " of epoch " + epoch);
            }
            if (gradients) {
                model.applyGradient(result.sum().toNd4j(), result.images());
            } else {
                Map<String, INDArray> averaged = result.sum().scale(1f / result.contributors()).toNd4j();
                averaged.put(VaeEngine.STEP_COUNT, Nd4j.scalar(result.stepCount()));
                model.setTrainingState(averaged);
            }
            long t2 = System.nanoTime();
            random.putAll(result.random());
            costs.accept(new RoundCost(epoch, round, 4 * state.size(), 4 * result.sum().size() * result.contributors(),
                    (t2 - t0) / 1e9, (t2 - t1) / 1e9));
            loss += result.loss();
            images += result.images();
            listener.onStep((int) result.images(), result.loss());
        }
        return loss / images;
    }
}
