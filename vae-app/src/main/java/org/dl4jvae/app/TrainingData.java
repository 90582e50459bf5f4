package org.dl4jvae.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Path;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.Scaling;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;

/**
 * A run's images as {@code train} feeds them to the model: read in the run's format, a class left out, limited, scaled
 * (fitted on the training part without the validation split, or the run's own scaling), and checked against the
 * decoder's range. Public for workers on other machines that read the training images themselves ({@code vae-spark}):
 * they prepare them by the same rules from the run's settings.
 */
public final class TrainingData {

    /** The prepared images (no test images on a worker) and the scaling applied to them. */
    public record Prepared(ImageSet train, ImageSet test, Scaling scaling) {
    }

    private TrainingData() {
    }

    /**
     * The training images of a run on a worker: {@code settingsJson} is {@link #settingsJson}'s text, {@code scaling}
     * the run's scaling ({@link Scaling#toBytes()}) or null to fit it here.
     */
    public static Prepared forWorker(String settingsJson, byte[] scaling) {
        TrainSettings s = TrainSettings.fromJson(readTree(settingsJson), Path.of("config.json"));
        DataSets data = DataSets.load(s.data(), s.training().seed(), true);
        try {
            return prepareTraining(s, data.dir(), data.train(), scaling == null ? null : Scaling.fromBytes(scaling));
        } catch (IOException e) {
            throw AppException.failure("cannot read the run's scaling: " + e.getMessage());
        }
    }

    /** The settings as a worker reads them. */
    static String settingsJson(TrainSettings s) {
        try {
            return ModelFamily.json().writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return ModelFamily.json().readTree(json);
        } catch (JsonProcessingException e) {
            throw AppException.failure("unreadable run settings: " + e.getOriginalMessage());
        }
    }

    /** Prepares loaded data (both splits); {@code kept} is the run's scaling, or null to fit one. */
    static Prepared prepare(TrainSettings s, DataSets data, Scaling kept, boolean withTest) {
        Prepared p = prepareTraining(s, data.dir(), data.train(), kept);
        return withTest ? new Prepared(p.train(), prepareTest(s, data.dir(), data.test(), p.scaling()), p.scaling()) : p;
    }

    /** The training images: a class left out, limited, scaled (by {@code kept}, or fitted here) and checked. */
    static Prepared prepareTraining(TrainSettings s, Path dir, ImageSet train, Scaling kept) {
        Integer exclude = s.data().excludeClass();
        if (exclude != null && exclude >= train.numClasses()) {
            throw AppException.usage("--exclude-class " + exclude + " is not a class of the data: "
                    + (train.labelled() ? "they have classes 0.." + (train.numClasses() - 1) : "they have no labels"));
        }
        if (exclude != null) {
            train = train.withoutLabel(exclude);
        }
        if (s.data().limit() != null) {
            train = train.limit(s.data().limit());
        }
        Scaling scaling = kept != null ? kept : fit(s, train);
        train = scaling.apply(train);
        checkRange(s, dir, train, "training");
        return new Prepared(train, null, scaling);
    }

    /** The test images, scaled by the training images' scaling and checked. */
    static ImageSet prepareTest(TrainSettings s, Path dir, ImageSet test, Scaling scaling) {
        ImageSet scaled = scaling.apply(test);
        checkRange(s, dir, scaled, "test");
        return scaled;
    }

    /** Fitted on the training part: the training images without the validation split the trainer holds out. */
    private static Scaling fit(TrainSettings s, ImageSet train) {
        ImageSet fitted = train;
        int validation = s.training().validationSize(train.size());
        if (validation > 0) {
            fitted = train.split(validation, s.training().seed()).train();
        }
        return Scaling.fit(s.data().scaling(), fitted);
    }

    /** A Bernoulli decoder models values in [0, 1]: data outside it are refused before anything is written. */
    private static void checkRange(TrainSettings s, Path dir, ImageSet part, String which) {
        if (s.model().decoder() != VaeConfig.Decoder.BERNOULLI) {
            return;
        }
        float[] range = part.range();
        if (range[0] < 0 || range[1] > 1) {
            throw AppException.failure(dir + ": the " + which + " data range from " + range[0] + " to " + range[1]
                    + ", but the Bernoulli decoder models values in [0, 1]: use --decoder gaussian, or --scale minmax "
                    + "(or standard with --decoder gaussian)");
        }
    }
}
