package org.dl4jvae.spark;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.dl4jvae.app.VaeApp;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.source.Dataset;
import org.dl4jvae.model.VaeEngines;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs the app in-process, on this machine or on Spark, on a small generated IDX dataset. */
final class SparkFixture {

    private SparkFixture() {
    }

    record Result(int exit, String out, String err, SparkSite site) {
    }

    /** The app's command line with {@code train} on Spark. */
    static Result spark(String... args) {
        SparkSite site = new SparkSite();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VaeApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true), site);
        return new Result(code, out.toString(), err.toString(), site);
    }

    /** The app's command line on this machine. */
    static Result local(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VaeApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString(), null);
    }

    /**
     * 600 training and 200 test images in IDX files: class c (of 10) is a bright square at a position of its own,
     * with speckle; sorted by class, as folders of one's own data often are.
     */
    static Path dataset(Path dir) throws Exception {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(5);
        for (Dataset.Split split : Dataset.Split.values()) {
            int n = split == Dataset.Split.TRAIN ? 600 : 200;
            byte[] pixels = new byte[n * 784];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                int c = i * 10 / n;
                labels[i] = (byte) c;
                int top = 2 + (c / 5) * 12;
                int left = 2 + (c % 5) * 5;
                for (int p = 0; p < 784; p++) {
                    int r = p / 28;
                    int col = p % 28;
                    boolean on = (r >= top && r < top + 10 && col >= left && col < left + 5) || rng.nextInt(30) == 0;
                    pixels[i * 784 + p] = (byte) (on ? 180 + rng.nextInt(76) : rng.nextInt(20));
                }
            }
            new ImageSet(28, 28, 10, pixels, labels).write(dir.resolve(split.imagesFile()),
                    dir.resolve(split.labelsFile()), true);
        }
        return dir;
    }

    /** The weights and optimiser state of a run's last checkpoint. */
    static Map<String, INDArray> lastState(Path run) throws Exception {
        return VaeEngines.load(run.resolve("checkpoints/last.zip")).engine().trainingState();
    }

    /** metrics.csv without its timing columns (train_seconds, images_per_second). */
    static String losses(Path run) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String line : Files.readAllLines(run.resolve("metrics.csv"))) {
            String[] c = line.split(",", -1);
            b.append(c[0]).append(',').append(c[1]).append(',').append(c[2]).append('\n');
        }
        return b.toString();
    }
}
