package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Decodes the straight line between the latent means of two test images. */
@Command(name = "interpolate", mixinStandardHelpOptions = true,
        description = "Decode the straight line between the latent means of test images I and J.")
final class InterpolateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--from", required = true, paramLabel = "I", description = "index of the first test image")
    int from;
    @Option(names = "--to", required = true, paramLabel = "J", description = "index of the last test image")
    int to;
    @Option(names = "--steps", defaultValue = "10", description = "images along the line, 2..100")
    int steps;
    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "the PNG to write")
    Path out;

    @Override
    public Integer call() {
        Images.requirePng(out);
        if (steps < 2 || steps > 100) {
            throw AppException.usage("--steps must be in 2..100 (one row of images), got " + steps);
        }
        TrainedRun.Loaded r = trained.load();
        ImageSet test = r.testSet();
        int n = test.size();
        if (from < 0 || from >= n || to < 0 || to >= n) {
            throw AppException.usage("--from and --to must be test image indices in 0.." + (n - 1));
        }
        org.nd4j.linalg.dataset.DataSet pair = DataSets.inOrder(test.select(new int[] {from, to}), 2).next();
        INDArray mu = r.vae().encode(pair.getFeatures(), pair.getLabels()).mu();
        INDArray t = Nd4j.linspace(0, 1, steps, mu.dataType()).reshape(steps, 1);
        // z(t) = (1 - t) * mu_I + t * mu_J; a conditional model's label moves along the same line
        INDArray z = line(t, mu);
        INDArray labels = r.vae().classes() > 0 ? line(t, pair.getLabels().castTo(mu.dataType())) : null;
        // the two test images themselves at the ends, the decoded path between them
        INDArray row = Nd4j.vstack(pair.getFeatures().getRow(0, true), r.vae().decode(z, labels),
                pair.getFeatures().getRow(1, true));
        java.util.List<String> captions = new java.util.ArrayList<>();
        captions.add("test " + from);
        for (int i = 0; i < steps; i++) {
            captions.add(String.format(java.util.Locale.ROOT, "t=%.2f", i / (double) (steps - 1)));
        }
        captions.add("test " + to);
        Images.labeled(row, steps + 2, r.view("interpolate"), 2, "from test image " + from + " to " + to + ": the images and the "
                + "decoded line between their latent means (" + r.vae().config().model() + ")", java.util.List.of(),
                java.util.List.of(), captions, out);
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }

    /** Rows (1 - t) * a_0 + t * a_1 for each t. */
    private static INDArray line(INDArray t, INDArray ends) {
        return t.rsub(1).mmul(ends.getRow(0, true)).addi(t.mmul(ends.getRow(1, true)));
    }
}
