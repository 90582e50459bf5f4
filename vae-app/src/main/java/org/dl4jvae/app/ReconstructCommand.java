package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The first test images above their reconstructions. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = "Write the first N test images above their reconstructions (decoded at the latent mean).")
final class ReconstructCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--count", defaultValue = "8", description = "test images to reconstruct")
    int count;
    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "the PNG to write")
    Path out;

    @Override
    public Integer call() {
        Images.requirePng(out);
        TrainedRun.Loaded r = trained.load();
        ImageSet test = r.testSet();
        if (count < 1 || count > test.size()) {
            throw AppException.usage("--count must be in 1.." + test.size());
        }
        org.nd4j.linalg.dataset.DataSet batch = DataSets.inOrder(test, count).next();
        INDArray x = batch.getFeatures();
        Images.grid(Nd4j.vstack(x, r.vae().reconstruct(x, batch.getLabels())), count, 28, 2, out);
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }
}
