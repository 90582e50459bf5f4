package org.dl4jvae.app;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Times training steps on in-memory data and prints one JSON object. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time training steps of an engine on in-memory 784-pixel images; prints JSON.")
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--engine", defaultValue = "samediff")
    String engine;
    @Option(names = "--batch-size", defaultValue = "128")
    int batchSize;
    @Option(names = "--batches", defaultValue = "200", description = "timed steps")
    int batches;
    @Option(names = "--warmup", defaultValue = "50", description = "untimed steps first")
    int warmup;
    @Option(names = "--hidden", defaultValue = "400")
    int hidden;
    @Option(names = "--latent", defaultValue = "20")
    int latent;
    @CommandLine.Mixin
    ThreadsOption threads;

    @Override
    public Integer call() {
        if (!VaeEngines.KINDS.contains(engine)) {
            throw AppException.usage("unknown engine '" + engine + "' (known: " + String.join(", ", VaeEngines.KINDS) + ")");
        }
        if (batchSize < 1 || batches < 1 || warmup < 0 || hidden < 1 || latent < 1) {
            throw AppException.usage("--batch-size, --batches, --hidden and --latent must be positive, --warmup >= 0");
        }
        threads.apply();
        VaeEngine vae = VaeEngines.create(engine, VaeConfig.defaults().withSizes(784, hidden, latent));
        if (warmup > 0) {
            vae.fit(iterator(warmup), 1);
        }
        MinibatchIterator timed = iterator(batches);
        long t0 = System.nanoTime();
        vae.fit(timed, 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Backend backend = Backend.current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", engine);
        out.put("backend", backend.name());
        out.put("device", backend.device());
        out.put("batch_size", batchSize);
        out.put("images_per_second", Math.round((double) batches * batchSize / seconds));
        out.put("ms_per_batch", Math.round(seconds * 1e6 / batches) / 1e3);
        out.put("peak_rss_mb", Backend.peakRssMb());
        spec.commandLine().getOut().println(Json.write(out));
        return 0;
    }

    /** Random bytes shaped like MNIST: the step's cost does not depend on the pixel values. */
    private MinibatchIterator iterator(int steps) {
        int n = steps * batchSize;
        byte[] pixels = new byte[n * 784];
        new SplittableRandom(7).nextBytes(pixels);
        ImageSet data = new ImageSet(28, 28, 10, pixels, new byte[n]);
        return MinibatchIterator.builder(data).batchSize(batchSize).seed(3).releasePrevious(true).build();
    }
}
