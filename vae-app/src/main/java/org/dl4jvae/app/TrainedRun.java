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

    /** A loaded run: its settings and its model, whose engine must be the one config.json names. */
    record Loaded(RunDirectory run, TrainSettings settings, VaeEngine vae, Path dataDir) {

        /** The test split of the run's dataset (or another of the same format), from --data-dir or the run's. */
        ImageSet testSet(String datasetOverride) {
            return DataSets.testSplit(datasetOverride != null ? datasetOverride : settings.data().dataset(),
                    dataDir != null ? dataDir : settings.data().dir());
        }

        ImageSet testSet() {
            return testSet(null);
        }

        /** The height and width of the run's images, for pictures. */
        Images.Shape shape() {
            return settings.data().shape(vae.config().inputSize());
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
        return new Loaded(run, settings, vae, dataDir);
    }
}
