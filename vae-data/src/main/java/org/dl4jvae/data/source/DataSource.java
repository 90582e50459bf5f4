package org.dl4jvae.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dl4jvae.data.BadDataException;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.csv.CsvTable;
import org.dl4jvae.data.folder.ImageFolder;

/**
 * A user's own data on disk, in one of the formats the toolkit reads, as a training and a test set of one shape:
 * <ul>
 *   <li>{@code idx}: a directory with {@code train-images-idx3-ubyte} (or {@code idx4}: with channels),
 *       {@code train-labels-idx1-ubyte}, {@code t10k-images-...}, {@code t10k-labels-...} (each optionally .gz);</li>
 *   <li>{@code images}: a folder with {@code train/} and {@code test/} sub-folders, or one folder split in two;</li>
 *   <li>{@code csv}: a folder with {@code train.csv} and {@code test.csv}, or one file split in two.</li>
 * </ul>
 * A split in two is seeded: the same seed gives the same test set. Every defect is a {@link BadDataException} (or an
 * {@link org.dl4jvae.data.idx.IdxFormatException}) naming the file.
 */
public record DataSource(Format format, Path path, int[] resize, String labelColumn, double testSplit, long seed) {

    /** The formats. */
    public enum Format {
        IDX, IMAGES, CSV;

        /** {@code idx}, {@code images}, {@code csv}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Format of(String id) {
            for (Format f : values()) {
                if (f.id().equals(id.toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new IllegalArgumentException("--format must be idx, images or csv, got '" + id + "'");
        }
    }

    /** The two sets. */
    public record Splits(ImageSet train, ImageSet test) {
    }

    public DataSource {
        if (!(testSplit > 0 && testSplit < 1)) {
            throw new IllegalArgumentException("the test split must be a fraction in (0, 1), got " + testSplit);
        }
    }

    /** Reads both sets and checks that they agree. */
    public Splits read() throws IOException {
        Splits s = switch (format) {
            case IDX -> idx();
            case IMAGES -> images();
            case CSV -> csv();
        };
        if (!s.train().shape().equals(s.test().shape())) {
            throw new BadDataException(path, "the training data are " + s.train().shape() + " (channels x rows x columns) "
                    + "but the test data are " + s.test().shape() + ": both need one shape");
        }
        if (s.train().numClasses() == 0 && s.test().numClasses() > 0 || s.train().numClasses() > 0 && s.test().numClasses() == 0) {
            throw new BadDataException(path, "one of the training and test data is labelled and the other is not");
        }
        return s;
    }

    /** IDX labels are numbers: the classes are 0 to the largest training label, and test labels must be among them. */
    private Splits idx() throws IOException {
        ImageSet train = DataLocator.read(path, Dataset.Split.TRAIN, ImageSet.MAX_CLASSES);
        int classes = 0;
        for (int i = 0; i < train.size(); i++) {
            classes = Math.max(classes, train.label(i) + 1);
        }
        ImageSet test = DataLocator.read(path, Dataset.Split.TEST, classes);
        return new Splits(relabel(train, classes), relabel(test, classes));
    }

    private static ImageSet relabel(ImageSet s, int classes) {
        return ImageSet.ofBytes(s.shape(), classes, null, s.pixels(), s.labels());
    }

    private Splits images() throws IOException {
        Path train = path.resolve("train");
        Path test = path.resolve("test");
        if (Files.isDirectory(train) && Files.isDirectory(test)) {
            ImageSet tr = ImageFolder.read(train, resize, null, false);
            ImageSet te = ImageFolder.read(test, resize, tr.labelled() ? tr.classNames() : null, tr.channels() == 3);
            return new Splits(tr, te);
        }
        if (Files.isDirectory(train) || Files.isDirectory(test)) {
            throw new BadDataException(path, "has a " + (Files.isDirectory(train) ? "train/" : "test/") + " folder but no "
                    + (Files.isDirectory(train) ? "test/" : "train/") + " folder: give both, or neither (then the images "
                    + "are split in two)");
        }
        return split(ImageFolder.read(path, resize, null, false));
    }

    private Splits csv() throws IOException {
        if (Files.isDirectory(path)) {
            Path train = path.resolve("train.csv");
            Path test = path.resolve("test.csv");
            if (!Files.isRegularFile(train) || !Files.isRegularFile(test)) {
                throw new BadDataException(path, "a CSV folder holds train.csv and test.csv (or give one CSV file, which "
                        + "is then split in two)");
            }
            ImageSet tr = CsvTable.read(train, labelColumn, null);
            return new Splits(tr, CsvTable.read(test, labelColumn, tr.labelled() ? tr.classNames() : null));
        }
        return split(CsvTable.read(path, labelColumn, null));
    }

    private Splits split(ImageSet all) throws BadDataException {
        int test = (int) Math.round(all.size() * testSplit);
        if (test < 1 || test >= all.size()) {
            throw new BadDataException(path, all.size() + " examples cannot be split into a training and a test set "
                    + "with a test share of " + testSplit + " (each needs at least one example)");
        }
        ImageSet.Split s = all.split(test, seed);
        return new Splits(s.train(), s.validation());
    }
}
