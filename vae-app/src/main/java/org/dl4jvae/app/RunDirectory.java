package org.dl4jvae.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files of one training run: {@code config.json}, {@code metrics.csv}, {@code loss.png}, {@code samples/},
 * {@code reconstructions/} and {@code checkpoints/last.zip}, {@code checkpoints/best.zip}.
 */
record RunDirectory(Path dir) {

    static final String METRICS_HEADER = "epoch,train_loss,test_loss,train_seconds,images_per_second";

    Path config() {
        return dir.resolve("config.json");
    }

    Path metrics() {
        return dir.resolve("metrics.csv");
    }

    Path lastCheckpoint() {
        return dir.resolve("checkpoints").resolve("last.zip");
    }

    Path bestCheckpoint() {
        return dir.resolve("checkpoints").resolve("best.zip");
    }

    Path samples(int epoch) {
        return dir.resolve("samples").resolve(String.format("epoch-%03d.png", epoch));
    }

    Path reconstructions(int epoch) {
        return dir.resolve("reconstructions").resolve(String.format("epoch-%03d.png", epoch));
    }

    Path lossPlot() {
        return dir.resolve("loss.png");
    }

    /** Opens an existing run for reading; a directory without config.json and a checkpoint is refused. */
    static RunDirectory open(Path dir) {
        RunDirectory run = new RunDirectory(dir);
        if (!Files.isDirectory(dir)) {
            throw AppException.failure("run directory " + dir + " does not exist");
        }
        if (!Files.isRegularFile(run.config()) || !Files.isRegularFile(run.lastCheckpoint())) {
            throw AppException.failure(dir + " is not a training run (it needs config.json and checkpoints/last.zip)");
        }
        return run;
    }

    Map<String, Object> readConfig() {
        try {
            return Json.parse(Files.readString(config(), StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            throw AppException.failure("cannot read " + config() + ": " + e.getMessage());
        }
    }

    void writeConfig(Map<String, ?> values) {
        AtomicFiles.writeString(config(), Json.write(values) + "\n");
    }

    /** Metric rows: epoch, train loss, test loss, train seconds, images per second. */
    List<double[]> readMetrics() {
        List<double[]> rows = new ArrayList<>();
        if (!Files.isRegularFile(metrics())) {
            return rows;
        }
        try {
            List<String> lines = Files.readAllLines(metrics(), StandardCharsets.UTF_8);
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank()) {
                    rows.add(java.util.Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
                }
            }
        } catch (IOException | RuntimeException e) {
            throw AppException.failure("cannot read " + metrics() + ": " + e.getMessage());
        }
        return rows;
    }

    void writeMetrics(List<double[]> rows) {
        StringBuilder b = new StringBuilder(METRICS_HEADER).append('\n');
        for (double[] r : rows) {
            b.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.3f,%.1f%n", (int) r[0], r[1], r[2], r[3], r[4]));
        }
        AtomicFiles.writeString(metrics(), b.toString());
    }
}
