package org.dl4jvae.model.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.io.AtomicFile;
import org.dl4jvae.data.io.Halt;
import org.dl4jvae.model.ElboEstimate;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.TorchGenerator;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Trains a model epoch by epoch and keeps its checkpoints: after every epoch the test set is evaluated, the model with
 * its optimiser state, the epoch and the history of every epoch's numbers is written to {@code last.zip} (the truth of
 * the run), and copied to {@code best.zip} when the test loss is the lowest so far. A trainer made by {@link #resume}
 * continues from {@code last.zip} with the same data order and noise as an uninterrupted run, so on CPU it ends with
 * the same numbers.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.start(model, TrainingConfig.defaults(), Path.of("checkpoints"));
 * List<EpochResult> history = trainer.fit(train, test, Trainer.Listener.NONE);
 * }</pre>
 */
public final class Trainer {

    /**
     * Told what training does; every method has an empty default. {@link #onEpochEnd} comes before the epoch's
     * checkpoint is written, so what it writes is never newer than a completed checkpoint can restore.
     */
    public interface Listener extends VaeEngine.StepListener {
        Listener NONE = new Listener() { };

        /** Before epoch {@code epoch} (1-based) of {@code epochs}, which will train on {@code images} images. */
        default void onEpochStart(int epoch, int epochs, int images) {
        }

        @Override
        default void onStep(int images, double loss) {
        }

        /** After an epoch, before its checkpoint: the epoch's numbers and the model as it now is. */
        default void onEpochEnd(EpochResult result, VaeEngine model) throws IOException {
        }
    }

    private static final String EPOCH = "epoch";
    /** The lowest selection loss so far (named so since the first checkpoints, which chose by the test loss). */
    private static final String BEST = "best_test_loss";
    private static final String HISTORY = "history";
    private static final String STOPPED = "stopped";

    private final VaeEngine model;
    private final TrainingConfig config;
    private final Path checkpoints;
    private final List<EpochResult> history;
    private double best;
    private int completed;
    private String stopped;

    private Trainer(VaeEngine model, TrainingConfig config, Path checkpoints, List<EpochResult> history, double best) {
        this.model = model;
        this.config = config;
        this.checkpoints = checkpoints;
        this.history = new ArrayList<>(history);
        this.best = best;
    }

    /** A new run of a fresh model, its checkpoints written into {@code checkpoints}. */
    public static Trainer start(VaeEngine model, TrainingConfig config, Path checkpoints) {
        return new Trainer(model, config, checkpoints, List.of(), Double.POSITIVE_INFINITY);
    }

    /**
     * The run whose last checkpoint is {@code checkpoints/last.zip}, to be trained up to {@code config.epochs()}.
     * Checkpoints from before the history was kept in them have an empty {@link #history()}: give it with
     * {@link #withHistory}.
     */
    public static Trainer resume(TrainingConfig config, Path checkpoints) throws IOException {
        Path last = last(checkpoints);
        VaeEngines.Loaded loaded = VaeEngines.load(last);
        Map<String, String> meta = loaded.metadata();
        try {
            int epoch = Integer.parseInt(meta.getOrDefault(EPOCH, "0"));
            double best = Double.parseDouble(meta.getOrDefault(BEST, "Infinity"));
            List<EpochResult> history = meta.containsKey(HISTORY)
                    ? ModelFamily.json().readValue(meta.get(HISTORY), new TypeReference<List<EpochResult>>() { })
                    : List.of();
            // the best so far follows from the history where there is one (checkpoints before it chose by test loss)
            double bestSoFar = history.isEmpty() ? best
                    : history.stream().mapToDouble(EpochResult::selectionLoss).min().orElse(best);
            Trainer t = new Trainer(loaded.engine(), config, checkpoints, history, bestSoFar);
            if (!history.isEmpty() && history.get(history.size() - 1).epoch() != epoch) {
                throw new IOException(last + ": its history ends at epoch " + history.get(history.size() - 1).epoch()
                        + " but the model is of epoch " + epoch);
            }
            t.completed = epoch;
            t.stopped = meta.get(STOPPED);
            return t;
        } catch (NumberFormatException | JsonProcessingException e) {
            throw new IOException(last + ": unreadable training state (" + e.getMessage() + ")", e);
        }
    }

    /** The same run with the history of earlier epochs, for checkpoints that do not carry it. */
    public Trainer withHistory(List<EpochResult> earlier) {
        List<EpochResult> kept = earlier.stream().filter(r -> r.epoch() <= completed).toList();
        Trainer t = new Trainer(model, config, checkpoints, kept,
                kept.stream().mapToDouble(EpochResult::selectionLoss).min().orElse(best));
        t.completed = completed;
        return t;
    }

