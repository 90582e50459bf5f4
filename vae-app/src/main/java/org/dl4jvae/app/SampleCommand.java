package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Decodes images from z ~ N(0, I) into a PNG grid. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Draw images from the prior into a PNG grid.")
final class SampleCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--count", defaultValue = "64", description = "images to draw, 1..10000")
    int count;
    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "the PNG to write")
    Path out;
    @Option(names = "--seed", defaultValue = "1", description = "seeds the draws of z")
    long seed;
    @Option(names = "--label", paramLabel = "C", description = "for a conditional model (cvae): draw images of class C "
            + "(default: class i %% classes for image i)")
    Integer label;

    @Override
    public Integer call() {
        Images.requirePng(out);
        if (count < 1 || count > 10_000) {
            throw AppException.usage("--count must be in 1..10000 (a grid of up to 100 x 100 images), got " + count);
        }
        TrainedRun.Loaded r = trained.load();
        r.requireProbabilistic("sample", "a plain autoencoder has no prior to sample from");
        int classes = r.vae().classes();
        INDArray images;
        if (label != null) {
            if (classes == 0) {
                throw AppException.usage("--label applies to conditional models (cvae), not to --model "
                        + r.vae().config().model());
            }
            if (label < 0 || label >= classes) {
                throw AppException.usage("--label must be a class in 0.." + (classes - 1) + ", got " + label);
            }
            INDArray labels = Nd4j.zeros(DataType.FLOAT, count, classes);
            labels.getColumn(label).assign(1);
            images = r.vae().sample(count, seed, labels);
        } else {
            images = r.vae().sample(count, seed);
        }
        int cols = (int) Math.ceil(Math.sqrt(count));
        Images.grid(images, cols, r.view("sample"), 2, out);
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }
}
