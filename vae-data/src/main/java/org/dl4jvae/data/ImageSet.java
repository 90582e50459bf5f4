package org.dl4jvae.data;

import static org.dl4jvae.data.idx.IdxFormatException.Defect.COUNT_MISMATCH;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.dl4jvae.data.idx.IdxFormatException;
import org.dl4jvae.data.idx.IdxImages;
import org.dl4jvae.data.idx.IdxReader;

/**
 * Labelled images held in memory as unsigned bytes: the decoded content of one IDX image/label file pair.
 * Immutable by convention: the arrays are shared, never written after construction.
 */
public record ImageSet(int rows, int cols, int numClasses, byte[] pixels, byte[] labels) {

    public ImageSet {
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels and labels disagree on the number of images");
        }
    }

    /** Reads and cross-checks an image file and its label file. */
    public static ImageSet read(Path imagesFile, Path labelsFile, int numClasses) throws IOException {
        IdxImages images = IdxReader.readImages(imagesFile);
        byte[] labels = IdxReader.readLabels(labelsFile, numClasses);
        if (images.count() != labels.length) {
            throw new IdxFormatException(labelsFile, COUNT_MISMATCH,
                    labels.length + " labels for " + images.count() + " images in " + imagesFile.getFileName());
        }
        return new ImageSet(images.rows(), images.cols(), numClasses, images.pixels(), labels);
    }

    /** Writes the images and labels as an IDX file pair. */
    public void write(Path imagesFile, Path labelsFile, boolean gzip) throws IOException {
        org.dl4jvae.data.idx.IdxWriter.writeImages(imagesFile, size(), rows, cols, pixels, gzip);
        org.dl4jvae.data.idx.IdxWriter.writeLabels(labelsFile, labels, gzip);
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Pixels per image (784 for MNIST). */
    public int imageSize() {
        return rows * cols;
    }

    /** Label of image {@code i}, 0-based class index. */
    public int label(int i) {
        return labels[i] & 0xff;
    }

    /** The first {@code n} images (all of them when {@code n} is at least the size). */
    public ImageSet limit(int n) {
        return n >= size() ? this : select(identity(n));
    }

    /** The images whose label is not {@code label}: a training set with one class held out. */
    public ImageSet withoutLabel(int label) {
        return select(java.util.stream.IntStream.range(0, size()).filter(i -> label(i) != label).toArray());
    }

    /** The images at the given indices, in that order. */
    public ImageSet select(int[] indices) {
        int d = imageSize();
        byte[] p = new byte[indices.length * d];
        byte[] l = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * d, p, i * d, d);
            l[i] = labels[indices[i]];
        }
        return new ImageSet(rows, cols, numClasses, p, l);
    }

    /** A random split into training and validation parts; the same seed gives the same split. */
    public Split split(int validationSize, long seed) {
        if (validationSize < 0 || validationSize >= size()) {
            throw new IllegalArgumentException("validation size must be in [0, " + size() + "), got " + validationSize);
        }
        int[] order = identity(size());
        shuffle(order, new SplittableRandom(seed));
        int[] validation = java.util.Arrays.copyOfRange(order, 0, validationSize);
        int[] train = java.util.Arrays.copyOfRange(order, validationSize, order.length);
        java.util.Arrays.sort(validation);
        java.util.Arrays.sort(train);
        return new Split(select(train), select(validation));
    }

    /** The two parts of {@link #split}. */
    public record Split(ImageSet train, ImageSet validation) {
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Fisher-Yates, so that an order depends only on the generator's seed. */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
