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

    /** The reference's five columns first and in order, then what the training controls add. */
    static final String METRICS_HEADER = "epoch,train_loss,test_loss,train_seconds,images_per_second,val_loss,"
            + "test_reconstruction,test_kl,lr,beta";

    /** An empty cell for a number that does not apply (no validation split) or is not known (older runs). */
    private static String cell(Double v, String format) {
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, format, v);
    }

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

    /** The data's scaling, fitted on the training part at the start (absent without scaling). */
    Path scaler() {
        return dir.resolve("scaler.bin");
    }

    /** The scaling the run keeps (none without the file). */
    org.dl4jvae.data.Scaling scaling() {
        try {
            return org.dl4jvae.data.Scaling.read(scaler());
        } catch (java.io.IOException e) {
            throw AppException.failure(e.getMessage());
        }
    }

    Path lossPlot() {
        return dir.resolve("loss.png");
    }

    /**
     * Opens an existing run; a directory without config.json is refused. A run may have no checkpoint yet (stopped
     * before its first epoch ended): {@code --resume} starts it from epoch 0, the model commands say so.
     */
    static RunDirectory open(Path dir) {
        RunDirectory run = new RunDirectory(dir);
        if (!Files.isDirectory(dir)) {
            throw AppException.failure("run directory " + dir + " does not exist");
        }
        if (!Files.isRegularFile(run.config())) {
            throw AppException.failure(dir + " is not a training run (it has no config.json)");
        }
        return run;
    }

    /** The channel holding this process's lock on a run; open until the process ends. */
    private static java.nio.channels.FileChannel held;

    /**
     * Takes the run's lock (an OS file lock on {@code .lock}, released when the process ends, however it ends); a run
     * another process holds is refused naming that process.
     */
    void lock() {
        Path file = dir.resolve(".lock");
        try {
            java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // this process already trains it (the app run twice in one JVM)
            }
            if (lock == null) {
                String pid = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
                channel.close();
                throw AppException.failure("run directory " + dir + " is in use by another process"
                        + (pid.isEmpty() ? "" : " (pid " + pid + ")") + "; wait for it to end or stop it first");
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid())
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            held = channel;
        } catch (IOException e) {
            throw AppException.failure("cannot lock run directory " + dir + ": " + AtomicFiles.describe(e));
        }
    }

    /** Releases this process's lock (the end of a command run in-process, as tests do). */
    static void unlock() {
        if (held != null) {
            try {
                held.close();
            } catch (IOException ignored) {
                // closing releases the lock; nothing else to do
            }
            held = null;
        }
    }

    /** Deletes temporary files that a killed process left behind (never a file under its real name). */
    List<Path> removeTemporaryFiles() {
        try (var files = Files.walk(dir)) {
            List<Path> stale = files.filter(p -> Files.isRegularFile(p)
                    && org.dl4jvae.data.io.AtomicFile.isTemporary(p)).toList();
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
            return stale;
        } catch (IOException e) {
            throw AppException.failure("cannot clean run directory " + dir + ": " + AtomicFiles.describe(e));
        }
    }

    /** The epochs of which a picture of the given kind ({@code samples}, {@code reconstructions}) exists. */
    List<Integer> pictureEpochs(String kind) {
        Path folder = dir.resolve(kind);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("epoch-\\d{3,}\\.png"))
                    .map(n -> Integer.parseInt(n.substring(6, n.length() - 4))).sorted().toList();
        } catch (IOException e) {
            throw AppException.failure("cannot list " + folder + ": " + AtomicFiles.describe(e));
        }
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
                    double[] r = java.util.Arrays.stream(line.split(",")).limit(5).mapToDouble(Double::parseDouble).toArray();
                    rows.add(new EpochResult((int) r[0], r[1], r[2], Double.NaN, Double.NaN, r[3], r[4], null, null, null));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw AppException.failure("cannot read " + metrics() + ": " + e.getMessage());
        }
        return rows;
    }

    void writeMetrics(List<EpochResult> rows) {
        writeMetrics(rows, 1.0);
    }

    /**
     * Writes metrics.csv; its {@code beta} column is the KL weight the epoch trained with: the model's own beta
     * ({@code modelBeta}, 1 for models without one) times the trainer's KL warm-up weight.
     */
    void writeMetrics(List<EpochResult> rows, double modelBeta) {
        StringBuilder b = new StringBuilder(METRICS_HEADER).append('\n');
        for (EpochResult r : rows) {
            b.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.3f,%.1f,%s,%s,%s,%s,%s%n", r.epoch(), r.trainLoss(),
                    r.testLoss(), r.trainSeconds(), r.imagesPerSecond(), cell(r.valLoss(), "%.6f"),
                    cell(r.testReconstruction(), "%.6f"), cell(r.testKl(), "%.6f"), cell(r.lr(), "%.6g"),
                    cell(r.klWeight() == null ? null : r.klWeight() * modelBeta, "%.4f")));
        }
        AtomicFiles.writeString(metrics(), b.toString());
    }
}
