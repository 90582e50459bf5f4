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

    /** Where the images come from and which of them train. */
    record Data(@JsonProperty("dataset") String dataset, @JsonProperty("data_dir") String dataDir,
                @JsonProperty("limit") Integer limit, @JsonProperty("exclude_class") Integer excludeClass,
                @JsonProperty("image_rows") Integer imageRows, @JsonProperty("image_cols") Integer imageCols) {

        Data(String dataset, String dataDir, Integer limit, Integer excludeClass) {
            this(dataset, dataDir, limit, excludeClass, null, null);
        }

        Path dir() {
            return dataDir == null ? null : Path.of(dataDir);
        }

        /** The same data with the images' size recorded. */
        Data withShape(int rows, int cols) {
            return new Data(dataset, dataDir, limit, excludeClass, rows, cols);
        }

        /** The images' height and width: as recorded, else (runs from before) the square of {@code inputSize} values. */
        Images.Shape shape(int inputSize) {
            if (imageRows != null && imageCols != null) {
                return new Images.Shape(imageRows, imageCols);
            }
            int side = (int) Math.round(Math.sqrt(inputSize));
            return side * side == inputSize ? new Images.Shape(side, side) : new Images.Shape(1, inputSize);
        }
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
        if (engine.equals("dl4j") && (training.klWarmup() > 0 || model.freeBits() > 0)) {
            throw AppException.usage("DL4J's VariationalAutoencoder layer has no KL weight: --kl-warmup and --free-bits "
                    + "need --engine samediff");
        }
        if (data.limit() != null && data.limit() <= 0) {
            throw AppException.usage("--limit must be positive, got " + data.limit());
        }
        if (data.excludeClass() != null && (data.excludeClass() < 0 || data.excludeClass() > 9)) {
            throw AppException.usage("--exclude-class must be a class index 0..9, got " + data.excludeClass());
        }
    }

    TrainSettings withShape(int rows, int cols) {
        return new TrainSettings(engine, model, training, data.withShape(rows, cols), changes);
    }

    TrainSettings withSchedule(org.dl4jvae.model.train.LrSchedule schedule) {
        return new TrainSettings(engine, model, training.withLrSchedule(schedule), data, changes);
    }

    TrainSettings withEpochs(int epochs) {
        return new TrainSettings(engine, model, training.withEpochs(epochs), data, changes);
    }

    TrainSettings withDataDir(Path dir) {
        return new TrainSettings(engine, model, training,
                new Data(data.dataset(), dir == null ? null : dir.toString(), data.limit(), data.excludeClass(),
                        data.imageRows(), data.imageCols()), changes);
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
