package org.dl4jvae.model;

import java.util.Set;
import java.util.function.Function;
import org.dl4jvae.model.samediff.GraphModel;
import org.dl4jvae.model.samediff.SameDiffVae;

/**
 * One member of the model family, as {@link ModelFamily} registers it: a name, its configuration class, the engines
 * that run it and the SameDiff definition it builds from a configuration. Built-in variants are listed in
 * {@link ModelFamily}; others are found with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/org.dl4jvae.model.Variant} file naming a subclass with a public no-argument constructor) or
 * added with {@link ModelFamily#register}.
 */
public abstract class Variant {

    private final String name;
    private final String summary;
    private final Class<? extends VaeConfig> configType;
    private final Set<String> engines;

    /**
     * @param name the name users choose it by ({@code --model}), lower case with dashes
     * @param summary one sentence for help texts: what it is and when to use it
     * @param configType its configuration class, with a no-argument constructor that sets the defaults
     * @param engines the engines that can run it (every variant runs on the SameDiff runtime)
     */
    protected Variant(String name, String summary, Class<? extends VaeConfig> configType, Set<String> engines) {
        this.name = name;
        this.summary = summary;
        this.configType = configType;
        this.engines = Set.copyOf(engines);
    }

    /** A variant of the SameDiff runtime only. */
    protected Variant(String name, String summary, Class<? extends VaeConfig> configType) {
        this(name, summary, configType, Set.of(SameDiffVae.KIND));
    }

    public final String name() {
        return name;
    }

    public final String summary() {
        return summary;
    }

    public final Class<? extends VaeConfig> configType() {
        return configType;
    }

    public final Set<String> engines() {
        return engines;
    }

    /** The SameDiff definition of this variant with the given settings (of {@link #configType()}). */
    public abstract GraphModel model(VaeConfig config);

    /** A variant from its parts, for registrations in one line. */
    public static <C extends VaeConfig> Variant of(String name, String summary, Class<C> configType,
                                                   Function<C, GraphModel> model, String... engines) {
        Set<String> runs = engines.length == 0 ? Set.of(SameDiffVae.KIND) : Set.of(engines);
        return new Variant(name, summary, configType, runs) {
            @Override
            public GraphModel model(VaeConfig config) {
                return model.apply(configType.cast(config));
            }
        };
    }
}
