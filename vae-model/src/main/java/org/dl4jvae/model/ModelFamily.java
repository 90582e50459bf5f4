package org.dl4jvae.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import org.dl4jvae.model.family.Ae;
import org.dl4jvae.model.family.BetaVae;
import org.dl4jvae.model.family.Cvae;
import org.dl4jvae.model.family.Dae;
import org.dl4jvae.model.family.Iwae;
import org.dl4jvae.model.family.Vae;
import org.dl4jvae.model.dl4j.Dl4jLayerVae;
import org.dl4jvae.model.samediff.SameDiffVae;

/**
 * The registry of model variants by name, and the one place configurations are created, validated, read and written
 * (JSON through Jackson). The built-in variants come first, then those found by {@link ServiceLoader}.
 */
public final class ModelFamily {

    /** The name of the reference model, the default. */
    public static final String DEFAULT = "vae";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

    static {
        // the built-in variants: one line each, after their class
        register(Variant.of(DEFAULT, "the reference VAE (Kingma and Welling 2014): summed reconstruction loss + KL to "
                + "N(0, I)", VaeConfig.class, Vae::new, SameDiffVae.KIND, Dl4jLayerVae.KIND));
        register(Variant.of("beta-vae", "beta-VAE (Higgins et al. 2017): KL weighted by --beta; above 1 for more "
                + "disentangled, blurrier codes", BetaVae.Config.class, BetaVae::new));
        register(Variant.of("iwae", "importance-weighted autoencoder (Burda et al. 2016): a tighter bound from --iw-k "
                + "samples per image; a better likelihood at k times the decoder cost", Iwae.Config.class, Iwae::new));
        register(Variant.of("cvae", "conditional VAE (Sohn et al. 2015): the class label joins x and z; samples of a "
                + "chosen class", Cvae.Config.class, Cvae::new));
        register(Variant.of("ae", "plain autoencoder: deterministic code, reconstruction loss only; a baseline (no "
                + "sampling)", Ae.Config.class, Ae::new));
        register(Variant.of("dae", "denoising autoencoder (Vincent et al. 2008): masking noise (--corruption) on the "
                + "input, clean target", Dae.Config.class, Dae::new));
        for (Variant v : ServiceLoader.load(Variant.class)) {
            register(v);
        }
    }

    private ModelFamily() {
    }

    /** Adds a variant; its name must be new. */
    public static synchronized void register(Variant variant) {
        if (!variant.name().matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("variant names are lower case letters, digits and dashes: " + variant.name());
        }
        if (VARIANTS.putIfAbsent(variant.name(), variant) != null) {
            throw new IllegalArgumentException("a variant named " + variant.name() + " is already registered");
        }
    }

    /** The registered variants, built-ins first. */
    public static synchronized List<Variant> variants() {
        return List.copyOf(VARIANTS.values());
    }

    /** The names of the registered variants, built-ins first. */
    public static List<String> names() {
        return variants().stream().map(Variant::name).toList();
    }

    /** The variant of that name; an unknown name is an {@link InvalidSettingException} of {@code model}. */
    public static synchronized Variant variant(String name) {
        Variant v = VARIANTS.get(name);
        if (v == null) {
            throw new InvalidSettingException("model", "must be one of " + String.join(", ", VARIANTS.keySet())
                    + ", got '" + name + "'");
        }
        return v;
    }

    /** The default settings of a variant. */
    public static VaeConfig config(String name) {
        return config(name, Map.of());
    }

    /**
     * A variant's settings: its defaults changed by {@code settings} (JSON names to values; strings are converted,
     * so command-line text can be passed as it is).
     */
    public static VaeConfig config(String name, Map<String, ?> settings) {
        ObjectNode node = JSON.createObjectNode();
        node.put("model", variant(name).name());
        node.setAll((ObjectNode) JSON.valueToTree(settings));
        node.put("model", name);
        return fromJson(node);
    }

