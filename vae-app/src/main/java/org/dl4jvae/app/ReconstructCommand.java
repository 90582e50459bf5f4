package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
        int most = Math.min(test.size(), 1000);
        if (count < 1 || count > most) {
            throw AppException.usage("--count must be in 1.." + most);
        }
        org.nd4j.linalg.dataset.DataSet batch = DataSets.inOrder(test, count).next();
        INDArray x = batch.getFeatures();
        INDArray rec = r.vae().reconstruct(x, batch.getLabels());
        // rows of at most 16: each row of inputs above its reconstructions
        int cols = Math.min(count, 16);
        java.util.List<INDArray> cells = new java.util.ArrayList<>();
        java.util.List<String> labels = new java.util.ArrayList<>();
        for (int from = 0; from < count; from += cols) {
            int to = Math.min(count, from + cols);
            for (INDArray source : new INDArray[] {x, rec}) {
                cells.add(source.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()));
                if (to - from < cols) {
                    cells.add(Nd4j.zeros(x.dataType(), cols - (to - from), x.columns()));
                }
            }
            labels.add("input " + from + "-" + (to - 1));
            labels.add("reconstruction");
        }
        Images.labeled(Nd4j.vstack(cells.toArray(INDArray[]::new)), cols, r.view("reconstruct"), 2, "test images of " + r.settings().data()
                .dataset() + " and their reconstructions (" + r.vae().config().model() + ", decoded at the latent mean)",
                labels, java.util.List.of(), java.util.List.of(), out);
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }
}
