package org.dl4jvae.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.Dataset;

/** Test images: the real MNIST test set from ../shared when present, else generated stroke images. */
public final class TestData {

    private TestData() {
    }

    /** The shared MNIST test directory, if present. */
    public static Path sharedMnist() {
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/data/mnist");
            if (Files.isRegularFile(candidate.resolve("t10k-images-idx3-ubyte.gz"))) {
                return candidate;
            }
        }
        return null;
    }

    /** n 28x28 digit images: real MNIST test images when available, else synthetic strokes. */
    public static ImageSet digits(int n) throws Exception {
        Path shared = sharedMnist();
        if (shared != null) {
            return DataLocator.read(shared, Dataset.Split.TEST).limit(n);
        }
        return synthetic(n, 1);
    }

    /** Bars and boxes at random positions: structured enough for a VAE to learn something. */
    public static ImageSet synthetic(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(10);
            labels[i] = (byte) label;
            int r0 = 4 + rng.nextInt(6);
            int c0 = 4 + rng.nextInt(6);
            int len = 10 + label;
            for (int t = 0; t < len; t++) {
                int r = Math.min(27, r0 + (label % 2 == 0 ? t : label));
                int c = Math.min(27, c0 + (label % 2 == 0 ? label : t));
                pixels[i * 784 + r * 28 + c] = (byte) 255;
                pixels[i * 784 + Math.min(27, r + 1) * 28 + c] = (byte) 128;
            }
        }
        return new ImageSet(28, 28, 10, pixels, labels);
    }
}
