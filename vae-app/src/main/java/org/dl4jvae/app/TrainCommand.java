package org.dl4jvae.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.Scaling;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.train.DivergedException;
import org.dl4jvae.model.train.EpochResult;
import org.dl4jvae.model.train.LrSchedule;
import org.dl4jvae.model.train.Trainer;
import org.dl4jvae.model.train.TrainingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a model of the family and writes a run directory; resumes a stopped run from its last complete epoch. The
 * training loop is the library's {@link Trainer}; this command parses options, loads data and writes what the run
 * directory shows (metrics, pictures, the loss plot).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model; writes config.json, metrics.csv, images, loss.png and checkpoints to the run "
                + "directory. Model settings below apply to the models named beside them.")
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = ModelFamily.DEFAULT, description = "${COMPLETION-CANDIDATES} (see "
            + "Models below)", completionCandidates = ModelNames.class)
    String model;
    @Option(names = "--dataset", defaultValue = "mnist", description = "mnist or fashion-mnist (with your own data: "
            + "a name for it, by default its folder's)")
    String dataset;
    @Option(names = "--data-dir", description = "your data (see --format), or the directory with the IDX files "
            + "(default: $VAE_DATA_DIR, the user cache, system dirs)")
    Path dataDir;
    @Option(names = "--format", defaultValue = "idx", description = "idx, images (a folder of PNG/JPEG/BMP, "
            + "optionally one sub-folder per class) or csv (numeric columns); see Data in the README")
    String format;
    @Option(names = "--resize", paramLabel = "HxW", description = "images: resize every image to H x W pixels "
            + "(default: all must have one size)")
    String resize;
    @Option(names = "--test-split", paramLabel = "F", description = "images, csv: without train/ and test/ (train.csv "
            + "and test.csv), hold out this share, seeded, as the test set (default: 0.2)")
    Double testSplit;
    @Option(names = "--label-column", paramLabel = "COL", description = "csv: the column holding class labels, by "
            + "header name or number (1 = the first); default: no labels")
    String labelColumn;
    @Option(names = "--scale", defaultValue = "none", description = "none, minmax (to [0, 1]) or standard (zero mean, "
            + "unit variance): per feature, fitted on the training part only and kept with the run")
    String scale;
    @Option(names = "--engine", defaultValue = "samediff", description = "samediff or dl4j (dl4j: --model vae only)")
    String engine;
    @Option(names = "--epochs", description = "epochs in total (default: 10)")
    Integer epochs;
    @Option(names = "--batch-size", defaultValue = "128", description = "images per optimiser step")
    int batchSize;
    @Option(names = "--seed", defaultValue = "1", description = "seeds the weights, the data order and the noise")
    long seed;
    @Option(names = "--val-split", defaultValue = "0", paramLabel = "F", description = "hold out this fraction of the "
            + "training images (seeded) for validation; the best checkpoint and early stopping then use the validation "
            + "loss (without: the training loss). The test set never chooses")
    double valSplit;
    @Option(names = "--patience", paramLabel = "N", description = "stop when the validation (or training) loss has not "
            + "improved for N epochs")
    Integer patience;
    @Option(names = "--min-delta", defaultValue = "0", paramLabel = "D", description = "the improvement that counts, "
            + "nats per image")
    double minDelta;
    @Option(names = "--lr-schedule", defaultValue = "constant", description = "constant, step, exponential, cosine or "
            + "plateau")
    String lrSchedule;
    @Option(names = "--lr-step-epochs", defaultValue = "10", paramLabel = "N", description = "step: decay every N epochs")
    int lrStepEpochs;
    @Option(names = "--lr-gamma", defaultValue = "0.5", paramLabel = "G", description = "step, exponential, plateau: "
            + "the factor of a decay")
    double lrGamma;
    @Option(names = "--lr-min", defaultValue = "0", description = "cosine: the last learning rate")
    double lrMin;
    @Option(names = "--lr-warmup-steps", defaultValue = "0", paramLabel = "N", description = "any schedule: rise "
            + "linearly over the first N steps")
    int lrWarmupSteps;
    @Option(names = "--lr-patience", defaultValue = "3", paramLabel = "N", description = "plateau: epochs without "
            + "improvement before a decay")
    int lrPatience;
    @Option(names = "--kl-warmup", defaultValue = "0", paramLabel = "N", description = "KL weight rising linearly from "
            + "0 to 1 over N epochs (Bowman et al. 2016; samediff engine)")
    int klWarmup;
    @Option(names = "--clip-norm", defaultValue = "0", paramLabel = "C", description = "clip each step's gradient to "
            + "global norm C; 0 for none")
    double clipNorm;
    @Option(names = "--limit", description = "train on the first N training images only")
    Integer limit;
    @Option(names = "--exclude-class", description = "leave class C out of training (for anomaly detection)")
    Integer excludeClass;
    @Option(names = "--out", description = "run directory (default: runs/<timestamp>)")
    Path out;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR up to --epochs in total")
    Path resume;
    @Option(names = "--progress", defaultValue = "auto", description = "auto, bar or plain (auto: a bar on a terminal)")
    String progress;
    @CommandLine.Mixin
    NativeOptions natives;

    /** The model settings of every variant, added to this command by {@link VaeApp}. */
    ModelOptions modelOptions;
    /** Where the epochs train when not here (a cluster), set by {@link VaeApp}; null: on this machine. */
    TrainingSite site;

    private static final String[] FIXED_ON_RESUME = {"--model", "--dataset", "--engine", "--batch-size", "--seed",
            "--limit", "--exclude-class", "--out", "--format", "--resize", "--test-split", "--label-column", "--scale", "--val-split", "--patience", "--min-delta", "--kl-warmup",
            "--clip-norm"};
    /** The options of a learning-rate schedule: on resume they replace the run's schedule, with --lr-schedule. */
    private static final String[] SCHEDULE = {"--lr-schedule", "--lr-step-epochs", "--lr-gamma", "--lr-min",
            "--lr-warmup-steps", "--lr-patience"};

    /** The registered variants, for the help text. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelFamily.names().iterator();
        }
    }

    @Override
    public Integer call() {
        try {
            return trainRun();
        } finally {
            RunDirectory.unlock(); // however the command ends, in-process callers (tests, embedding) get the run back
            if (site != null) {
                site.close();
            }
        }
    }

    private Integer trainRun() {
        natives.apply();
        PrintWriter stdout = spec.commandLine().getOut();
        RunDirectory run;
        TrainSettings settings;
        if (resume != null) {
            for (String o : FIXED_ON_RESUME) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw AppException.usage(o + " cannot change on --resume: the run's settings come from its config.json");
                }
            }
            Map<String, String> given = new LinkedHashMap<>(modelOptions.given());
            String lrText = given.remove("lr"); // the one model setting a resumed run may change
            if (!given.isEmpty()) {
                throw AppException.usage(ModelOptions.option(given.keySet().iterator().next())
                        + " cannot change on --resume: the run's settings come from its checkpoint (only --lr may)");
            }
            if (lrText != null) {
                newLearningRate = ModelOptions.usage(() -> VaeConfig.defaults().<VaeConfig>with("lr", lrText), null)
                        .learningRate();
                pendingChanges.put("lr", Double.toString(newLearningRate));
            }
            boolean newSchedule = java.util.Arrays.stream(SCHEDULE)
                    .anyMatch(o -> spec.commandLine().getParseResult().hasMatchedOption(o));
            if (newSchedule && !spec.commandLine().getParseResult().hasMatchedOption("--lr-schedule")) {
                throw AppException.usage("a new learning-rate schedule on --resume is given whole: name it with "
                        + "--lr-schedule (with its parameters)");
            }
            run = RunDirectory.open(resume);
            run.lock();
            settings = run.readSettings();
            if (newSchedule) {
                LrSchedule schedule = ModelOptions.usage(() -> new LrSchedule(lrSchedule, lrStepEpochs, lrGamma, lrMin,
                        lrWarmupSteps, lrPatience), null);
                settings = settings.withSchedule(schedule);
                pendingChanges.put("lr_schedule", ModelOptions.usage(() -> json(schedule), null));
            }
            if (epochs != null) {
                settings = settings.withEpochs(epochs);
            }
            if (dataDir != null) {
                settings = settings.withDataDir(dataDir);
            }
        } else {
            Map<String, Object> also = new LinkedHashMap<>(Map.of("seed", seed));
            if ("conv".equalsIgnoreCase(modelOptions.given().get("arch")) && !modelOptions.given().containsKey("hidden")) {
                also.put("hidden", 16); // the Keras example's dense layer
            }
            VaeConfig config = modelOptions.config(model, also);
            TrainingConfig training = ModelOptions.usage(() -> new TrainingConfig(epochs == null ? 10 : epochs,
                    batchSize, seed, valSplit, patience, minDelta, new LrSchedule(lrSchedule, lrStepEpochs, lrGamma,
                    lrMin, lrWarmupSteps, lrPatience), klWarmup, clipNorm), null);
            boolean ownName = spec.commandLine().getParseResult().hasMatchedOption("--dataset");
            String name = dataDir != null && !ownName && (!format.equalsIgnoreCase("idx") || DataSets.hasIdx(dataDir))
                    ? dataName(dataDir) : dataset;
            settings = new TrainSettings(engine, config, training, new TrainSettings.Data(name,
                    dataDir == null ? null : dataDir.toString(), limit, excludeClass, null, null, null,
                    format.toLowerCase(java.util.Locale.ROOT), resize, testSplit, labelColumn,
                    scale.toLowerCase(java.util.Locale.ROOT)));
            run = null;
        }
        boolean bar = switch (progress) {
            case "auto" -> System.console() != null;
            case "bar" -> true;
            case "plain" -> false;
            default -> throw AppException.usage("--progress must be auto, bar or plain");
        };

        // data first: with no data, bad data or no network nothing is written
        boolean resuming = run != null;
        if (site != null && settings.training().valSplit() > 0) {
            throw AppException.usage("--val-split needs the training images on this machine; on a cluster the best "
                    + "checkpoint is chosen by the training loss");
        }
        if (site != null && settings.model().rng() != org.dl4jvae.model.VaeConfig.Rng.ND4J) {
            throw AppException.usage("--rng pytorch is one stream on one machine; on a cluster each worker draws its "
                    + "own noise (leave --rng at nd4j)");
        }
        java.nio.file.Path staged = site == null ? null : site.localData();
        if (staged != null) {
            settings = settings.withDataDir(staged);
        }
        DataSets data = DataSets.load(settings.data(), settings.training().seed(), site == null);
        if (!resuming) {
            settings = settings.withDataDir(data.dir()); // where the workers read them too
        }
        Scaling kept = resuming && Files.isRegularFile(run.scaler()) ? run.scaling() : null;
        ImageSet train;
        ImageSet test;
        Facts facts;
        Scaling scaling;
        if (site == null) {
            TrainingData.Prepared p = TrainingData.prepare(settings, data, kept, true);
            train = p.train();
            test = p.test();
            scaling = p.scaling();
            facts = new Facts(train.shape(), train.size(), train.numClasses());
        } else {
            train = null;
            TrainingSite.Survey survey;
            try {
                survey = site.survey(TrainingData.settingsJson(settings), kept == null ? null : kept.toBytes());
                scaling = Scaling.fromBytes(survey.scaling());
            } catch (IOException e) {
                throw AppException.failure("cannot pass the run's scaling: " + e.getMessage());
            }
            test = TrainingData.prepareTest(settings, data.dir(), data.test(), scaling);
            facts = new Facts(survey.shape(), survey.size(), survey.numClasses());
        }
        if (!resuming) { // the model must fit the data (a convolutional one needs sides that are multiples of 4) before
            // the run directory is made
            VaeConfig model = settings.model();
            if (facts.numClasses() == 0 && ModelFamily.settingNames(ModelFamily.variant(model.model())).contains("classes")) {
                throw AppException.usage("--model " + model.model() + " reads class labels, and these data have none "
                        + "(give class sub-folders, a --label-column, or IDX labels)");
            }
            ModelOptions.usage(() -> model.forData(facts.shape().channels(), facts.shape().rows(), facts.shape().cols(),
                    facts.numClasses()), null);
            run = newRun(out);
            run.lock();
        }
        try {
            if (kept == null) { // fitted now: kept (a resumed run's is its own)
                scaling.write(run.scaler());
            }
        } catch (IOException e) {
            throw AppException.failure("cannot write " + run.scaler() + ": " + AtomicFiles.describe(e));
        }
        if (settings.data().imageRows() == null || settings.data().channels() == null) {
            settings = settings.withShape(facts.shape()); // new runs, and runs from before the shape was recorded
        }
        return train(settings, run, data.dir(), facts, train, test, scaling, stdout, bar, resuming,
                newLearningRate, pendingChanges);
    }

    /** What the command needs to know of the training images, wherever they are. */
    private record Facts(org.dl4jvae.data.Shape shape, int size, int numClasses) {
    }

    /** The name of one's own data: its folder's or file's name without extension. */
    private static String dataName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String n = name == null ? "data" : name.toString();
        return n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
    }

    /** {@code --lr} given with {@code --resume}: the learning rate from now on. */
    private Double newLearningRate;
    /** Settings a resume changes, by name, to be recorded in config.json with the epoch they take effect from. */
    private final Map<String, String> pendingChanges = new LinkedHashMap<>();

    private static String json(Object value) {
        try {
            return ModelFamily.json().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static RunDirectory newRun(Path out) {
        Path dir = out != null ? out
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            if (Files.exists(dir) && (!Files.isDirectory(dir) || !onlyLeftovers(dir))) {
                throw AppException.usage(dir + " already exists and is not empty (use --resume " + dir + " to continue it)");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw AppException.failure("cannot create run directory " + dir + ": " + AtomicFiles.describe(e));
        }
        RunDirectory run = new RunDirectory(dir);
        run.removeTemporaryFiles(); // of a start that was killed before it wrote its settings
        return run;
    }

    /**
     * Whether a directory holds nothing but what a run killed before its settings were written leaves (its lock,
     * temporary files, the data's scaling, which a new start fits again): such a directory is no run yet and may be
     * started again.
     */
    private static boolean onlyLeftovers(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(p -> !p.equals(dir)).allMatch(p -> Files.isDirectory(p)
                    || p.getFileName().toString().equals(".lock") || p.getFileName().toString().equals("scaler.bin")
                    || org.dl4jvae.data.io.AtomicFile.isTemporary(p));
        }
    }

    private int train(TrainSettings s, RunDirectory run, Path dataDir, Facts train, ImageSet trainImages, ImageSet test,
                      Scaling scaling, PrintWriter out, boolean bar, boolean resuming, Double newLearningRate,
                      Map<String, String> changes) {
        Backend backend = Backend.current();
        Trainer trainer;
        try {
            if (Files.isRegularFile(run.lastCheckpoint())) {
                trainer = Trainer.resume(s.training(), run.checkpoints());
                agree(run, s, trainer.model(), newLearningRate != null);
                if (trainer.history().size() < trainer.completedEpochs()) { // checkpoints from before the history
                    trainer = trainer.withHistory(run.readMetrics());
                }
            } else { // a new run, or one stopped before its first epoch ended: from epoch 0
                VaeConfig config = ModelOptions.usage(() -> s.model().forData(train.shape().channels(),
                        train.shape().rows(), train.shape().cols(), train.numClasses()), null);
                trainer = Trainer.start(VaeEngines.create(s.engine(), config), s.training(), run.checkpoints());
            }
        } catch (IOException e) {
            throw AppException.failure("cannot load model " + run.lastCheckpoint() + ": " + e.getMessage());
        }
        VaeEngine vae = trainer.model();
        if (vae.config().inputSize() != train.shape().size()) {
            throw AppException.failure("the run's model reads " + vae.config().inputSize() + " values per image, but the "
                    + "images in " + dataDir + " have " + train.shape().size() + "; resume with the run's own data "
                    + "(--data-dir " + s.data().dataDir() + ")");
        }
        if (newLearningRate != null) {
            vae.setLearningRate(newLearningRate);
        }
        Images.View view = s.data().images() ? new Images.View(train.shape(), scaling) : null;
        RunOutputs outputs = new RunOutputs(run, trainer.history(), test, view, s.training().seed(),
                vae.config().model() + " (" + s.engine() + ") on " + s.data().dataset(), new Progress(out, bar),
                ModelFamily.toJson(vae.config()).path("beta").asDouble(1.0));
        if (resuming) { // the directory from its last checkpoint, whatever a kill left
            List<java.nio.file.Path> stale = run.removeTemporaryFiles();
            if (!stale.isEmpty()) {
                out.printf("removed %d unfinished temporary file(s) of an interrupted run%n", stale.size());
            }
            outputs.repair(trainer).forEach(note -> out.println("repaired: " + note));
        }
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("dl4j_version", Versions.DL4J);
        environment.put("toolkit_version", Versions.toolkit());
        environment.put("java_version", System.getProperty("java.version"));
        environment.put("backend", backend.name());
        environment.put("device", backend.device());
        environment.put("train_images", train.size());
        environment.put("test_images", test.size());
        environment.put("products", natives.products());
        if (site != null) {
            environment.put("site", site.describe());
        }
        TrainSettings now = new TrainSettings(s.engine(), vae.config(), s.training(), s.data(), s.changes());
        for (Map.Entry<String, String> c : changes.entrySet()) {
            now = now.changed(vae.config(), new TrainSettings.Change(trainer.completedEpochs() + 1, c.getKey(),
                    c.getValue()));
        }
        run.writeSettings(now, environment);

        out.printf("engine %s | backend %s | device %s%s%n", vae.kind(), backend.name(), backend.device(),
                site == null ? "" : " | " + site.describe().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(java.util.stream.Collectors.joining(", ")));
        int validation = s.training().validationSize(train.size());
        out.printf("dataset %s (%s): %d training images, %s%d test images | model %s %d-%d-%d | run %s%n",
                s.data().dataset(), dataDir, train.size() - validation,
                validation > 0 ? validation + " validation images, " : "", test.size(), vae.config().model(),
                train.shape().size(), vae.config().hidden(), vae.config().latent(), run.dir());
        int done = trainer.completedEpochs();
        if (trainer.stopped() != null) {
            out.printf("the run stopped after epoch %d: %s; nothing to do%n", done, trainer.stopped());
            return 0;
        }
        if (done >= s.training().epochs()) {
            out.printf("the run already has %d epochs; nothing to do (raise --epochs to continue)%n", done);
            return 0;
        }
        if (done > 0) {
            out.printf("resuming after epoch %d%n", done);
        }
        out.flush();

        Thread hook = interruptionNotice(run);
        Runtime.getRuntime().addShutdownHook(hook);
        // the notice is for signals only: a failure below reports itself and must not claim an interruption
        List<EpochResult> history;
        try {
            history = site == null ? trainer.fit(trainImages, test, outputs)
                    : trainer.fit(site.pass(vae, s.training()), test, outputs);
        } catch (DivergedException d) {
            String kept = Files.isRegularFile(run.lastCheckpoint())
                    ? "the last good checkpoint is kept: " + run.lastCheckpoint()
                    : "no epoch completed, so there is no checkpoint";
            throw new AppException(d.getMessage() + "; " + kept + ". Continue with a smaller learning rate: vae-app "
                    + "train --resume " + run.dir() + " --lr " + vae.config().learningRate() / 10, AppException.DIVERGED);
        } catch (IOException e) {
            throw AppException.failure("cannot write checkpoint in " + run.dir() + ": " + AtomicFiles.describe(e));
        } finally {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        if (trainer.stopped() != null) {
            out.printf("stopped after epoch %d: %s%n", trainer.completedEpochs(), trainer.stopped());
        }
        out.printf("done: final test loss %.4f nats per image; best checkpoint: epoch %d; run directory %s%n",
                history.get(history.size() - 1).testLoss(), trainer.bestEpoch(), run.dir());
        return 0;
    }

    /**
     * The checkpoint is the run's truth: config.json must name the same model (variant, sizes, likelihood, settings) and
     * engine; a difference is named, and nothing is changed.
     */
    private static void agree(RunDirectory run, TrainSettings s, VaeEngine vae, boolean lrChanges) {
        if (!vae.kind().equals(s.engine())) {
            throw AppException.failure(run.config() + " says engine " + s.engine() + " but " + run.lastCheckpoint()
                    + " holds a " + vae.kind() + " model; the checkpoint is the run's truth: restore config.json");
        }
        var saved = org.dl4jvae.model.ModelFamily.toJson(vae.config());
        var said = org.dl4jvae.model.ModelFamily.toJson(s.model());
        for (var it = saved.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!(key.equals("lr") && lrChanges) && !saved.get(key).equals(said.get(key))) {
                throw AppException.failure(run.config() + " says " + key + " " + said.get(key) + " but "
                        + run.lastCheckpoint() + " holds " + key + " " + saved.get(key) + "; the checkpoint is the "
                        + "run's truth: restore config.json (or start a new run)");
            }
        }
    }

    private static Thread interruptionNotice(RunDirectory run) {
        return new Thread(() -> System.err.println("\ninterrupted: checkpoints are written whole at each epoch's end;"
                + " continue with: vae-app train --resume " + run.dir()));
    }

    static VaeEngines.Loaded load(Path checkpoint) {
        try {
            return VaeEngines.load(checkpoint);
        } catch (IOException e) {
            throw AppException.failure("cannot load model " + checkpoint + ": " + e.getMessage());
        }
    }
}
