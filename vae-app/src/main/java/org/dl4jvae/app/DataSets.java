package org.dl4jvae.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dl4jvae.data.BadDataException;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.DataSource;
import org.dl4jvae.data.source.DataUnavailableException;
import org.dl4jvae.data.source.Dataset;
import org.dl4jvae.data.source.Downloader;

/** Loads a run's data for the commands, turning every data problem into one clear message. */
record DataSets(Path dir, ImageSet train, ImageSet test) {

    /** A named IDX dataset (found, or downloaded if needed): the benchmarks' data. */
    static DataSets load(String datasetName, Path explicitDir) {
        return load(new TrainSettings.Data(datasetName, explicitDir == null ? null : explicitDir.toString(), null, null),
                1, true);
    }

    /** The data a run's settings name, in their format; both splits, or only the test split. */
    static DataSets load(TrainSettings.Data d, long seed, boolean withTrain) {
        DataSource.Format format = d.format();
        Path dir = d.dir();
        try {
            if (format == DataSource.Format.IDX && (dir == null || !hasIdx(dir))) {
                Dataset dataset = dataset(d.dataset());
                Path found = DataLocator.of(dir).locate(dataset, Downloader.forDataset(dataset));
                return new DataSets(found.toAbsolutePath(),
                        withTrain ? DataLocator.read(found, Dataset.Split.TRAIN) : null,
                        DataLocator.read(found, Dataset.Split.TEST));
            }
            if (dir == null) {
                throw AppException.usage("--format " + format.id() + " reads your own data: name it with --data-dir");
            }
            DataSource.Splits s = new DataSource(format, dir, d.resizeTo(), d.labelColumn(), d.testSplit(), seed).read();
            return new DataSets(dir.toAbsolutePath(), s.train(), s.test());
        } catch (DataUnavailableException | BadDataException e) {
            throw AppException.failure(e.getMessage());
        } catch (IOException e) {
            throw AppException.failure("cannot read " + (dir != null ? dir : d.dataset()) + ": " + e.getMessage());
        }
    }

    /** Whether a directory holds IDX training images (grey or with channels). */
    static boolean hasIdx(Path dir) {
        for (String name : List.of("train-images-idx3-ubyte", "train-images-idx4-ubyte")) {
            if (Files.isRegularFile(dir.resolve(name)) || Files.isRegularFile(dir.resolve(name + ".gz"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The class names of a set read by {@link #load}: Fashion-MNIST's garments for IDX files of a known dataset's ten
     * classes, else the set's own (folder names, CSV labels, numbers).
     */
    static List<String> classNames(TrainSettings.Data d, ImageSet set) {
        if (d.format() == DataSource.Format.IDX && set.numClasses() == 10) {
            try {
                return Dataset.fromId(d.dataset()).classNames();
            } catch (IllegalArgumentException ownData) {
                // a name of one's own: the set's names
            }
        }
        return set.classNames();
    }

    static Dataset dataset(String name) {
        try {
            return Dataset.fromId(name);
        } catch (IllegalArgumentException e) {
            throw AppException.usage(e.getMessage());
        }
    }

    /** Test-set batches in file order, for evaluation. */
    static MinibatchIterator inOrder(ImageSet data, int batchSize) {
        return MinibatchIterator.builder(data).batchSize(batchSize).shuffle(false).build();
    }
}
