package org.dl4jvae.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.train.Trainer;
import org.dl4jvae.model.train.TrainingConfig;
import org.dl4jvae.model.io.NamedArrays;
import org.dl4jvae.model.io.Npz;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Makes a run directory from weights trained elsewhere (a PyTorch state_dict saved with {@code np.savez}, or ND4J
 * named arrays), so that every model command, and {@code train --resume}, works on them.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Create a run directory from weights: FILE.npz with the reference model's state_dict names"
                + " (np.savez(f, **{k: v.numpy() for k, v in model.state_dict().items()})) or ND4J named arrays."
                + " Layer sizes come from the weights; Adam starts afresh if training is resumed.")
final class ImportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "FILE.npz (a PyTorch state_dict) or ND4J named arrays")
    Path weights;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the new run directory")
    Path out;
    @Option(names = "--engine", defaultValue = "samediff", description = "samediff or dl4j")
    String engine;
    @Option(names = "--dataset", defaultValue = "mnist", description = "the dataset commands will evaluate on")
    String dataset;
    @Option(names = "--data-dir", description = "directory with the IDX files of --dataset")
    Path dataDir;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate for resumed training")
    double lr;

    @Override
    public Integer call() {
        DataSets.dataset(dataset);
        Map<String, INDArray> w = read(weights);
        if (w.get("fc1_W") == null || w.get("fc21_W") == null || w.get("fc1_W").rank() != 2 || w.get("fc21_W").rank() != 2) {
            throw AppException.failure(weights + ": not the reference VAE's weights (fc1_W and fc21_W, 2-d, are needed)");
        }
        long[] fc1 = w.get("fc1_W").shape();
        long latent = w.get("fc21_W").size(1);
        VaeConfig lrOnly = ModelOptions.usage(() -> ModelFamily.config(ModelFamily.DEFAULT, Map.of("lr", lr)), "--lr");
        VaeConfig config;
        try { // sizes come from the file: a bad one is the file's problem
            config = lrOnly.withSizes(Math.toIntExact(fc1[0]), Math.toIntExact(fc1[1]), Math.toIntExact(latent));
        } catch (org.dl4jvae.model.InvalidSettingException | ArithmeticException e) {
            throw AppException.failure(weights + ": layer sizes " + fc1[0] + "-" + fc1[1] + "-" + latent
                    + " cannot be a model (" + e.getMessage() + ")");
        }
        TrainSettings settings = new TrainSettings(engine, config, TrainingConfig.defaults(),
                new TrainSettings.Data(dataset, dataDir == null ? null : dataDir.toString(), null, null));
        VaeEngine vae = VaeEngines.create(engine, config);
        try {
            vae.setWeights(w);
        } catch (IllegalArgumentException e) {
            throw AppException.failure(weights + ": " + e.getMessage());
        }
        RunDirectory run = TrainCommand.newRun(out);
        Map<String, Object> environment = new java.util.LinkedHashMap<>();
        environment.put("imported_from", weights.toAbsolutePath().toString());
        environment.put("dl4j_version", Versions.DL4J);
        run.writeSettings(settings, environment);
        run.writeMetrics(java.util.List.of());
        try {
            vae.save(run.lastCheckpoint(), Trainer.untrained());
        } catch (IOException e) {
            throw AppException.failure("cannot write " + run.lastCheckpoint() + ": " + AtomicFiles.describe(e));
        }
        spec.commandLine().getOut().printf("imported %d-%d-%d weights into %s (%s engine)%n", fc1[0], fc1[1], latent,
                run.dir(), engine);
        return 0;
    }

    private static Map<String, INDArray> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            if (file.getFileName().toString().endsWith(".npz")) {
                return Npz.fromPytorchStateDict(Npz.read(in));
            }
            return NamedArrays.read(in);
        } catch (java.nio.file.NoSuchFileException e) {
            throw AppException.failure("cannot read weights " + file + ": no such file");
        } catch (IOException e) {
            throw AppException.failure("cannot read weights " + file + ": " + e.getMessage());
        }
    }
}
