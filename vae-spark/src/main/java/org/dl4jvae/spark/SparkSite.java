package org.dl4jvae.spark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.dl4jvae.app.AppException;
import org.dl4jvae.app.TrainingSite;
import org.dl4jvae.data.Shape;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.train.EpochPass;
import org.dl4jvae.model.train.TrainingConfig;
import picocli.CommandLine.Option;

/**
 * The app's {@code train} on a Spark cluster: the driver is this JVM ({@code java -jar vae-spark.jar} or
 * {@code spark-submit}), the workers are the partitions of one RDD, {@code --workers} of them, each reading its shard of
 * the training images from the shared data path.
 */
public final class SparkSite implements TrainingSite {

    /** {@code train}'s options for the cluster. */
    public static final class Options {
        @Option(names = "--master", description = "Spark master: local[N] (this machine), spark://HOST:PORT, yarn, "
                + "k8s://...; default: spark.master as spark-submit sets it, else local[*]")
        String master;
        @Option(names = "--workers", paramLabel = "W", description = "data-parallel workers (partitions, one task "
                + "each per round); default: the cluster's default parallelism")
        Integer workers;
        @Option(names = "--averaging-frequency", defaultValue = "5", paramLabel = "K", description = "local steps "
                + "per worker between averagings; 1: the workers' gradients are summed every step (synchronous SGD "
                + "on W x --batch-size images)")
        int averagingFrequency;
        @Option(names = "--data-uri", paramLabel = "URI", description = "the data (what --data-dir names) on a Hadoop "
                + "file system: hdfs://..., s3a://..., file://...; the driver and each executor copy it once to local "
                + "disk (under spark.local.dir) and read it there")
        String dataUri;
    }

