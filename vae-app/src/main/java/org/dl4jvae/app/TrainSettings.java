package org.dl4jvae.app;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.Scaling;
import org.dl4jvae.data.source.DataSource;
import org.dl4jvae.model.InvalidSettingException;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.train.TrainingConfig;

/**
 * Every setting of a training run: what config.json records and what {@code --resume} restores. The model's and the
 * training loop's settings are the library's own configurations; the app adds the engine and the data.
 */
@JsonIgnoreProperties(ignoreUnknown = true) // the environment facts written beside the settings
@JsonInclude(JsonInclude.Include.ALWAYS)
record TrainSettings(@JsonProperty("engine") String engine,
                     @JsonProperty("model") @JsonDeserialize(using = ModelFamily.ConfigReader.class) VaeConfig model,
                     @JsonProperty("training") TrainingConfig training,
                     @JsonProperty("data") Data data,
                     @JsonProperty("changes") List<Change> changes) {

    /** A setting changed on resume: from epoch {@code fromEpoch} on, {@code setting} is {@code value}. */
    record Change(@JsonProperty("from_epoch") int fromEpoch, @JsonProperty("setting") String setting,
                  @JsonProperty("value") String value) {
    }

    TrainSettings(String engine, VaeConfig model, TrainingConfig training, Data data) {
        this(engine, model, training, data, List.of());
    }

    /** The same settings with the model as it now is and one more change recorded. */
    TrainSettings changed(VaeConfig now, Change change) {
        List<Change> all = new java.util.ArrayList<>(changes);
        all.add(change);
        return new TrainSettings(engine, now, training, data, all);
    }

    /**
     * Where the data come from (a named IDX dataset, or the user's own files in a format), how they are read, which of
     * them train, and their shape.
     */
    record Data(@JsonProperty("dataset") String dataset, @JsonProperty("data_dir") String dataDir,
                @JsonProperty("limit") Integer limit, @JsonProperty("exclude_class") Integer excludeClass,
                @JsonProperty("image_rows") Integer imageRows, @JsonProperty("image_cols") Integer imageCols,
                @JsonProperty("channels") Integer channels, @JsonProperty("format") String formatId,
                @JsonProperty("resize") String resize, @JsonProperty("test_split") Double testSplitShare,
                @JsonProperty("label_column") String labelColumn, @JsonProperty("scale") String scale) {

        Data(String dataset, String dataDir, Integer limit, Integer excludeClass) {
            this(dataset, dataDir, limit, excludeClass, null, null, null, null, null, null, null, null);
        }

        Path dir() {
            return dataDir == null ? null : Path.of(dataDir);
        }

        /** The format; runs from before formats read IDX. */
        DataSource.Format format() {
            return formatId == null ? DataSource.Format.IDX : DataSource.Format.of(formatId);
        }

        /** The share of a single file or folder that is held out as the test set. */
        double testSplit() {
            return testSplitShare == null ? 0.2 : testSplitShare;
        }

        Scaling.Kind scaling() {
            return scale == null ? Scaling.Kind.NONE : Scaling.Kind.of(scale);
        }

        /** {@code --resize HxW} as {rows, cols}, or null. */
        int[] resizeTo() {
            return resize == null ? null : parseResize(resize);
        }

        /** Whether the data are images (a table has no pictures). */
        boolean images() {
            return format() != DataSource.Format.CSV;
        }

        /** The same data with the examples' shape recorded. */
        Data withShape(org.dl4jvae.data.Shape shape) {
            return new Data(dataset, dataDir, limit, excludeClass, shape.rows(), shape.cols(), shape.channels(), formatId,
                    resize, testSplitShare, labelColumn, scale);
        }

        Data withDir(Path dir) {
            return new Data(dataset, dir == null ? null : dir.toString(), limit, excludeClass, imageRows, imageCols,
                    channels, formatId, resize, testSplitShare, labelColumn, scale);
        }

        /** The examples' shape: as recorded, else (runs from before) the square of {@code inputSize} values. */
        org.dl4jvae.data.Shape shape(int inputSize) {
            if (imageRows != null && imageCols != null) {
                return new org.dl4jvae.data.Shape(channels == null ? 1 : channels, imageRows, imageCols);
            }
            int side = (int) Math.round(Math.sqrt(inputSize));
            return side * side == inputSize ? org.dl4jvae.data.Shape.grey(side, side)
                    : org.dl4jvae.data.Shape.features(inputSize);
        }
    }

    /** {@code 32x32} as {32, 32}; a usage error otherwise. */
    static int[] parseResize(String text) {
        String[] parts = text.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                int rows = Integer.parseInt(parts[0].trim());
                int cols = Integer.parseInt(parts[1].trim());
                if (rows > 0 && cols > 0 && rows <= 4096 && cols <= 4096) {
                    return new int[] {rows, cols};
                }
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw AppException.usage("--resize takes HEIGHTxWIDTH in pixels, each 1..4096 (e.g. 32x32), got '" + text + "'");
    }

    TrainSettings {
        changes = changes == null ? List.of() : List.copyOf(changes);
        if (!VaeEngines.KINDS.contains(engine)) {
            throw AppException.usage("unknown engine '" + engine + "' (known: " + String.join(", ", VaeEngines.KINDS) + ")");
        }
        if (!ModelFamily.variant(model.model()).engines().contains(engine)) {
            throw AppException.usage("--model " + model.model() + " runs on the "
                    + String.join(", ", ModelFamily.variant(model.model()).engines()) + " engine, not " + engine);
        }
        if (engine.equals("dl4j") && model.arch() != VaeConfig.Arch.MLP) {
            throw AppException.usage("--arch conv needs --engine samediff: DL4J's VariationalAutoencoder layer is fully "
                    + "connected");
        }
        if (engine.equals("dl4j") && model.rng() != VaeConfig.Rng.ND4J) {
            throw AppException.usage("--rng pytorch needs --engine samediff: DL4J's VariationalAutoencoder layer draws "
                    + "its own noise from ND4J's generator");
        }
        if (engine.equals("dl4j") && (training.klWarmup() > 0 || model.freeBits() > 0)) {
            throw AppException.usage("DL4J's VariationalAutoencoder layer has no KL weight: --kl-warmup and --free-bits "
                    + "need --engine samediff");
        }
        if (data.limit() != null && data.limit() <= 0) {
            throw AppException.usage("--limit must be positive, got " + data.limit());
        }
        if (data.excludeClass() != null && data.excludeClass() < 0) {
            throw AppException.usage("--exclude-class must be a class index from 0, got " + data.excludeClass());
        }
        if (data.testSplitShare() != null && !(data.testSplitShare() > 0 && data.testSplitShare() < 1)) {
            throw AppException.usage("--test-split must be a fraction in (0, 1), got " + data.testSplitShare());
        }
        try {
            data.format();
        } catch (IllegalArgumentException e) {
            throw AppException.usage(e.getMessage());
        }
        try {
            data.scaling();
        } catch (IllegalArgumentException e) {
            throw AppException.usage("--" + e.getMessage().replaceFirst("^scaling", "scale"));
        }
        if (data.resize() != null) {
            parseResize(data.resize());
        }
    }

    TrainSettings withShape(org.dl4jvae.data.Shape shape) {
        return new TrainSettings(engine, model, training, data.withShape(shape), changes);
    }

    TrainSettings withSchedule(org.dl4jvae.model.train.LrSchedule schedule) {
        return new TrainSettings(engine, model, training.withLrSchedule(schedule), data, changes);
    }

    TrainSettings withEpochs(int epochs) {
        return new TrainSettings(engine, model, training.withEpochs(epochs), data, changes);
    }

    TrainSettings withDataDir(Path dir) {
        return new TrainSettings(engine, model, training, data.withDir(dir), changes);
    }

    /** The settings with the environment facts, as config.json holds them. */
    ObjectNode toJson(Map<String, Object> environment) {
        ObjectNode node = ModelFamily.json().valueToTree(this);
        node.set("environment", ModelFamily.json().valueToTree(environment));
        return node;
    }

    /** Reads config.json; runs from before the model family (one flat object) are read as the settings they named. */
    static TrainSettings fromJson(JsonNode node, Path configFile) {
        try {
            if (node.has("training")) {
                return ModelFamily.json().treeToValue(node, TrainSettings.class);
            }
            return legacy(node);
        } catch (AppException e) { // a setting the file holds, not an option the user gave: a failure naming the file
            throw AppException.failure(configFile + " is not a valid run configuration (" + e.getMessage() + ")");
        } catch (InvalidSettingException e) {
            throw AppException.failure(configFile + " is not a valid run configuration (" + e.getMessage() + ")");
        } catch (Exception e) {
            String why = e instanceof com.fasterxml.jackson.databind.JsonMappingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw AppException.failure(configFile + " is not a valid run configuration (" + why + ")");
        }
    }

    private static TrainSettings legacy(JsonNode m) {
        Map<String, Object> model = new LinkedHashMap<>();
        for (String k : new String[] {"hidden", "latent", "decoder", "init", "lr", "seed"}) {
            model.put(k, ModelFamily.json().convertValue(m.get(k), Object.class));
        }
        double beta = m.path("beta").asDouble(1.0);
        String name = "vae";
        if (beta != 1.0) {
            name = "beta-vae";
            model.put("beta", beta);
        }
        return new TrainSettings(m.path("engine").asText(), ModelFamily.config(name, model),
                new TrainingConfig(m.path("epochs").asInt(), m.path("batch_size").asInt(), m.path("seed").asLong()),
                new Data(m.path("dataset").asText(), m.path("data_dir").isTextual() ? m.get("data_dir").asText() : null,
                        m.path("limit").isNumber() ? m.get("limit").asInt() : null,
                        m.path("exclude_class").isNumber() ? m.get("exclude_class").asInt() : null));
    }
}
