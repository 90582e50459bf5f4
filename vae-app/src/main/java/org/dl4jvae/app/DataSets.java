package org.dl4jvae.app;

import java.io.IOException;
import java.nio.file.Path;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.DataUnavailableException;
import org.dl4jvae.data.source.Dataset;
import org.dl4jvae.data.source.Downloader;

/** Loads a dataset's splits for the commands, turning every data problem into one clear message. */
record DataSets(Dataset dataset, Path dir, ImageSet train, ImageSet test) {

    /** Finds (downloading if needed) and reads both splits. */
    static DataSets load(String datasetName, Path explicitDir) {
        return read(datasetName, explicitDir, true);
    }

    /** Finds (downloading if needed) and reads the test split only: what the model commands evaluate on. */
    static ImageSet testSplit(String datasetName, Path explicitDir) {
        return read(datasetName, explicitDir, false).test();
    }

    private static DataSets read(String datasetName, Path explicitDir, boolean withTrain) {
        Dataset dataset = dataset(datasetName);
        try {
            Path dir = DataLocator.of(explicitDir).locate(dataset, Downloader.forDataset(dataset));
            return new DataSets(dataset, dir.toAbsolutePath(),
                    withTrain ? DataLocator.read(dir, Dataset.Split.TRAIN) : null, DataLocator.read(dir, Dataset.Split.TEST));
        } catch (DataUnavailableException e) {
            throw AppException.failure(e.getMessage());
        } catch (IOException e) {
            throw AppException.failure("cannot read " + dataset.id() + ": " + e.getMessage());
        }
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
