package org.dl4jvae.app;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.model.VaeEngine;
import picocli.CommandLine.Option;

/** The {@code --run DIR} option of the commands that use a trained model, and what it loads. */
final class TrainedRun {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "a run directory written by train")
    Path dir;

    @Option(names = "--checkpoint", defaultValue = "last", description = "last or best")
    String checkpoint;

    @Option(names = "--data-dir", description = "default: the run's data directory")
    Path dataDir;

    /** A loaded run: its settings, its model (whose engine must be the one config.json names) and its data scaling. */
    record Loaded(RunDirectory run, TrainSettings settings, VaeEngine vae, Path dataDir,
                  org.dl4jvae.data.Scaling scaling) {

        /**
         * The test split of the run's data (or of another named dataset, or of other data in the run's format from
         * --data-dir), scaled as the run's training data were, and checked against the model's input.
         */
        ImageSet testSet(String datasetOverride) {
            TrainSettings.Data d = settings.data();
            if (datasetOverride != null || dataDir != null) {
                d = new TrainSettings.Data(datasetOverride != null ? datasetOverride : d.dataset(),
                        dataDir != null ? dataDir.toString() : datasetOverride != null ? null : d.dataDir(), null, null,
                        null, null, null, d.formatId(), d.resize(), d.testSplitShare(), d.labelColumn(), d.scale());
            }
            DataSets data = DataSets.load(d, settings.training().seed(), false);
            ImageSet test = scaling.apply(data.test());
            if (test.imageSize() != vae.config().inputSize()) {
                throw AppException.failure("the model reads " + vae.config().inputSize() + " values per example, but the "
                        + "test data in " + data.dir() + " have " + test.imageSize() + " (" + test.shape() + ")");
            }
            return test;
        }

        ImageSet testSet() {
            return testSet(null);
        }

        /** The class names of the run's data, by label. */
        java.util.List<String> classNames(ImageSet test) {
            return DataSets.classNames(settings.data(), test);
        }

        /** How the run's model values become pictures; a usage error for data that are no images (tables). */
        Images.View view(String command) {
            if (!settings.data().images()) {
                throw AppException.usage(command + " draws images, and the run's data are a table (--format csv), which "
                        + "has no pictures; evaluate, latent-plot and anomaly (scores) work on tables");
            }
            return new Images.View(settings.data().shape(vae.config().inputSize()), scaling);
        }

        /** Stops with a usage error when the model has no prior and no stochastic encoder. */
        void requireProbabilistic(String command, String why) {
            if (!vae.probabilistic()) {
                throw AppException.usage(command + " does not apply to --model " + vae.config().model() + ": " + why);
            }
        }
    }

    Loaded load() {
        RunDirectory run = RunDirectory.open(dir);
        TrainSettings settings = run.readSettings();
        Path file = switch (checkpoint) {
            case "last" -> run.lastCheckpoint();
            case "best" -> run.bestCheckpoint();
            default -> throw AppException.usage("--checkpoint must be last or best");
        };
        if (!Files.isRegularFile(file)) {
            throw AppException.failure(run.dir() + " has no " + run.dir().relativize(file) + " yet: no epoch has "
                    + "completed (continue it with: vae-app train --resume " + run.dir() + ")");
        }
        VaeEngine vae = TrainCommand.load(file).engine();
        if (!vae.kind().equals(settings.engine()) || !vae.config().model().equals(settings.model().model())) {
            throw AppException.failure(file + " holds a " + vae.config().model() + " model of the " + vae.kind()
                    + " engine but " + run.config() + " says " + settings.model().model() + " on " + settings.engine());
        }
        return new Loaded(run, settings, vae, dataDir, run.scaling());
    }
}
