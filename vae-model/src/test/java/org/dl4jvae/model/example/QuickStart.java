package org.dl4jvae.model.example;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.Dataset;
import org.dl4jvae.data.source.Downloader;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.train.EpochResult;
import org.dl4jvae.model.train.Trainer;
import org.dl4jvae.model.train.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Trains a beta-VAE on MNIST and evaluates it: the library's API in one screen. */
public final class QuickStart {

    public static void main(String[] args) throws Exception {
        Path dataDir = args.length > 0 ? Path.of(args[0]) : null; // null: $VAE_DATA_DIR, the user cache, download
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path runDir = args.length > 2 ? Path.of(args[2]) : Path.of("checkpoints");
        NativeThreads.configure(1, Runtime.getRuntime().availableProcessors()); // small ops: one thread each

        Path dir = DataLocator.of(dataDir).locate(Dataset.MNIST, Downloader.forDataset(Dataset.MNIST));
        ImageSet train = DataLocator.read(dir, Dataset.Split.TRAIN);
        ImageSet test = DataLocator.read(dir, Dataset.Split.TEST);

        // any registered model by name, its settings by their JSON names (ModelFamily.names() lists the models)
        VaeConfig config = ModelFamily.config("beta-vae", Map.of("beta", 4.0, "latent", 10))
                .forData(train.imageSize(), train.numClasses());
        VaeEngine model = VaeEngines.create("samediff", config);
        Trainer trainer = Trainer.start(model, new TrainingConfig(epochs, 128, 1), runDir);
        List<EpochResult> history = trainer.fit(train, test, new Trainer.Listener() {
            @Override
            public void onEpochEnd(EpochResult r, VaeEngine m) {
                System.out.printf("epoch %d: train %.2f, test %.2f nats%n", r.epoch(), r.trainLoss(), r.testLoss());
            }
        });

        MinibatchIterator testBatches = MinibatchIterator.builder(test).batchSize(500).shuffle(false).build();
        double nll = model.importanceWeightedNll(testBatches, 100, 1); // -log p(x), nats per image
        INDArray images = model.sample(64, 7);                         // [64, 784], pixel means in [0, 1]
        VaeEngine best = VaeEngines.load(Trainer.best(runDir)).engine();
        System.out.printf("%d epochs, IW-NLL %.2f nats, %d samples, best model: %s%n", history.size(), nll,
                images.rows(), best.config());
    }
}