    /** The last checkpoint of a run. */
    public static Path last(Path checkpoints) {
        return checkpoints.resolve("last.zip");
    }

    /** The checkpoint with the lowest selection loss (validation, or training without a validation split). */
    public static Path best(Path checkpoints) {
        return checkpoints.resolve("best.zip");
    }

    public VaeEngine model() {
        return model;
    }

    /** Epochs completed so far (0 for a new run). */
    public int completedEpochs() {
        return completed;
    }

    /** Every completed epoch's numbers, in order. */
    public List<EpochResult> history() {
        return List.copyOf(history);
    }

    /**
     * Trains the remaining epochs on {@code train}, evaluating on {@code test} after each. Throws
     * {@link DivergedException} when a loss stops being finite (the last checkpoint stays the last good epoch's) and
     * IOException when a checkpoint cannot be written.
     */
    public List<EpochResult> fit(ImageSet train, ImageSet test, Listener listener) throws IOException {
        ImageSet fitted = train;
        MinibatchIterator valBatches = null;
        if (config.valSplit() > 0) { // seeded: the same images every epoch and on resume
            ImageSet.Split split = train.split(config.validationSize(train.size()), config.seed());
            fitted = split.train();
            valBatches = MinibatchIterator.builder(split.validation()).batchSize(model.evaluationBatch(1000)).shuffle(false)
                    .releasePrevious(true).build();
        }
        MinibatchIterator.Builder batches = MinibatchIterator.builder(fitted).batchSize(config.batchSize())
                .seed(config.seed()).releasePrevious(true);
        if (model.trainingNoise() instanceof TorchGenerator torch) { // each epoch's order is torch.randperm's
            batches.permutations(torch::randperm);
        }
        return fit(EpochPass.local(batches.build()), valBatches, test, listener);
    }

    /**
     * Trains the remaining epochs with a pass that holds the training data itself (on other machines), evaluating on
     * {@code test} here after each. The selection loss is the training loss: a validation split needs the training
     * images here ({@link #fit(ImageSet, ImageSet, Listener)}).
     */
    public List<EpochResult> fit(EpochPass pass, ImageSet test, Listener listener) throws IOException {
        if (config.valSplit() > 0) {
            throw new IllegalArgumentException("a validation split needs the training images on this machine");
        }
        return fit(pass, null, test, listener);
    }

