package org.dl4jvae.app;

import java.util.Map;
import org.dl4jvae.data.Shape;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.train.EpochPass;
import org.dl4jvae.model.train.TrainingConfig;

/**
 * Where {@code train} runs its epochs when not on this machine: a cluster whose workers read the training images
 * themselves ({@code vae-spark}). The command keeps everything else as it is: the settings, the run directory, the
 * evaluation on the test images here, the pictures, the checkpoints and the resume. Plug one in with
 * {@link VaeApp#run(String[], java.io.PrintWriter, java.io.PrintWriter, TrainingSite)}.
 */
public interface TrainingSite extends AutoCloseable {

    /** An object with picocli {@code @Option} fields, added to {@code train}'s options (null for none). */
    Object options();

    /** What config.json records of the site under {@code environment.site}, and what {@code train} prints. */
    Map<String, Object> describe();

    /**
     * Where this machine reads the run's data when the site brings them here (a copy of data on a cluster's file
     * system), or null to read them where the settings say.
     */
    default java.nio.file.Path localData() {
        return null;
    }

    /**
     * Reads and checks the training images where they lie, prepared as {@link TrainingData#forWorker} prepares them:
     * nothing comes here but their facts and the scaling fitted on them.
     *
     * @param settingsJson the run's settings for the workers
     * @param scaling the run's own scaling ({@code Scaling.toBytes()}), or null to fit one on the training images
     */
    Survey survey(String settingsJson, byte[] scaling);

    /** The training images' shape, number, classes, and the scaling the workers apply ({@code Scaling.toBytes()}). */
    record Survey(Shape shape, int size, int numClasses, byte[] scaling) {
    }

    /** The epochs of a run, trained by the workers on the images {@link #survey} read, into {@code model}. */
    EpochPass pass(VaeEngine model, TrainingConfig training);

    /** Releases the cluster. */
    @Override
    void close();
}
