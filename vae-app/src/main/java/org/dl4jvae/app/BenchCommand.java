package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
        description = "Time training steps of an engine on in-memory 28 x 28 images; prints JSON.")
final class BenchCommand implements Callable<Integer> {

    /** Untimed steps are taken in iterators of at most this many steps, whose images are held at once. */
    private static final int UNTIMED_CHUNK = 50;

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
    @Option(names = "--warmup", defaultValue = "300", description = "untimed steps first (most of an engine's "
            + "warm-up is in its first 120-160 steps; the JVM's compiler works on for a few thousand more: use 3000 "
            + "and --batches 1000 for the steady state)")
    int warmup;
    @Option(names = "--arch", defaultValue = "mlp", description = "mlp or conv (the convolutional network, as the "
            + "PyTorch peer's --arch conv)")
    String arch;
    @Option(names = "--hidden", description = "units of fc1 and fc3 (mlp, default 400) or of the dense layer (conv, "
            + "default 16)")
    Integer hiddenOption;
    int hidden;
    @Option(names = "--latent", defaultValue = "20", description = "size of z")
    int latent;
    @Option(names = "--dataset", description = "time on this dataset's training images (cycled) instead of random "
            + "pixels: mnist or fashion-mnist")
    String dataset;
    @Option(names = "--data-dir", description = "directory with the dataset's IDX files (as for train)")
    Path dataDir;
    @Option(names = "--sweep", description = "time a grid of batch sizes and hidden sizes instead of one point; one "
            + "JSON line per point")
    boolean sweep;
    @Option(names = "--batch-sizes", split = ",", defaultValue = "32,64,128,256,512,1024",
            description = "the sweep's batch sizes")
    List<Integer> batchSizes;
    @Option(names = "--hiddens", split = ",", defaultValue = "400,1024,2048", description = "the sweep's hidden sizes")
    List<Integer> hiddens;
    @Option(names = "--images", defaultValue = "25600", description = "the sweep's timed images per point (after "
            + "--warmup untimed steps, or a quarter as many images if more)")
    int sweepImages;
    @Option(names = "--profile", description = "also report the wall time of each kind of op of the SameDiff "
            + "runtime over the timed steps (ms per step, calls per step; the most expensive first)")
    boolean profile;
    @CommandLine.Mixin
    NativeOptions natives;

    @Override
    public Integer call() {
        if (!arch.equals("mlp") && !arch.equals("conv")) {
            throw AppException.usage("--arch must be mlp or conv, got '" + arch + "'");
        }
        hidden = hiddenOption != null ? hiddenOption : arch.equals("conv") ? 16 : 400;
        if (arch.equals("conv") && !engine.equals("samediff")) {
            throw AppException.usage("--arch conv needs --engine samediff: DL4J's VariationalAutoencoder layer is fully "
                    + "connected");
        }
        if (!VaeEngines.KINDS.contains(engine)) {
            throw AppException.usage("unknown engine '" + engine + "' (known: " + String.join(", ", VaeEngines.KINDS) + ")");
        }
        if ((long) batchSize * Math.max(batches, Math.min(warmup, UNTIMED_CHUNK)) * 784 > Integer.MAX_VALUE) {
            throw AppException.usage("--batch-size times --batches (or --warmup) must stay below "
                    + Integer.MAX_VALUE / 784 + " images");
        }
        if (batchSize < 1 || batches < 1 || warmup < 0 || hidden < 1 || latent < 1) {
            throw AppException.usage("--batch-size, --batches, --hidden and --latent must be positive, --warmup >= 0");
        }
        ImageSet images = dataset != null ? DataSets.load(dataset, dataDir).train() : null;
        if (sweep && (sweepImages < 1 || (long) sweepImages * 784 * 2 > Integer.MAX_VALUE)) {
            throw AppException.usage("--images must be in 1.." + Integer.MAX_VALUE / 784 / 2);
        }
        if (images != null && images.imageSize() != 784) {
            throw AppException.usage("bench times 784-pixel images; " + dataset + " has " + images.imageSize());
        }
        natives.apply();
        if (!sweep) {
            spec.commandLine().getOut().println(Json.write(point(images, batchSize, hidden, batches, warmup)));
            return 0;
        }
        if (batchSizes.stream().anyMatch(b -> b < 1 || b > 65_536)
                || hiddens.stream().anyMatch(h -> h < 1 || h > 65_536)) {
            throw AppException.usage("--batch-sizes and --hiddens must be positive (sizes up to 65536)");
        }
        for (int h : hiddens) {
            for (int b : batchSizes) {
                int timed = Math.max(5, sweepImages / b);
                spec.commandLine().getOut().println(Json.write(point(images, b, h, timed, Math.max(warmup, timed / 4))));
                spec.commandLine().getOut().flush();
            }
        }
        return 0;
    }

    /** Times {@code steps} training steps of batch {@code batch} after {@code untimed} ones; the result as JSON. */
    private Map<String, Object> point(ImageSet data, int batch, int hiddenSize, int steps, int untimed) {
        VaeEngine vae = VaeEngines.create(engine, ModelOptions.usage(() -> ModelFamily.config(model,
                Map.of("arch", arch, "hidden", hiddenSize, "latent", latent)).forData(1, 28, 28, 10), "--model"));
        for (int done = 0; done < untimed; done += UNTIMED_CHUNK) {
            vae.fit(iterator(data, batch, done, Math.min(UNTIMED_CHUNK, untimed - done)), 1);
        }
        MinibatchIterator timed = iterator(data, batch, untimed, steps);
        if (profile) {
            org.dl4jvae.model.samediff.OpTimes.start();
        }
        long t0 = System.nanoTime();
        vae.fit(timed, 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, long[]> ops = profile ? org.dl4jvae.model.samediff.OpTimes.stop() : null;
        Backend backend = Backend.current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", engine);
        out.put("model", model);
        out.put("arch", arch);
        out.put("backend", backend.name());
        out.put("device", backend.device());
        out.put("batch_size", batch);
        out.put("hidden", hiddenSize);
        out.put("products", natives.products());
        out.put("images_per_second", Math.round((double) steps * batch / seconds));
        out.put("ms_per_batch", Math.round(seconds * 1e6 / steps) / 1e3);
        out.put("peak_rss_mb", Backend.peakRssMb());
        if (ops != null) {
            Map<String, Object> perOp = new LinkedHashMap<>();
            ops.forEach((name, t) -> perOp.put(name, Map.of("ms_per_step", Math.round(t[0] / 1e3 / steps) / 1e3,
                    "calls_per_step", (double) t[1] / steps)));
            out.put("ops", perOp);
        }
        return out;
    }

    /**
     * {@code steps} batches: the real images from step {@code from} on (the training set cycled), or
     * random bytes shaped like MNIST. A step costs nearly the same on either, but not quite: real images have pixels
     * that are blank everywhere, whose weights never get a gradient (see AdamOptimizer on subnormal moments).
     */
    private static MinibatchIterator iterator(ImageSet images, int batchSize, int from, int steps) {
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
