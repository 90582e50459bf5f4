package org.dl4jvae.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.train.EpochResult;
import org.dl4jvae.model.train.Trainer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a run directory shows besides its checkpoints, all derived from them: metrics.csv, each epoch's samples and
 * reconstructions, and the loss plot. Written after each epoch (before its checkpoint), and repaired on resume from
 * what the last checkpoint holds.
 */
final class RunOutputs implements Trainer.Listener {

    private final RunDirectory run;
    private final DataSet shown;
    private final long seed;
    private final String title;
    private final Progress progress;
    private final List<EpochResult> rows;
    /** How pictures are drawn; null for a table's run, which has none. */
    private final Images.View shape;
    private final double modelBeta;

    /** @param history the epochs the run already has */
    RunOutputs(RunDirectory run, List<EpochResult> history, ImageSet test, Images.View view, long seed, String title,
               Progress progress, double modelBeta) {
        this.modelBeta = modelBeta;
        this.run = run;
        this.shown = DataSets.inOrder(test, 8).next();
        this.shape = view;
        this.seed = seed;
        this.title = title;
        this.progress = progress;
        this.rows = new ArrayList<>(history);
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int images) {
        progress.startEpoch(epoch, epochs, images);
    }

    @Override
    public void onStep(int images, double loss) {
        progress.onStep(images, loss);
    }

    @Override
    public void onEpochEnd(EpochResult r, VaeEngine vae) {
        rows.add(r);
        pictures(r.epoch(), vae);
        run.writeMetrics(rows, modelBeta);
        Charts.lossCurves(rows, title, run.lossPlot());
        progress.endEpoch(r.trainLoss(), r.testLoss(), r.trainSeconds(), r.imagesPerSecond());
    }

    private void pictures(int epoch, VaeEngine vae) {
        if (shape == null) {
            return;
        }
        if (vae.probabilistic()) {
            Images.grid(vae.sample(64, seed), 8, shape, 2, run.samples(epoch));
        }
        Images.grid(Nd4j.vstack(shown.getFeatures(), vae.reconstruct(shown.getFeatures(), shown.getLabels())), 8, shape, 2,
                run.reconstructions(epoch));
    }

    /**
     * Makes the directory what the trainer's last checkpoint says it is: metrics.csv and the loss plot from the
     * history, no pictures of epochs it does not have, the pictures it lacks drawn again where the weights of that epoch
     * are kept (the last and the best checkpoint), best.zip the last epoch's when that one is the best. Returns what was
     * done that a user should know of.
     */
    List<String> repair(Trainer trainer) {
        List<String> notes = new ArrayList<>();
        int done = trainer.completedEpochs();
        try {
            if (trainer.repairBest()) {
                notes.add("best.zip rewritten from last.zip (epoch " + done + ")");
            }
        } catch (IOException e) {
            throw AppException.failure("cannot repair " + run.bestCheckpoint() + ": " + AtomicFiles.describe(e));
        }
        run.writeMetrics(rows, modelBeta);
        if (rows.isEmpty()) {
            deleteQuietly(run.lossPlot());
        } else {
            Charts.lossCurves(rows, title, run.lossPlot());
        }
        for (String kind : new String[] {"samples", "reconstructions"}) {
            for (int epoch : run.pictureEpochs(kind)) {
                if (epoch > done) { // drawn by an epoch whose checkpoint was never written; training draws it again
                    deleteQuietly(kind.equals("samples") ? run.samples(epoch) : run.reconstructions(epoch));
                }
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (EpochResult r : shape == null ? List.<EpochResult>of() : rows) {
            boolean wantSamples = trainer.model().probabilistic();
            if (Files.isRegularFile(run.reconstructions(r.epoch())) && (!wantSamples || Files.isRegularFile(run.samples(r.epoch())))) {
                continue;
            }
            VaeEngine weights = weightsOf(trainer, r.epoch());
            if (weights == null) {
                missing.add(r.epoch());
            } else {
                pictures(r.epoch(), weights);
                notes.add("pictures of epoch " + r.epoch() + " drawn again");
            }
        }
        if (!missing.isEmpty()) {
            notes.add("pictures of epochs " + missing + " are missing and cannot be drawn again (only the last and "
                    + "the best epoch's weights are kept)");
        }
        return notes;
    }

    /** The model of an epoch, if a checkpoint keeps it. */
    private VaeEngine weightsOf(Trainer trainer, int epoch) {
        if (epoch == trainer.completedEpochs()) {
            return trainer.model();
        }
        if (epoch == trainer.bestEpoch() && Files.isRegularFile(run.bestCheckpoint())) {
            try {
                return VaeEngines.load(run.bestCheckpoint()).engine();
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a picture that stays is drawn over by the epoch that owns it
        }
    }
}
