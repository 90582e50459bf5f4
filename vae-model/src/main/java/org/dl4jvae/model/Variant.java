package org.dl4jvae.model;

import java.util.Set;
import java.util.function.Function;
import org.dl4jvae.model.samediff.GraphModel;

/**
 * One member of the model family, as {@link ModelFamily} registers it: a name, its configuration class and the
 * SameDiff definition it builds from a configuration. Built-in variants are listed in {@link ModelFamily}; others are
 * found with {@link java.util.ServiceLoader} (a {@code META-INF/services/org.dl4jvae.model.Variant} file naming a class
 * with a public no-argument constructor) or added with {@link ModelFamily#register}.
 */
public interface Variant {

    /** The name users choose it by ({@code --model}), lower case with dashes. */
    String name();

    /** One sentence for help texts: what it is and when to use it. */
    String summary();

    /** The configuration class; it must have a no-argument constructor that sets its defaults. */
    Class<? extends VaeConfig> configType();

    /** The SameDiff definition of this variant with the given settings (of {@link #configType()}). */
    GraphModel model(VaeConfig config);

    /** The engines that can run it; every variant runs on the SameDiff runtime. */
    default Set<String> engines() {
        return Set.of(org.dl4jvae.model.samediff.SameDiffVae.KIND);
    }

    /** A variant from its parts, for registrations in one line. */
    static <C extends VaeConfig> Variant of(String name, String summary, Class<C> configType,
                                            Function<C, GraphModel> model) {
        return new Variant() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return summary;
            }

            @Override
            public Class<? extends VaeConfig> configType() {
                return configType;
            }

            @Override
            public GraphModel model(VaeConfig config) {
                return model.apply(configType.cast(config));
            }
        };
    }
}
