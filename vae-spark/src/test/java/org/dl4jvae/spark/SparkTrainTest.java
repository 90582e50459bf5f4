package org.dl4jvae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.Dataset;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code train} on real Spark (local mode, and executors in JVMs of their own): one worker is a single machine, K = 1 is
 * synchronous SGD on the union of the workers' batches, a failed task and a resume change no number.
 */
class SparkTrainTest {

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = SparkFixture.dataset(tmp.resolve("data"));
    }

    /** A small model on the generated data; {@code more} adds options or gives others a value of their own. */
    private static String[] args(Path out, String... more) {
        Map<String, String> a = new java.util.LinkedHashMap<>(Map.of("--data-dir", data.toString(), "--hidden", "32",
                "--latent", "4", "--batch-size", "32", "--epochs", "2", "--progress", "plain", "--out", out.toString()));
        for (int i = 0; i < more.length; i += 2) {
            if (more[i + 1] == null) {
                a.remove(more[i]);
            } else {
                a.put(more[i], more[i + 1]);
            }
        }
        List<String> line = new ArrayList<>(List.of("train"));
        a.forEach((k, v) -> line.addAll(List.of(k, v)));
        return line.toArray(String[]::new);
    }

    private static SparkFixture.Result ok(SparkFixture.Result r) {
        assertEquals(0, r.exit(), () -> r.out() + r.err());
        return r;
    }

    private static void assertSameState(Map<String, INDArray> expected, Map<String, INDArray> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, e) -> assertArrayEquals(e.dup().data().asFloat(), actual.get(name).dup().data().asFloat(),
                0f, name));
    }

    @Test
    void oneWorkerTrainsExactlyAsOneMachine() throws Exception {
        Path alone = tmp.resolve("alone");
        ok(SparkFixture.local(args(alone)));
        for (String k : List.of("1", "3")) {
            Path spark = tmp.resolve("one-worker-k" + k);
            SparkFixture.Result r = ok(SparkFixture.spark(args(spark, "--master", "local[2]", "--workers", "1",
                    "--averaging-frequency", k)));
            assertTrue(r.out().contains("workers 1, averaging_frequency " + k), r.out());
            assertEquals(SparkFixture.losses(alone), SparkFixture.losses(spark), "K = " + k);
            assertSameState(SparkFixture.lastState(alone), SparkFixture.lastState(spark));
        }
    }

    @Test
    void gradientsEveryStepAreSynchronousSgdOnTheUnionOfTheBatches() throws Exception {
        // the plain autoencoder draws no noise, so the union of the two workers' batches is one machine's batch exactly
        Path run = tmp.resolve("sync");
        ok(SparkFixture.spark(args(run, "--model", "ae", "--master", "local[2]", "--workers", "2",
                "--averaging-frequency", "1", "--batch-size", "16", "--epochs", "1")));
        VaeEngine trained = VaeEngines.load(run.resolve("checkpoints/last.zip")).engine();
        VaeEngine one = VaeEngines.create("samediff", trained.config()); // the run's initial weights (same seed)
        ImageSet all = DataLocator.read(data, Dataset.Split.TRAIN);
        MinibatchIterator[] shards = new MinibatchIterator[2];
        for (int s = 0; s < 2; s++) {
            shards[s] = MinibatchIterator.builder(Worker.shardOf(all, 2, s)).batchSize(16)
                    .seed(Worker.batchSeed(1, s)).build();
        }
        int steps = 0;
        while (shards[0].hasNext()) {
            DataSet a = shards[0].next();
            DataSet b = shards[1].next();
            one.trainStep(Nd4j.vstack(a.getFeatures(), b.getFeatures()));
            steps++;
        }
        assertEquals(19, steps); // 300 images per worker in batches of 16
        assertEquals(steps, trained.steps());
        Map<String, INDArray> expected = one.weights();
        trained.weights().forEach((name, w) -> {
            double scale = expected.get(name).amaxNumber().doubleValue();
            double diff = w.sub(expected.get(name)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-4 * scale, name + ": differs by " + diff + " (largest weight " + scale + ")");
        });
    }

    @Test
    void aFailedTaskAndAResumeChangeNothing() throws Exception {
        Path straight = tmp.resolve("straight");
        ok(SparkFixture.spark(args(straight, "--master", "local[2]", "--workers", "2", "--averaging-frequency", "3")));

        Path stopped = tmp.resolve("stopped");
        ok(SparkFixture.spark(args(stopped, "--master", "local[2]", "--workers", "2", "--averaging-frequency", "3",
                "--epochs", "1")));
        System.setProperty("spark.dl4jvae.failOnce", "1:1"); // the first attempt of a task of epoch 2 fails
        SparkFixture.Result resumed;
        try {
            resumed = ok(SparkFixture.spark("train", "--resume", stopped.toString(), "--epochs", "2", "--progress",
                    "plain", "--master", "local[2,2]", "--workers", "2", "--averaging-frequency", "3"));
        } finally {
            System.clearProperty("spark.dl4jvae.failOnce");
        }
        assertEquals(1, resumed.site().failedTasks(), "the injected failure happened once");
        assertTrue(resumed.err().isEmpty() || !resumed.err().contains("error"), resumed.err());
        assertEquals(SparkFixture.losses(straight), SparkFixture.losses(stopped));
        assertSameState(SparkFixture.lastState(straight), SparkFixture.lastState(stopped));
        assertTrue(Files.isRegularFile(stopped.resolve("samples/epoch-002.png")));
    }

    @Test
    void executorsInJvmsOfTheirOwnTrainAsLocalMode() throws Exception {
        Path local = tmp.resolve("local-mode");
        ok(SparkFixture.spark(args(local, "--master", "local[2]", "--workers", "2", "--epochs", "1")));
        // the executors copy the data from a Hadoop file system URI (the driver too) instead of reading a shared path
        Path cluster = tmp.resolve("local-cluster");
        SparkFixture.Result r = ok(SparkFixture.spark(args(cluster, "--master", "local-cluster[2,1,1024]", "--workers",
                "2", "--epochs", "1", "--data-dir", null, "--dataset", "squares", "--data-uri", data.toUri().toString())));
        assertTrue(r.out().contains("data_uri " + data.toUri()), r.out());
        // the same numbers, up to the last digits a matrix product on one thread (executor) or two (local) may differ in
        String[] a = SparkFixture.losses(local).split("[,\n]");
        String[] b = SparkFixture.losses(cluster).split("[,\n]");
        for (int i = 4; i < a.length; i++) {
            assertEquals(Double.parseDouble(a[i]), Double.parseDouble(b[i]), 1e-3 * Math.abs(Double.parseDouble(a[i])));
        }
    }

    @Test
    void otherVariantsAndTheDl4jEngineTrainOnSpark() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"--model", "cvae", "--averaging-frequency", "2", "--kl-warmup", "2"},
                new String[] {"--model", "iwae", "--arch", "conv", "--hidden", "16", "--lr-schedule", "cosine"},
                new String[] {"--engine", "dl4j", "--averaging-frequency", "1", "--clip-norm", "50"},
                new String[] {"--engine", "dl4j", "--averaging-frequency", "3"});
        for (String[] c : cases) {
            Path run = tmp.resolve("variant-" + String.join("", c).replaceAll("[^a-z0-9]", ""));
            String[] more = java.util.stream.Stream.concat(java.util.stream.Stream.of("--master", "local[2]",
                    "--workers", "2", "--epochs", "2"), java.util.Arrays.stream(c)).toArray(String[]::new);
            ok(SparkFixture.spark(args(run, more)));
            String[] last = Files.readAllLines(run.resolve("metrics.csv")).get(2).split(",");
            double first = Double.parseDouble(Files.readAllLines(run.resolve("metrics.csv")).get(1).split(",")[2]);
            assertTrue(Double.parseDouble(last[2]) < first, String.join(" ", c) + ": the test loss falls");
            assertTrue(Files.isRegularFile(run.resolve("reconstructions/epoch-002.png")), String.join(" ", c));
        }
    }

    @Test
    void aCsvTableScaledByTheWorkersTrainsAsOneMachine() throws Exception {
        // the workers read the table themselves and fit the scaling on it; the driver keeps theirs in scaler.bin
        StringBuilder csv = new StringBuilder("a,b,c,d,e,f,label\n");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < 300; i++) {
            int label = i % 3;
            for (int f = 0; f < 6; f++) {
                csv.append(String.format(java.util.Locale.ROOT, "%.4f,", label * 10 + f + 3 * rng.nextDouble()));
            }
            csv.append("c").append(label).append('\n');
        }
        Path table = tmp.resolve("table.csv");
        Files.writeString(table, csv);
        String[] common = {"train", "--format", "csv", "--data-dir", table.toString(), "--label-column", "label",
                "--scale", "minmax", "--hidden", "16", "--latent", "2", "--batch-size", "32", "--epochs", "2",
                "--progress", "plain", "--out"};
        Path alone = tmp.resolve("csv-alone");
        ok(SparkFixture.local(java.util.stream.Stream.concat(java.util.Arrays.stream(common), java.util.stream.Stream.of(
                alone.toString())).toArray(String[]::new)));
        Path spark = tmp.resolve("csv-spark");
        ok(SparkFixture.spark(java.util.stream.Stream.concat(java.util.Arrays.stream(common), java.util.stream.Stream.of(
                spark.toString(), "--master", "local[2]", "--workers", "1")).toArray(String[]::new)));
        assertArrayEquals(Files.readAllBytes(alone.resolve("scaler.bin")), Files.readAllBytes(spark.resolve("scaler.bin")));
        assertEquals(SparkFixture.losses(alone), SparkFixture.losses(spark));
        assertSameState(SparkFixture.lastState(alone), SparkFixture.lastState(spark));
    }

    @Test
    void wrongSettingsAndBadDataOnTheWorkersAreOneLine() {
        SparkFixture.Result val = SparkFixture.spark(args(tmp.resolve("v"), "--master", "local[2]", "--val-split", "0.1"));
        assertEquals(2, val.exit());
        assertTrue(val.err().startsWith("error: --val-split needs the training images on this machine"), val.err());

        SparkFixture.Result exclude = SparkFixture.spark(args(tmp.resolve("x"), "--master", "local[2]",
                "--exclude-class", "12"));
        assertEquals(2, exclude.exit(), exclude.err());
        assertTrue(exclude.err().startsWith("error: --exclude-class 12 is not a class of the data"), exclude.err());
        assertTrue(!exclude.err().contains("\tat "), exclude.err());

        SparkFixture.Result k = SparkFixture.spark(args(tmp.resolve("k"), "--master", "local[2]",
                "--averaging-frequency", "0"));
        assertEquals(2, k.exit(), k.err());
        assertTrue(k.err().startsWith("error: --averaging-frequency must be at least 1"), k.err());

        SparkFixture.Result many = SparkFixture.spark(args(tmp.resolve("m"), "--master", "local[2]", "--workers", "601"));
        assertEquals(2, many.exit(), many.err());
        assertTrue(many.err().contains("use fewer --workers"), many.err());
        assertTrue(!Files.exists(tmp.resolve("m").resolve("config.json")), "nothing is written before the data check");
    }
}