    private List<EpochResult> fit(EpochPass pass, MinibatchIterator valBatches, ImageSet test, Listener listener)
            throws IOException {
        // one batch buffer refilled for the whole evaluation, rather than 31 MB of new native arrays per epoch that
        // wait for the garbage collector
        MinibatchIterator testBatches = MinibatchIterator.builder(test).batchSize(model.evaluationBatch(1000)).shuffle(false)
                .releasePrevious(true).build();
        int steps = pass.stepsPerEpoch();
        ISchedule schedule = config.lrSchedule().toSchedule(model.config().learningRate(), steps * config.epochs());
        boolean scheduled = !config.lrSchedule().type().equals("constant") || config.lrSchedule().warmupSteps() > 0;
        model.setClipNorm(config.clipNorm());
        for (int e = completed; e < config.epochs() && stopped == null; e++) {
            int epoch = e + 1;
            listener.onEpochStart(epoch, config.epochs(), pass.imagesPerEpoch());
            double klWeight = config.klWeight(epoch);
            if (config.klWarmup() > 0) {
                model.setKlWeight(klWeight);
            }
            double plateau = Math.pow(config.lrSchedule().gamma(), plateauDecays());
            double[] lr = {model.config().learningRate()}; // the last step's, reported with the epoch
            int first = e * steps;
            long t0 = System.nanoTime();
            double trainLoss = pass.train(model, e, config.noiseSeed(e), new VaeEngine.StepListener() {
                @Override
                public void beforeStep(int step) {
                    if (scheduled) {
                        lr[0] = schedule.valueAt(first + step, epoch - 1) * plateau;
                        model.setStepSize(lr[0]);
                    }
                }

                @Override
                public void onStep(int images, double loss) {
                    if (!Double.isFinite(loss)) {
                        throw new DivergedException(epoch, "loss is " + loss);
                    }
                    listener.onStep(images, loss);
                }
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            ElboEstimate testLoss = model.negativeElbo(testBatches, config.evaluationSeed(), model.trainingNoise());
            Double valLoss = valBatches == null ? null
                    : model.negativeElbo(valBatches, config.evaluationSeed(), model.trainingNoise()).loss();
            if (!Double.isFinite(testLoss.loss()) || (valLoss != null && !Double.isFinite(valLoss))) {
                throw new DivergedException(epoch, "loss is " + (valLoss != null && !Double.isFinite(valLoss) ? valLoss
                        : testLoss.loss()));
            }
            EpochResult result = new EpochResult(epoch, trainLoss, testLoss.loss(), testLoss.reconstruction(),
                    testLoss.kl(), seconds, pass.imagesPerEpoch() / seconds, valLoss, lr[0], klWeight);
            // what the epoch shows first, the checkpoint last: a kill before the checkpoint's rename leaves the
            // previous epoch's checkpoint, and a resume repeats this epoch exactly
            listener.onEpochEnd(result, model);
            Halt.at("epoch-shown");
            history.add(result);
            boolean improved = result.selectionLoss() < best;
            best = Math.min(best, result.selectionLoss());
            if (config.patience() != null && epochsWithoutImprovement(config.minDelta()) >= config.patience()) {
                stopped = "early stopping: the " + (valBatches != null ? "validation" : "training") + " loss has not "
                        + "improved by more than " + config.minDelta() + " for " + config.patience() + " epochs (best: "
                        + "epoch " + bestEpoch() + ")";
            }
            checkpoint(epoch, improved);
            completed = epoch;
        }
        return history();
    }

    /** Why training stopped before its last epoch (early stopping), or null. */
    public String stopped() {
        return stopped;
    }

    int epochsWithoutImprovement(double minDelta) {
        return epochsWithoutImprovement(history, minDelta);
    }

    /** Epochs since the selection loss last improved on the best before it by more than {@code minDelta}. */
    static int epochsWithoutImprovement(List<EpochResult> history, double minDelta) {
        double bestSoFar = Double.POSITIVE_INFINITY;
        int since = 0;
        for (EpochResult r : history) {
            if (r.selectionLoss() < bestSoFar - minDelta) {
                bestSoFar = r.selectionLoss();
                since = 0;
            } else {
                since++;
            }
        }
        return since;
    }

    /**
     * How many times a {@code plateau} schedule has decayed the learning rate by the end of the history: each time the
     * selection loss went {@code patience} epochs without improving (replayed from the history, so a resumed run
     * continues where it was).
     */
    int plateauDecays() {
        return plateauDecays(history, config.lrSchedule(), config.minDelta());
    }

    static int plateauDecays(List<EpochResult> history, LrSchedule schedule, double minDelta) {
        if (!schedule.type().equals("plateau")) {
            return 0;
        }
        int decays = 0;
        int since = 0;
        double bestSoFar = Double.POSITIVE_INFINITY;
        for (EpochResult r : history) {
            if (r.selectionLoss() < bestSoFar - minDelta) {
                bestSoFar = r.selectionLoss();
                since = 0;
            } else if (++since >= Math.max(1, schedule.patience())) {
                decays++;
                since = 0;
            }
        }
        return decays;
    }

    private void checkpoint(int epoch, boolean improved) throws IOException {
        Map<String, String> meta = new java.util.HashMap<>(Map.of(EPOCH, Integer.toString(epoch), BEST,
                Double.toString(best), HISTORY, ModelFamily.json().writeValueAsString(history)));
        if (stopped != null) {
            meta.put(STOPPED, stopped);
        }
        model.save(last(checkpoints), meta);
        if (improved) {
            AtomicFile.write(best(checkpoints), out -> Files.copy(last(checkpoints), out));
        }
    }

    /** The epoch (1-based) with the lowest test loss so far; 0 before the first. */
    public int bestEpoch() {
        return history.stream().filter(r -> r.selectionLoss() == best).mapToInt(EpochResult::epoch).findFirst().orElse(0);
    }

    /**
     * Makes {@code best.zip} agree with the history after an interruption between the two checkpoints' renames: when the
     * last epoch is the best one, {@code best.zip} must hold it. Returns whether it was rewritten.
     */
    public boolean repairBest() throws IOException {
        if (completed == 0 || bestEpoch() != completed) {
            return false;
        }
        Path bestFile = best(checkpoints);
        if (Files.isRegularFile(bestFile)) {
            try {
                String epoch = org.dl4jvae.model.io.ModelFile.read(bestFile).metadata().get(EPOCH);
                if (Integer.toString(completed).equals(epoch)) {
                    return false;
                }
            } catch (IOException unreadable) {
                // rewritten below
            }
        }
        AtomicFile.write(bestFile, out -> Files.copy(last(checkpoints), out));
        return true;
    }

    /** The metadata of a checkpoint with no training yet (an imported model), so that {@link #resume} accepts it. */
    public static Map<String, String> untrained() {
        return Map.of(EPOCH, "0", BEST, "Infinity", HISTORY, "[]");
    }
}
