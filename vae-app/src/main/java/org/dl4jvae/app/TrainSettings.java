package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngines;

/** Every setting of a training run: what config.json records and what {@code --resume} restores. */
record TrainSettings(String engine, String dataset, Path dataDir, int epochs, int batchSize, int hidden, int latent,
                     double lr, double beta, long seed, Integer limit, Integer excludeClass, VaeConfig.Decoder decoder,
                     VaeConfig.Init init) {

    TrainSettings {
        if (!VaeEngines.KINDS.contains(engine)) {
            throw AppException.usage("unknown engine '" + engine + "' (known: " + String.join(", ", VaeEngines.KINDS) + ")");
        }
        positive("--epochs", epochs);
        positive("--batch-size", batchSize);
        positive("--hidden", hidden);
        positive("--latent", latent);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw AppException.usage("--lr must be a positive number, got " + lr);
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw AppException.usage("--beta must be a non-negative number, got " + beta);
        }
        if (limit != null) {
            positive("--limit", limit);
        }
        if (excludeClass != null && (excludeClass < 0 || excludeClass > 9)) {
            throw AppException.usage("--exclude-class must be a class index 0..9, got " + excludeClass);
        }
        if (engine.equals("dl4j") && beta != 1.0) {
            throw AppException.usage("the dl4j engine has no KL weight: --beta must be 1 (use --engine samediff)");
        }
    }

    private static void positive(String option, long value) {
        if (value <= 0) {
            throw AppException.usage(option + " must be positive, got " + value);
        }
    }

    VaeConfig modelConfig(int inputSize) {
        return new VaeConfig(inputSize, hidden, latent, decoder, init, lr, beta, seed);
    }

    TrainSettings withEpochs(int epochs) {
        return new TrainSettings(engine, dataset, dataDir, epochs, batchSize, hidden, latent, lr, beta, seed, limit,
                excludeClass, decoder, init);
    }

    TrainSettings withDataDir(Path dir) {
        return new TrainSettings(engine, dataset, dir, epochs, batchSize, hidden, latent, lr, beta, seed, limit,
                excludeClass, decoder, init);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", engine);
        m.put("dataset", dataset);
        m.put("data_dir", dataDir == null ? null : dataDir.toString());
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("hidden", hidden);
        m.put("latent", latent);
        m.put("lr", lr);
        m.put("beta", beta);
        m.put("seed", seed);
        m.put("limit", limit);
        m.put("exclude_class", excludeClass);
        m.put("decoder", decoder.name().toLowerCase(Locale.ROOT));
        m.put("init", init.name().toLowerCase(Locale.ROOT));
        return m;
    }

    static TrainSettings fromJson(Map<String, Object> m, Path configFile) {
        try {
            return new TrainSettings((String) m.get("engine"), (String) m.get("dataset"),
                    m.get("data_dir") == null ? null : Path.of((String) m.get("data_dir")),
                    num(m, "epochs").intValue(), num(m, "batch_size").intValue(), num(m, "hidden").intValue(),
                    num(m, "latent").intValue(), num(m, "lr").doubleValue(), num(m, "beta").doubleValue(),
                    num(m, "seed").longValue(),
                    m.get("limit") == null ? null : num(m, "limit").intValue(),
                    m.get("exclude_class") == null ? null : num(m, "exclude_class").intValue(),
                    VaeConfig.Decoder.valueOf(((String) m.get("decoder")).toUpperCase(Locale.ROOT)),
                    VaeConfig.Init.valueOf(((String) m.get("init")).toUpperCase(Locale.ROOT)));
        } catch (RuntimeException e) {
            if (e instanceof AppException) {
                throw e;
            }
            throw AppException.failure(configFile + " is not a valid run configuration (" + e.getMessage() + ")");
        }
    }

    private static Number num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("'" + key + "' missing or not a number");
        }
        return n;
    }
}
