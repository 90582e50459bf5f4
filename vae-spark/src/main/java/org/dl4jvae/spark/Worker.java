package org.dl4jvae.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.dl4jvae.app.TrainingData;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.NativeMemory;
import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.VaeMath;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The executors' side: each keeps the shards it has read (the training images {@code i} with
 * {@code i % workers == shard}, prepared by the app's rules), their seeded batch order and an engine per shard, from
 * task to task. Nothing a task computes depends on what the cache holds: a task repositions its shard's batches from
 * the epoch and step the round names, and its engine and noise generator from the round's broadcast state, so a task
 * re-run by Spark (a lost executor, a failed attempt) returns exactly what the first attempt would have.
 */
final class Worker {

    /** Shards by run and index, kept for the executor's life (a run's job id is new for every start). */
    private static final Map<String, Shard> SHARDS = new ConcurrentHashMap<>();

    private static final class Shard {
        final ImageSet images;
        final byte[] scaling;
        final MinibatchIterator batches;
        VaeEngine engine;
        int epoch = -1;
        int served;

        Shard(ImageSet images, byte[] scaling, MinibatchIterator batches) {
            this.images = images;
            this.scaling = scaling;
            this.batches = batches;
        }
    }

    private Worker() {
    }

    /** Reads (or finds) the shard and tells what it holds: the survey of the training images. */
    static Job.ShardFacts survey(Job job, int shard) {
        Shard s = shard(job, shard);
        return new Job.ShardFacts(shard, s.batches.imagesPerEpoch(), s.batches.batchesPerEpoch(), s.images.channels(),
                s.images.rows(), s.images.cols(), s.images.numClasses(), s.scaling);
    }

    /**
     * Drops a run's shards from this JVM's cache: in local mode the executors are the driver's JVM, which outlives the
     * run (an executor of its own ends with the application).
     */
    static void forget(Job job) {
        SHARDS.keySet().removeIf(key -> key.startsWith(job.id() + "/"));
    }

    /**
     * The images of shard {@code shard}: every {@code workers}-th from the {@code shard}-th, so that each worker sees
     * every class even when the files are sorted by class; one worker has them all, in their order.
     */
    static ImageSet shardOf(ImageSet all, int workers, int shard) {
        return workers == 1 ? all : all.select(IntStream.range(0, all.size()).filter(i -> i % workers == shard).toArray());
    }

    /** The seed of a shard's batch order: shard 0 has a single machine's, the others their own. */
    static long batchSeed(long seed, int shard) {
        return shard == 0 ? seed : seed + 1_000_003L * shard;
    }

    /** The seed of a shard's noise in an epoch whose single-machine noise seed is {@code noiseSeed}. */
    static long noiseSeed(long noiseSeed, int shard) {
        return shard == 0 ? noiseSeed : noiseSeed + shard * 0x9E3779B97F4A7C15L;
    }

    /** One round on one shard: K local steps (or one gradient), or nothing when the shard's epoch has ended. */
    static Job.Result round(Job job, Job.Round round, int shard) {
        Shard s = shard(job, shard);
        synchronized (s) {
            int k = Math.min(round.steps(), s.batches.batchesPerEpoch() - round.firstStep());
            if (k <= 0) {
                return new Job.Result(null, 0, 0, 0, 0, Map.of());
            }
            position(s, round.epoch(), round.firstStep());
            VaeEngine engine = engine(job, s);
            Random random = Nd4j.getRandom();
            long[] state = round.random().get(shard);
            if (round.firstStep() == 0 || state == null) { // the epoch's noise, as a single machine seeds it
                VaeMath.seed(noiseSeed(round.noiseSeed(), shard));
            } else {
                random.setStates(state[0], state[1]);
            }
            if (round.klWeight() != engine.klWeight()) {
                engine.setKlWeight(round.klWeight());
            }
            double loss = 0;
            long images = 0;
            NamedFloats sum;
            if (round.gradients()) {
                engine.setWeights(round.state().toNd4j());
                DataSet batch = next(s);
                VaeEngine.Gradient g = engine.gradient(batch.getFeatures(), batch.getLabels());
                loss = g.loss();
                images = batch.getFeatures().rows();
                sum = NamedFloats.of(g.arrays(), null);
                failOnceForTests(job, round, shard);
            } else {
                Map<String, INDArray> st = round.state().toNd4j();
                st.put(VaeEngine.STEP_COUNT, Nd4j.scalar(round.stepCount()));
                engine.setTrainingState(st);
                engine.setClipNorm(round.clipNorm());
                for (int j = 0; j < k; j++) {
                    engine.setStepSize(round.stepSizes()[j]);
                    DataSet batch = next(s);
                    loss += engine.trainStep(batch.getFeatures(), batch.getLabels());
                    images += batch.getFeatures().rows();
                    failOnceForTests(job, round, shard);
                }
                sum = NamedFloats.of(engine.trainingState(), VaeEngine.STEP_COUNT);
            }
            return new Job.Result(sum, images, loss, 1, engine.steps(),
                    Map.of(shard, new long[] {random.rootState(), random.nodeState()}));
        }
    }

