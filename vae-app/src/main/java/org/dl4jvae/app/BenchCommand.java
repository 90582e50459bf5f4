package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Times training steps on in-memory data (random pixels or a dataset's images) and prints one JSON object. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time training steps of an engine on in-memory 784-pixel images; prints JSON.")
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--model", defaultValue = ModelFamily.DEFAULT, description = "the variant to time")
    String model;
    @Option(names = "--engine", defaultValue = "samediff", description = "samediff or dl4j")
    String engine;
    @Option(names = "--batch-size", defaultValue = "128", description = "images per step")
    int batchSize;
    @Option(names = "--batches", defaultValue = "200", description = "timed steps")
    int batches;
    @Option(names = "--warmup", defaultValue = "50", description = "untimed steps first")
    int warmup;
    @Option(names = "--hidden", defaultValue = "400", description = "units of fc1 and fc3")
    int hidden;
    @Option(names = "--latent", defaultValue = "20", description = "size of z")
    int latent;
    @Option(names = "--dataset", description = "time on this dataset's training images (cycled) instead of random "
            + "pixels: mnist or fashion-mnist")
    String dataset;
    @Option(names = "--data-dir", description = "directory with the dataset's IDX files (as for train)")
    Path dataDir;
    @CommandLine.Mixin
    ThreadsOption threads;

    @Override
    public Integer call() {
        if (!VaeEngines.KINDS.contains(engine)) {
            throw AppException.usage("unknown engine '" + engine + "' (known: " + String.join(", ", VaeEngines.KINDS) + ")");
        }
        if ((long) batchSize * Math.max(batches, warmup) * 784 > Integer.MAX_VALUE) {
            throw AppException.usage("--batch-size times --batches (or --warmup) must stay below "
                    + Integer.MAX_VALUE / 784 + " images");
        }
        if (batchSize < 1 || batches < 1 || warmup < 0 || hidden < 1 || latent < 1) {
            throw AppException.usage("--batch-size, --batches, --hidden and --latent must be positive, --warmup >= 0");
        }
        ImageSet images = dataset != null ? DataSets.load(dataset, dataDir).train() : null;
        if (images != null && images.imageSize() != 784) {
            throw AppException.usage("bench times 784-pixel images; " + dataset + " has " + images.imageSize());
        }
        threads.apply();
        VaeEngine vae = VaeEngines.create(engine,
                ModelOptions.usage(() -> ModelFamily.config(model).withSizes(784, hidden, latent), "--model"));
        if (warmup > 0) {
            vae.fit(iterator(images, 0, warmup), 1);
        }
        MinibatchIterator timed = iterator(images, warmup, batches);
        long t0 = System.nanoTime();
        vae.fit(timed, 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Backend backend = Backend.current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", engine);
        out.put("model", model);
        out.put("backend", backend.name());
        out.put("device", backend.device());
        out.put("batch_size", batchSize);
        out.put("images_per_second", Math.round((double) batches * batchSize / seconds));
        out.put("ms_per_batch", Math.round(seconds * 1e6 / batches) / 1e3);
        out.put("peak_rss_mb", Backend.peakRssMb());
        spec.commandLine().getOut().println(Json.write(out));
        return 0;
    }

    /**
     * {@code steps} batches: the real images from step {@code from} on (the training set cycled), or
     * random bytes shaped like MNIST. A step costs nearly the same on either, but not quite: real images have pixels
     * that are blank everywhere, whose weights never get a gradient (see AdamOptimizer on subnormal moments).
     */
    private MinibatchIterator iterator(ImageSet images, int from, int steps) {
        int n = steps * batchSize;
        ImageSet data;
        if (images != null) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = (int) (((long) from * batchSize + i) % images.size());
            }
            data = images.select(order);
        } else {
            byte[] pixels = new byte[n * 784];
            new SplittableRandom(7).nextBytes(pixels);
            data = new ImageSet(28, 28, 10, pixels, new byte[n]);
        }
        return MinibatchIterator.builder(data).batchSize(batchSize).seed(3).releasePrevious(true).build();
    }
}
