package org.dl4jvae.app;

import java.util.ArrayList;
import java.util.List;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.train.EpochResult;
import org.dl4jvae.model.train.Trainer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a run directory shows besides its checkpoints, written after each epoch: metrics.csv, the samples and
 * reconstructions of the epoch, and the loss plot; progress goes to the console.
 */
final class RunOutputs implements Trainer.Listener {

    private final RunDirectory run;
    private final DataSet shown;
    private final long seed;
    private final String title;
    private final Progress progress;
    private final List<EpochResult> rows;

    /** @param history the epochs the run already has */
    RunOutputs(RunDirectory run, List<EpochResult> history, ImageSet test, long seed, String title, Progress progress) {
        this.run = run;
        this.shown = DataSets.inOrder(test, 8).next();
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
        run.writeMetrics(rows);
        if (vae.probabilistic()) {
            Images.grid(vae.sample(64, seed), 8, 28, 2, run.samples(r.epoch()));
        }
        Images.grid(Nd4j.vstack(shown.getFeatures(), vae.reconstruct(shown.getFeatures(), shown.getLabels())), 8, 28, 2,
                run.reconstructions(r.epoch()));
        Charts.lossCurves(rows, title, run.lossPlot());
        progress.endEpoch(r.trainLoss(), r.testLoss(), r.trainSeconds(), r.imagesPerSecond());
    }
}