    private static DataSet next(Shard s) {
        DataSet batch = s.batches.next();
        s.served++;
        return batch;
    }

    /** Moves the shard's batches to step {@code first} of {@code epoch}, replaying the order when it is elsewhere. */
    private static void position(Shard s, int epoch, int first) {
        if (s.epoch == epoch && s.served == first) {
            return;
        }
        s.batches.setEpoch(epoch);
        s.epoch = epoch;
        s.served = 0;
        while (s.served < first) {
            next(s);
        }
    }

    private static VaeEngine engine(Job job, Shard s) {
        if (s.engine == null) {
            try {
                s.engine = VaeEngines.create(job.engine(), ModelFamily.fromJson(ModelFamily.json().readTree(job.configJson())));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("unreadable model configuration: " + e.getMessage(), e);
            }
        }
        return s.engine;
    }

    private static Shard shard(Job job, int shard) {
        return SHARDS.computeIfAbsent(job.id() + "/" + shard, key -> load(job, shard));
    }

    private static Shard load(Job job, int shard) {
        if (!"driver".equals(SparkEnv.get().executorId())) { // an executor JVM of its own: as the app sets the driver's
            int cores = SparkEnv.get().conf().getInt("spark.executor.cores", 1);
            NativeThreads.configure(1, Math.max(1, cores));
            NativeMemory.keepFreedMemory();
        }
        TrainingData.Prepared prepared = TrainingData.forWorker(settingsHere(job), job.scaling());
        ImageSet all = prepared.train();
        ImageSet mine = shardOf(all, job.workers(), shard);
        MinibatchIterator batches = MinibatchIterator.builder(mine).batchSize(job.batchSize())
                .seed(batchSeed(job.seed(), shard)).releasePrevious(true).build();
        try {
            return new Shard(mine, prepared.scaling().toBytes(), batches);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot serialise the scaling: " + e.getMessage(), e);
        }
    }

    /** The run's settings with the data directory of this machine: its copy of the data's URI, if there is one. */
    private static String settingsHere(Job job) {
        if (job.dataUri() == null) {
            return job.settingsJson();
        }
        java.nio.file.Path local = Staging.local(job.dataUri(),
                org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf()));
        try {
            var settings = (com.fasterxml.jackson.databind.node.ObjectNode) ModelFamily.json().readTree(job.settingsJson());
            ((com.fasterxml.jackson.databind.node.ObjectNode) settings.get("data")).put("data_dir", local.toString());
            return settings.toString();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A test's injected failure: the first attempt of shard 0's task in the named round fails after its first step. */
    private static void failOnceForTests(Job job, Job.Round round, int shard) {
        if (job.failOnce() != null && shard == 0 && job.failOnce().equals(round.epoch() + ":" + round.round())
                && TaskContext.get() != null && TaskContext.get().attemptNumber() == 0) {
            throw new IllegalStateException("injected failure of shard 0 in epoch " + round.epoch() + ", round "
                    + round.round() + " (spark.dl4jvae.failOnce)");
        }
    }
}