    /** Reads settings written by {@link #toJson}; the {@code model} property chooses the variant. */
    public static VaeConfig fromJson(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("model").isTextual()) {
            throw new InvalidSettingException("model", "must name a variant (" + String.join(", ", names()) + ")");
        }
        Variant variant = variant(node.get("model").asText());
        VaeConfig config;
        try {
            config = JSON.treeToValue(node, variant.configType());
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidSettingException(e.getPropertyName(), "is not a setting of model " + variant.name()
                    + " (its settings: " + String.join(", ", settingNames(variant)) + ")");
        } catch (InvalidFormatException e) {
            throw new InvalidSettingException(path(e), "cannot be '" + e.getValue() + "' (it takes "
                    + expected(e.getTargetType()) + ")");
        } catch (MismatchedInputException e) {
            throw new InvalidSettingException(path(e), "has a value of the wrong kind (" + expected(e.getTargetType()) + ")");
        } catch (JsonMappingException e) {
            throw new InvalidSettingException(path(e), "cannot be read: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidSettingException("model", "cannot be read: " + e.getOriginalMessage());
        }
        config = config.named(variant.name());
        config.validate();
        return config;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().isEmpty() ? "model" : e.getPath().get(e.getPath().size() - 1).getFieldName();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a value of another kind";
        }
        if (type.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object c : type.getEnumConstants()) {
                values.add(JSON.valueToTree(c).asText());
            }
            return "one of " + String.join(", ", values);
        }
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == float.class || type == Double.class) {
            return "a number";
        }
        return "a " + type.getSimpleName();
    }

    /** The settings as a JSON object, {@code model} first. */
    public static ObjectNode toJson(VaeConfig config) {
        return JSON.valueToTree(config);
    }

    /** The JSON names of a variant's settings, in order ({@code model} excluded). */
    public static List<String> settingNames(Variant variant) {
        List<String> names = new ArrayList<>();
        toJson(config(variant.name())).fieldNames().forEachRemaining(names::add);
        names.remove("model");
        return names;
    }

    /**
     * One setting of a variant, for front ends: its JSON name, default (as text), description (from
     * {@code @JsonPropertyDescription}) and whether the data decides it ({@link FromData}).
     */
    public record Setting(String name, String defaultValue, String description, boolean fromData) {
    }

    /** A variant's settings, described. */
    public static List<Setting> settings(Variant variant) {
        ObjectNode defaults = toJson(config(variant.name()));
        List<Setting> out = new ArrayList<>();
        for (String name : settingNames(variant)) {
            java.lang.reflect.Field f = field(variant.configType(), name);
            com.fasterxml.jackson.annotation.JsonPropertyDescription d = f == null ? null
                    : f.getAnnotation(com.fasterxml.jackson.annotation.JsonPropertyDescription.class);
            out.add(new Setting(name, defaults.get(name).asText(), d == null ? "" : d.value(),
                    f != null && f.isAnnotationPresent(FromData.class)));
        }
        return out;
    }

    private static java.lang.reflect.Field field(Class<?> type, String jsonName) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                com.fasterxml.jackson.annotation.JsonProperty p = f.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
                if (p != null && p.value().equals(jsonName)) {
                    return f;
                }
            }
        }
        return null;
    }

    /**
     * Reads the settings of model files written before the family existed ({@code vae.properties}: sizes, decoder,
     * init, learning rate, beta and seed): a beta of 1 is the reference {@code vae}, any other a {@code beta-vae}.
     */
    public static VaeConfig fromLegacyProperties(Properties p) {
        try {
            double beta = Double.parseDouble(p.getProperty("beta", "1"));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("input_size", Integer.parseInt(p.getProperty("inputSize")));
            s.put("hidden", Integer.parseInt(p.getProperty("hidden")));
            s.put("latent", Integer.parseInt(p.getProperty("latent")));
            s.put("decoder", p.getProperty("decoder"));
            s.put("init", p.getProperty("init"));
            s.put("lr", Double.parseDouble(p.getProperty("learningRate")));
            s.put("seed", Long.parseLong(p.getProperty("seed")));
            if (beta != 1.0) {
                s.put("beta", beta);
                return config("beta-vae", s);
            }
            return config(DEFAULT, s);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid VAE configuration " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a configuration field of another JSON document (for example a run's {@code config.json}) by its
     * {@code model} property: {@code @JsonDeserialize(using = ModelFamily.ConfigReader.class) VaeConfig model}.
     */
    public static final class ConfigReader extends com.fasterxml.jackson.databind.deser.std.StdDeserializer<VaeConfig> {
        private static final long serialVersionUID = 1L;

        public ConfigReader() {
            super(VaeConfig.class);
        }

        @Override
        public VaeConfig deserialize(com.fasterxml.jackson.core.JsonParser p,
                                     com.fasterxml.jackson.databind.DeserializationContext ctxt) throws java.io.IOException {
            return fromJson(p.readValueAsTree());
        }
    }

    /** The shared JSON mapper (enum names in lower case, strict about unknown and mistyped values). */
    public static ObjectMapper json() {
        return JSON;
    }
}
