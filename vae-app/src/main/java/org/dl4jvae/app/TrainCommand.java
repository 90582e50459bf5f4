package org.dl4jvae.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains a VAE and writes a run directory; resumes a stopped run from its last complete epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a VAE; writes config.json, metrics.csv, images, loss.png and checkpoints to the run directory.")
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", defaultValue = "mnist", description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE})")
    String dataset;
    @Option(names = "--data-dir", description = "directory with the IDX files (default: $VAE_DATA_DIR, the user cache, system dirs)")
    Path dataDir;
    @Option(names = "--engine", defaultValue = "samediff", description = "samediff or dl4j (default: ${DEFAULT-VALUE})")
    String engine;
    @Option(names = "--epochs", description = "epochs in total (default: 10)")
    Integer epochs;
    @Option(names = "--batch-size", defaultValue = "128")
    int batchSize;
    @Option(names = "--hidden", defaultValue = "400", description = "units of fc1 and fc3")
    int hidden;
    @Option(names = "--latent", defaultValue = "20", description = "size of z")
    int latent;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate")
    double lr;
    @Option(names = "--beta", defaultValue = "1", description = "KL weight (beta-VAE; samediff engine)")
    double beta;
    @Option(names = "--seed", defaultValue = "1")
    long seed;
    @Option(names = "--limit", description = "train on the first N training images only")
    Integer limit;
    @Option(names = "--exclude-class", description = "leave class C out of training (for anomaly detection)")
    Integer excludeClass;
    @Option(names = "--decoder", defaultValue = "bernoulli", description = "bernoulli or gaussian")
    String decoder;
    @Option(names = "--init", defaultValue = "pytorch", description = "pytorch or xavier")
    String init;
    @Option(names = "--out", description = "run directory (default: runs/<timestamp>)")
    Path out;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR up to --epochs in total")
    Path resume;
    @Option(names = "--progress", defaultValue = "auto", description = "auto, bar or plain (auto: a bar on a terminal)")
    String progress;
    @CommandLine.Mixin
    ThreadsOption threads;

    private static final String[] FIXED_ON_RESUME = {"--dataset", "--engine", "--batch-size", "--hidden", "--latent",
            "--lr", "--beta", "--seed", "--limit", "--exclude-class", "--decoder", "--init", "--out"};

    @Override
    public Integer call() {
        threads.apply();
        PrintWriter stdout = spec.commandLine().getOut();
        RunDirectory run;
        TrainSettings settings;
        if (resume != null) {
            for (String o : FIXED_ON_RESUME) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw AppException.usage(o + " cannot change on --resume: the run's settings come from its config.json");
                }
            }
            run = RunDirectory.open(resume);
            settings = TrainSettings.fromJson(run.readConfig(), run.config());
            if (epochs != null) {
                settings = settings.withEpochs(epochs);
            }
            if (dataDir != null) {
                settings = settings.withDataDir(dataDir);
            }
        } else {
            settings = new TrainSettings(engine, dataset, dataDir, epochs == null ? 10 : epochs, batchSize, hidden,
                    latent, lr, beta, seed, limit, excludeClass, parse(VaeConfig.Decoder.class, "--decoder", decoder),
                    parse(VaeConfig.Init.class, "--init", init));
            run = null;
        }
        boolean bar = switch (progress) {
            case "auto" -> System.console() != null;
            case "bar" -> true;
            case "plain" -> false;
            default -> throw AppException.usage("--progress must be auto, bar or plain");
        };

        // data first: with no data and no network nothing is written
        DataSets data = DataSets.load(settings.dataset(), settings.dataDir());
        ImageSet train = data.train();
        if (settings.excludeClass() != null) {
            train = train.withoutLabel(settings.excludeClass());
        }
        if (settings.limit() != null) {
            train = train.limit(settings.limit());
        }
        if (run == null) {
            run = newRun(out);
            settings = settings.withDataDir(data.dir());
        }
        return new Trainer(settings, run, data, train, stdout, bar).train();
    }

    static <E extends Enum<E>> E parse(Class<E> type, String option, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw AppException.usage(option + ": unknown value '" + value + "'");
        }
    }

    static RunDirectory newRun(Path out) {
        Path dir = out != null ? out
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            if (Files.exists(dir) && (!Files.isDirectory(dir) || Files.list(dir).findAny().isPresent())) {
                throw AppException.usage(dir + " already exists and is not empty (use --resume " + dir + " to continue it)");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw AppException.failure("cannot create run directory " + dir + ": " + AtomicFiles.describe(e));
        }
        return new RunDirectory(dir);
    }

    /** The training loop of one run. */
    private static final class Trainer {
        private final TrainSettings s;
        private final RunDirectory run;
        private final DataSets data;
        private final ImageSet train;
        private final PrintWriter out;
        private final Progress progress;

        Trainer(TrainSettings s, RunDirectory run, DataSets data, ImageSet train, PrintWriter out, boolean bar) {
            this.s = s;
            this.run = run;
            this.data = data;
            this.train = train;
            this.out = out;
            this.progress = new Progress(out, bar);
        }

        int train() {
            Backend backend = Backend.current();
            VaeEngine vae;
            int done;
            double best;
            List<double[]> rows;
            if (Files.isRegularFile(run.lastCheckpoint())) {
                VaeEngines.Loaded loaded = load(run.lastCheckpoint());
                vae = loaded.engine();
                done = Integer.parseInt(loaded.metadata().getOrDefault("epoch", "0"));
                best = Double.parseDouble(loaded.metadata().getOrDefault("best_test_loss", "Infinity"));
                rows = new ArrayList<>(run.readMetrics().stream().filter(r -> r[0] <= done).toList());
            } else {
                vae = VaeEngines.create(s.engine(), s.modelConfig(train.imageSize()));
                done = 0;
                best = Double.POSITIVE_INFINITY;
                rows = new ArrayList<>();
            }
            Map<String, Object> config = s.toJson();
            config.put("dl4j_version", Versions.DL4J);
            config.put("toolkit_version", Versions.toolkit());
            config.put("java_version", System.getProperty("java.version"));
            config.put("backend", backend.name());
            config.put("device", backend.device());
            config.put("train_images", train.size());
            config.put("test_images", data.test().size());
            run.writeConfig(config);

            out.printf("engine %s | backend %s | device %s%n", vae.kind(), backend.name(), backend.device());
            out.printf("dataset %s (%s): %d training images, %d test images | model %d-%d-%d | run %s%n",
                    s.dataset(), data.dir(), train.size(), data.test().size(), train.imageSize(), s.hidden(), s.latent(),
                    run.dir());
            if (done >= s.epochs()) {
                out.printf("the run already has %d epochs; nothing to do (raise --epochs to continue)%n", done);
                return 0;
            }
            if (done > 0) {
                out.printf("resuming after epoch %d%n", done);
            }
            out.flush();

            Thread hook = interruptionNotice(run);
            Runtime.getRuntime().addShutdownHook(hook);
            MinibatchIterator batches = MinibatchIterator.builder(train).batchSize(s.batchSize()).seed(s.seed())
                    .releasePrevious(true).build();
            INDArray shown = DataSets.inOrder(data.test(), 8).next().getFeatures();
            // one batch buffer refilled for the whole evaluation, rather than 31 MB of new native arrays per epoch that
            // wait for the garbage collector
            MinibatchIterator testBatches = MinibatchIterator.builder(data.test()).batchSize(1000).shuffle(false)
                    .releasePrevious(true).build();
            String title = s.engine() + " VAE on " + s.dataset();
            // the notice is for signals only: a failure below reports itself and must not claim an interruption
            try {
                for (int e = done; e < s.epochs(); e++) {
                    batches.setEpoch(e);
                    progress.startEpoch(e + 1, s.epochs(), batches.imagesPerEpoch());
                    long t0 = System.nanoTime();
                    double trainLoss;
                    try {
                        trainLoss = vae.fit(batches, epsSeed(e), progress);
                    } catch (Progress.Diverged d) {
                        throw diverged(e + 1, d.getMessage());
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double testLoss = vae.negativeElbo(testBatches, s.seed() + 7919).loss();
                    if (!Double.isFinite(trainLoss) || !Double.isFinite(testLoss)) {
                        throw diverged(e + 1, "loss is " + (Double.isFinite(trainLoss) ? testLoss : trainLoss));
                    }
                    rows.add(new double[] {e + 1, trainLoss, testLoss, seconds, batches.imagesPerEpoch() / seconds});
                    boolean improved = testLoss < best;
                    best = Math.min(best, testLoss);
                    save(vae, e + 1, best, improved);
                    run.writeMetrics(rows);
                    Images.grid(vae.sample(64, s.seed()), 8, 28, 2, run.samples(e + 1));
                    Images.grid(Nd4j.vstack(shown, vae.reconstruct(shown)), 8, 28, 2, run.reconstructions(e + 1));
                    Charts.lossCurves(rows, title, run.lossPlot());
                    progress.endEpoch(trainLoss, testLoss, seconds, batches.imagesPerEpoch() / seconds);
                }
            } finally {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            out.printf("done: final test loss %.4f nats per image; run directory %s%n", rows.get(rows.size() - 1)[2],
                    run.dir());
            return 0;
        }

        private long epsSeed(int epoch) {
            return s.seed() * 1_000_003L + epoch;
        }

        private void save(VaeEngine vae, int epoch, double best, boolean improved) {
            Map<String, String> meta = Map.of("epoch", Integer.toString(epoch), "best_test_loss", Double.toString(best));
            try {
                vae.save(run.lastCheckpoint(), meta);
            } catch (IOException e) {
                throw AppException.failure("cannot write checkpoint in " + run.dir() + ": " + AtomicFiles.describe(e));
            }
            if (improved) {
                AtomicFiles.writeAtomically(run.bestCheckpoint(), out -> Files.copy(run.lastCheckpoint(), out));
            }
        }

        private AppException diverged(int epoch, String why) {
            String kept = Files.isRegularFile(run.lastCheckpoint())
                    ? "the last good checkpoint is kept: " + run.lastCheckpoint()
                    : "no epoch completed, so there is no checkpoint";
            return new AppException("training diverged in epoch " + epoch + " (" + why + "); " + kept
                    + ". Try a smaller --lr.", AppException.DIVERGED);
        }

        private static Thread interruptionNotice(RunDirectory run) {
            return new Thread(() -> System.err.println("\ninterrupted: checkpoints are written whole at each epoch's end;"
                    + " continue with: vae-app train --resume " + run.dir()));
        }
    }

    static VaeEngines.Loaded load(Path checkpoint) {
        try {
            return VaeEngines.load(checkpoint);
        } catch (IOException e) {
            throw AppException.failure("cannot load model " + checkpoint + ": " + e.getMessage());
        }
    }
}
