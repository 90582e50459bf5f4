package org.dl4jvae.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.Dataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Times the data pipeline: decoding the training split and iterating shuffled minibatches. */
@Command(name = "bench-data", mixinStandardHelpOptions = true,
        description = "Time decoding a dataset's training split and one shuffled epoch of minibatches; prints JSON.")
final class BenchDataCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "mnist or fashion-mnist")
    String dataset;
    @Option(names = "--data-dir", description = "directory with the IDX files (as for train)")
    Path dataDir;
    @Option(names = "--batch-size", defaultValue = "128", description = "images per batch")
    int batchSize;
    @Option(names = "--repeats", defaultValue = "10", description = "the best of this many runs is reported")
    int repeats;

    @Override
    public Integer call() {
        Dataset d = DataSets.dataset(dataset);
        if (repeats < 1 || batchSize < 1) {
            throw AppException.usage("--repeats and --batch-size must be positive");
        }
        Path dir = DataSets.load(dataset, dataDir).dir();
        double decode = Double.MAX_VALUE;
        double iterate = Double.MAX_VALUE;
        ImageSet train = null;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            try {
                train = DataLocator.read(dir, Dataset.Split.TRAIN);
            } catch (IOException e) {
                throw AppException.failure(e.getMessage());
            }
            decode = Math.min(decode, (System.nanoTime() - t0) / 1e9);
            MinibatchIterator it = MinibatchIterator.builder(train).batchSize(batchSize).seed(r).releasePrevious(true).build();
            long t1 = System.nanoTime();
            long images = 0;
            while (it.hasNext()) {
                images += it.next().getFeatures().rows();
            }
            iterate = Math.min(iterate, (System.nanoTime() - t1) / 1e9);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", d.id());
        out.put("images", train.size());
        out.put("decode_seconds", Math.round(decode * 1e4) / 1e4);
        out.put("epoch_seconds", Math.round(iterate * 1e4) / 1e4);
        out.put("images_per_second", Math.round(train.size() / iterate));
        spec.commandLine().getOut().println(Json.write(out));
        return 0;
    }
}
