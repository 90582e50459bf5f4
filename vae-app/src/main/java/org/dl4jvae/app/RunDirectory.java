package org.dl4jvae.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.train.EpochResult;
import org.dl4jvae.model.train.Trainer;

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
        return Trainer.last(checkpoints());
    }

    Path bestCheckpoint() {
        return Trainer.best(checkpoints());
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

    Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    /** The run's settings from config.json. */
    TrainSettings readSettings() {
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = ModelFamily.json().readTree(config().toFile());
        } catch (IOException e) {
            throw AppException.failure("cannot read " + config() + ": " + e.getMessage());
        }
        return TrainSettings.fromJson(node, config());
    }

    void writeSettings(TrainSettings settings, Map<String, Object> environment) {
        writeJson(config(), settings.toJson(environment));
    }

    /** Writes a JSON document, pretty-printed, atomically. */
    static void writeJson(Path file, Object value) {
        try {
            AtomicFiles.writeString(file, ModelFamily.json().writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Metric rows of metrics.csv (runs whose checkpoints do not carry their history). */
    List<EpochResult> readMetrics() {
        List<EpochResult> rows = new ArrayList<>();
        if (!Files.isRegularFile(metrics())) {
            return rows;
        }
        try {
            List<String> lines = Files.readAllLines(metrics(), StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (!line.isBlank()) {
                    double[] r = java.util.Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray();
                    rows.add(new EpochResult((int) r[0], r[1], r[2], Double.NaN, Double.NaN, r[3], r[4]));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw AppException.failure("cannot read " + metrics() + ": " + e.getMessage());
        }
        return rows;
    }

    void writeMetrics(List<EpochResult> rows) {
        StringBuilder b = new StringBuilder(METRICS_HEADER).append('\n');
        for (EpochResult r : rows) {
            b.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.3f,%.1f%n", r.epoch(), r.trainLoss(), r.testLoss(),
                    r.trainSeconds(), r.imagesPerSecond()));
        }
        AtomicFiles.writeString(metrics(), b.toString());
    }
}
