package org.dl4jvae.data;

import static org.dl4jvae.data.idx.IdxFormatException.Defect.COUNT_MISMATCH;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.dl4jvae.data.idx.IdxFormatException;
import org.dl4jvae.data.idx.IdxImages;
import org.dl4jvae.data.idx.IdxReader;
import org.dl4jvae.data.idx.IdxWriter;

/**
 * Examples held in memory, each of one {@link Shape}, with optional class labels: images decoded from IDX files or
 * image folders, or the rows of a CSV table. Values are stored as unsigned bytes (8-bit images: value = byte / 255, the
 * reference's exact floats) or as floats (tables, scaled data). Immutable by convention: arrays are shared, never
 * written after construction.
 */
public final class ImageSet {

    /** The most classes a set may have: labels are stored as unsigned bytes. */
    public static final int MAX_CLASSES = 256;

    private final Shape shape;
    private final int numClasses;
    private final List<String> classNames;
    private final byte[] pixels;
    private final float[] values;
    private final byte[] labels;
    private final int size;

    private ImageSet(Shape shape, int numClasses, List<String> classNames, byte[] pixels, float[] values, byte[] labels,
                     int size) {
        if ((pixels == null) == (values == null)) {
            throw new IllegalArgumentException("exactly one of pixels and values holds the data");
        }
        long expected = (long) size * shape.size();
        if ((pixels != null ? pixels.length : values.length) != expected) {
            throw new IllegalArgumentException("the data holds " + (pixels != null ? pixels.length : values.length)
                    + " values, " + size + " examples of " + shape + " need " + expected);
        }
        if (numClasses < 0 || numClasses > MAX_CLASSES) {
            throw new IllegalArgumentException("number of classes must be in 0.." + MAX_CLASSES + ": " + numClasses);
        }
        if (labels.length != size) {
            throw new IllegalArgumentException("pixels and labels disagree on the number of images");
        }
        if (classNames != null && classNames.size() != numClasses) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + numClasses + " classes");
        }
        this.shape = shape;
        this.numClasses = numClasses;
        this.classNames = classNames == null ? null : List.copyOf(classNames);
        this.pixels = pixels;
        this.values = values;
        this.labels = labels;
        this.size = size;
    }

    /** Grey 8-bit images with labels in {@code 0..numClasses-1}. */
    public ImageSet(int rows, int cols, int numClasses, byte[] pixels, byte[] labels) {
        this(Shape.grey(rows, cols), numClasses, null, pixels, null, labels, labels.length);
    }

    /** 8-bit images of any shape; {@code numClasses} 0 for unlabelled ({@code labels} all 0); names may be null. */
    public static ImageSet ofBytes(Shape shape, int numClasses, List<String> classNames, byte[] pixels, byte[] labels) {
        return new ImageSet(shape, numClasses, classNames, pixels, null, labels, labels.length);
    }

    /** Float examples of any shape; {@code numClasses} 0 for unlabelled ({@code labels} all 0); names may be null. */
    public static ImageSet ofFloats(Shape shape, int numClasses, List<String> classNames, float[] values, byte[] labels) {
        return new ImageSet(shape, numClasses, classNames, null, values, labels, labels.length);
    }

    /** Reads and cross-checks an IDX image file (grey or with channels) and its label file. */
    public static ImageSet read(Path imagesFile, Path labelsFile, int numClasses) throws IOException {
        IdxImages images = IdxReader.readImages(imagesFile);
        byte[] labels = IdxReader.readLabels(labelsFile, numClasses);
        if (images.count() != labels.length) {
            throw new IdxFormatException(labelsFile, COUNT_MISMATCH,
                    labels.length + " labels for " + images.count() + " images in " + imagesFile.getFileName());
        }
        return ofBytes(new Shape(images.channels(), images.rows(), images.cols()), numClasses, null, images.pixels(),
                labels);
    }

    /** Writes 8-bit images and their labels as an IDX file pair. */
    public void write(Path imagesFile, Path labelsFile, boolean gzip) throws IOException {
        if (pixels == null) {
            throw new IllegalStateException("only 8-bit images are written as IDX");
        }
        IdxWriter.writeImages(imagesFile, size, shape.channels(), shape.rows(), shape.cols(), pixels, gzip);
        IdxWriter.writeLabels(labelsFile, labels, gzip);
    }

    public Shape shape() {
        return shape;
    }

    public int channels() {
        return shape.channels();
    }

    public int rows() {
        return shape.rows();
    }

    public int cols() {
        return shape.cols();
    }

    /** The number of classes; 0 when the examples have no labels. */
    public int numClasses() {
        return numClasses;
    }

    public boolean labelled() {
        return numClasses > 0;
    }

    /** The classes' names by label: as the source named them (folders, CSV values), else the label numbers. */
    public List<String> classNames() {
        if (classNames != null) {
            return classNames;
        }
        return IntStream.range(0, numClasses).mapToObj(Integer::toString).toList();
    }

    /** The 8-bit values, or null when the set holds floats. */
    public byte[] pixels() {
        return pixels;
    }

    /** The float values, or null when the set holds 8-bit images. */
    public float[] values() {
        return values;
    }

    public byte[] labels() {
        return labels;
    }

    /** Number of examples. */
    public int size() {
        return size;
    }

    /** Values per example (784 for MNIST). */
    public int imageSize() {
        return shape.size();
    }

    /** Label of example {@code i}, 0-based class index (0 for unlabelled sets). */
    public int label(int i) {
        return labels[i] & 0xff;
    }

    /** Value {@code p} of example {@code i}. */
    public float value(int i, int p) {
        int at = i * shape.size() + p;
        return pixels != null ? (pixels[at] & 0xff) / 255f : values[at];
    }

    /** All values as floats, example after example (the 8-bit ones divided by 255). */
    public float[] toFloats() {
        if (values != null) {
            return values;
        }
        float[] out = new float[pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels[i] & 0xff) / 255f;
        }
        return out;
    }

    /** The same examples and labels with other values (of the same count). */
    public ImageSet withValues(float[] newValues) {
        return new ImageSet(shape, numClasses, classNames, null, newValues, labels, size);
    }

    /** The smallest and the largest value. */
    public float[] range() {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        int n = size * shape.size();
        for (int i = 0; i < n; i++) {
            float v = pixels != null ? (pixels[i] & 0xff) / 255f : values[i];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new float[] {min, max};
    }

    /** The first {@code n} examples (all of them when {@code n} is at least the size). */
    public ImageSet limit(int n) {
        return n >= size() ? this : select(identity(n));
    }

    /** The examples whose label is not {@code label}: a training set with one class held out. */
    public ImageSet withoutLabel(int label) {
        return select(IntStream.range(0, size()).filter(i -> label(i) != label).toArray());
    }

    /** The examples at the given indices, in that order. */
    public ImageSet select(int[] indices) {
        int d = imageSize();
        byte[] p = pixels == null ? null : new byte[indices.length * d];
        float[] v = values == null ? null : new float[indices.length * d];
        byte[] l = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            if (p != null) {
                System.arraycopy(pixels, indices[i] * d, p, i * d, d);
            } else {
                System.arraycopy(values, indices[i] * d, v, i * d, d);
            }
            l[i] = labels[indices[i]];
        }
        return new ImageSet(shape, numClasses, classNames, p, v, l, indices.length);
    }

    /** Several sets of the same shape and classes, one after the other. */
    public static ImageSet concat(List<ImageSet> parts) {
        ImageSet first = parts.get(0);
        int n = parts.stream().mapToInt(ImageSet::size).sum();
        int d = first.imageSize();
        byte[] l = new byte[n];
        byte[] p = first.pixels == null ? null : new byte[n * d];
        float[] v = first.values == null ? null : new float[n * d];
        int at = 0;
        for (ImageSet s : parts) {
            if (!s.shape.equals(first.shape) || (s.pixels == null) != (p == null)) {
                throw new IllegalArgumentException("sets of different shapes or kinds: " + first.shape + ", " + s.shape);
            }
            if (p != null) {
                System.arraycopy(s.pixels, 0, p, at * d, s.size * d);
            } else {
                System.arraycopy(s.values, 0, v, at * d, s.size * d);
            }
            System.arraycopy(s.labels, 0, l, at, s.size);
            at += s.size;
        }
        return new ImageSet(first.shape, first.numClasses, first.classNames, p, v, l, n);
    }

    /** A random split into training and validation parts; the same seed gives the same split. */
    public Split split(int validationSize, long seed) {
        if (validationSize < 0 || validationSize >= size()) {
            throw new IllegalArgumentException("validation size must be in [0, " + size() + "), got " + validationSize);
        }
        int[] order = identity(size());
        shuffle(order, new SplittableRandom(seed));
        int[] validation = Arrays.copyOfRange(order, 0, validationSize);
        int[] train = Arrays.copyOfRange(order, validationSize, order.length);
        Arrays.sort(validation);
        Arrays.sort(train);
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
