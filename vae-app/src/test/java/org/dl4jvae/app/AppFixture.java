package org.dl4jvae.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.Dataset;

/** Runs the app in-process and prepares small MNIST-format data directories. */
final class AppFixture {

    private AppFixture() {
    }

    /** What a command printed and returned. */
    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VaeApp.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** A command line followed by more arguments. */
    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A command's JSON result or config.json: whole numbers as Long, others as Double, objects as maps. */
    @SuppressWarnings("unchecked")
    static java.util.Map<String, Object> parse(String json) {
        try {
            Object v = normalise(org.dl4jvae.model.ModelFamily.json().readValue(json, Object.class));
            return (java.util.Map<String, Object>) v;
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static Object normalise(Object v) {
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof java.util.List<?> l) {
            return l.stream().map(AppFixture::normalise).toList();
        }
        if (v instanceof java.util.Map<?, ?> m) {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, normalise(x)));
            return out;
        }
        return v;
    }

    /**
     * Writes a small dataset (train and t10k files) into {@code dir}: real MNIST test digits from ../shared when
     * present (the first 600 as training images, the next 200 as test images), else generated images.
     */
    static Path dataset(Path dir) throws Exception {
        ImageSet source = sharedMnist();
        if (source == null) {
            source = generated(800);
        }
        int[] train = java.util.stream.IntStream.range(0, 600).toArray();
        int[] test = java.util.stream.IntStream.range(600, 800).toArray();
        Dataset.Split tr = Dataset.Split.TRAIN;
        Dataset.Split te = Dataset.Split.TEST;
        source.select(train).write(dir.resolve(tr.imagesFile()), dir.resolve(tr.labelsFile()), true);
        source.select(test).write(dir.resolve(te.imagesFile()), dir.resolve(te.labelsFile()), true);
        return dir;
    }

    private static ImageSet sharedMnist() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/data/mnist");
            if (Files.isRegularFile(candidate.resolve("t10k-images-idx3-ubyte.gz"))) {
                return DataLocator.read(candidate, Dataset.Split.TEST).limit(800);
            }
        }
        return null;
    }

    /** Class c is a bright horizontal band at row 2c + 4, with speckle noise. */
    static ImageSet generated(int n) {
        SplittableRandom rng = new SplittableRandom(11);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = i % 10;
            labels[i] = (byte) c;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                boolean on = Math.abs(row - (2 * c + 4)) <= 1 || rng.nextInt(40) == 0;
                pixels[i * 784 + p] = (byte) (on ? 200 + rng.nextInt(56) : 0);
            }
        }
        return new ImageSet(28, 28, 10, pixels, labels);
    }
}