    private final Options options = new Options();
    private JavaSparkContext sc;
    private JavaRDD<Integer> shards;
    private Job job;
    private int imagesPerEpoch;
    private int stepsPerEpoch;
    private final List<ParameterAveraging.RoundCost> costs = new java.util.ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger failedTasks = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Object options() {
        return options;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("spark_version", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        d.put("master", sc == null ? options.master : sc.master());
        d.put("workers", workers());
        d.put("averaging_frequency", options.averagingFrequency);
        if (options.dataUri != null) {
            d.put("data_uri", options.dataUri);
        }
        return d;
    }

    /** The costs of every round so far (time, bytes). */
    public List<ParameterAveraging.RoundCost> costs() {
        return List.copyOf(costs);
    }

    private int workers() {
        return options.workers != null ? options.workers : sc != null ? sc.defaultParallelism() : 0;
    }

    @Override
    public java.nio.file.Path localData() {
        if (options.dataUri == null) {
            return null;
        }
        start();
        return Staging.local(options.dataUri, sc.hadoopConfiguration());
    }

    @Override
    public Survey survey(String settingsJson, byte[] scaling) {
        start();
        int w = workers();
        var settings = readTree(settingsJson);
        job = new Job(UUID.randomUUID().toString(), settingsJson, scaling, settings.path("engine").asText(),
                settings.path("model").toString(), w, settings.path("training").path("batch_size").asInt(),
                settings.path("training").path("seed").asLong(), options.dataUri,
                sc.getConf().get("spark.dl4jvae.failOnce", null));
        shards = sc.parallelize(IntStream.range(0, w).boxed().toList(), w);
        Job j = job;
        List<Job.ShardFacts> facts = run(() -> shards.mapPartitionsWithIndex((shard, it) ->
                List.of(Worker.survey(j, shard)).iterator(), true).collect());
        Job.ShardFacts first = facts.get(0);
        imagesPerEpoch = facts.stream().mapToInt(Job.ShardFacts::size).sum();
        stepsPerEpoch = facts.stream().mapToInt(Job.ShardFacts::steps).max().orElse(0);
        for (Job.ShardFacts f : facts) {
            if (f.size() == 0) {
                throw AppException.usage(w + " workers for " + imagesPerEpoch + " training images leave worker "
                        + f.shard() + " without any: use fewer --workers");
            }
        }
        // every worker prepared the same images by the same rules: from here on they use the scaling they fitted
        job = job.with(first.scaling(), job.engine(), job.configJson());
        return new Survey(new Shape(first.channels(), first.rows(), first.cols()), imagesPerEpoch, first.numClasses(),
                first.scaling());
    }

    @Override
    public EpochPass pass(VaeEngine model, TrainingConfig training) {
        if (model.config().rng() != org.dl4jvae.model.VaeConfig.Rng.ND4J) { // workers draw their own noise
            throw new IllegalArgumentException("rng " + model.config().rng().name().toLowerCase(java.util.Locale.ROOT)
                    + " is one stream on one machine; Spark's workers draw their own noise (use rng nd4j)");
        }
        Job withModel = job.with(job.scaling(), model.kind(), ModelFamily.toJson(model.config()).toString());
        return new ParameterAveraging(sc, shards, withModel, options.averagingFrequency, training.clipNorm(),
                imagesPerEpoch, stepsPerEpoch, costs::add);
    }

    private void start() {
        if (sc != null) {
            return;
        }
        if (options.averagingFrequency < 1) { // before anything starts
            throw AppException.usage("--averaging-frequency must be at least 1");
        }
        if (options.workers != null && options.workers < 1) {
            throw AppException.usage("--workers must be at least 1");
        }
        SparkConf conf = new SparkConf().setAppName("dl4j-vae train");
        if (options.master != null) {
            conf.setMaster(options.master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        if (conf.get("spark.master").startsWith("local-cluster")) {
            localCluster(conf);
        }
        if (!conf.contains("spark.task.maxDirectResultSize")) { // a round's result (weights and moments, 8 MB for the
            // reference model) goes back with the task's status instead of through the block manager
            conf.set("spark.task.maxDirectResultSize", "64m");
        }
        // executors in JVMs of their own get the app's bounds on ND4J's off-heap memory unless told otherwise
        String javaOptions = conf.get("spark.executor.extraJavaOptions", "");
        if (!javaOptions.contains("javacpp.maxbytes")) {
            conf.set("spark.executor.extraJavaOptions", (javaOptions + " -Dorg.bytedeco.javacpp.maxbytes=700M "
                    + "-Dorg.bytedeco.javacpp.maxphysicalbytes=1300M").trim());
        }
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) { // Spark's SparkException (a bad master URL, say) is checked, and thrown all the same
            throw AppException.failure("cannot start Spark (" + conf.get("spark.master") + "): " + e.getMessage());
        }
        sc.setLogLevel("WARN");
        sc.sc().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedTasks.incrementAndGet();
                }
            }
        });
    }

    /** Tasks that failed (and were re-run, or the run failed) so far. */
    public int failedTasks() {
        return failedTasks.get();
    }

    /**
     * Spark's {@code local-cluster[N,cores,MB]} (a master, N workers and their executor JVMs on this machine, what
     * Spark's own tests use) launches executors as a Spark distribution would, from {@code $SPARK_HOME/jars}. Here
     * there is no distribution: the executors run on this JVM's class path and the launcher is told the Scala version
     * and not to look for a distribution's jars.
     */
    private static void localCluster(SparkConf conf) {
        if (!conf.contains("spark.executor.extraClassPath")) {
            String cp = java.util.Arrays.stream(System.getProperty(SparkVaeApp.CLASS_PATH,
                            System.getProperty("java.class.path")).split(java.io.File.pathSeparator))
                    .map(e -> java.nio.file.Path.of(e).toAbsolutePath().toString())
                    .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
            conf.set("spark.executor.extraClassPath", cp);
        }
        conf.setIfMissing("spark.executorEnv.SPARK_SCALA_VERSION", scala.util.Properties.versionNumberString()
                .replaceAll("^(\\d+\\.\\d+).*", "$1"));
        conf.setIfMissing("spark.executorEnv.SPARK_TESTING", "1");
    }

    /** Runs a Spark job; a task's own failure (bad data on a worker, say) is reported as that failure. */
    static <T> T run(java.util.function.Supplier<T> job) {
        try {
            return job.get();
        } catch (Exception e) { // Spark's SparkException is checked, and thrown through Java's Supplier all the same
            if (System.getenv("VAE_DEBUG") != null) {
                e.printStackTrace();
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof AppException app) {
                    throw app;
                }
            }
            if (!(e instanceof SparkException) && e instanceof RuntimeException r) {
                throw r;
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw AppException.failure("Spark job failed: " + (root == e ? "" : root.getClass().getSimpleName() + ": ")
                    + firstLine(root.getMessage()));
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return ModelFamily.json().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (!costs.isEmpty()) { // what the averaging cost, for the log of an unattended run
            double[] secs = costs.stream().mapToDouble(ParameterAveraging.RoundCost::seconds).sorted().toArray();
            System.err.printf("spark: %d rounds, median %.3f s (max %.3f), of which the driver's update %.3f s; "
                    + "%.2f MB broadcast and %.2f MB returned per round%n", secs.length, secs[secs.length / 2],
                    secs[secs.length - 1], costs.stream().mapToDouble(ParameterAveraging.RoundCost::averagingSeconds)
                            .sorted().skip(secs.length / 2).findFirst().orElse(0), costs.get(0).bytesBroadcast() / 1e6,
                    costs.get(0).bytesReturned() / 1e6);
        }
        if (job != null) {
            Worker.forget(job);
        }
        if (sc != null) {
            sc.stop(); // delivers the listener's last events
            int failed = failedTasks();
            if (failed > 0) {
                System.err.printf("spark: %d task(s) failed and were run again%n", failed);
            }
            sc = null;
        }
    }
}
