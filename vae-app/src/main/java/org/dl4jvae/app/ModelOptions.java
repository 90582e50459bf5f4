package org.dl4jvae.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dl4jvae.model.InvalidSettingException;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.Variant;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The model settings of every registered variant as options of a command ({@code hidden} is {@code --hidden},
 * {@code iw_k} is {@code --iw-k}), made from the registry, so that a new variant's settings appear without a change
 * here. Settings the data decides get no option; names the command already has (such as {@code --seed}) are its own.
 */
final class ModelOptions {

    private final CommandSpec spec;
    /** Option name to the setting's JSON name. */
    private final Map<String, String> options = new LinkedHashMap<>();

    private ModelOptions(CommandSpec spec) {
        this.spec = spec;
    }

    /** Adds the options to the command. */
    static ModelOptions addTo(CommandSpec spec) {
        ModelOptions m = new ModelOptions(spec);
        Map<String, List<String>> usedBy = new LinkedHashMap<>();
        Map<String, ModelFamily.Setting> first = new LinkedHashMap<>();
        for (Variant v : ModelFamily.variants()) {
            for (ModelFamily.Setting s : ModelFamily.settings(v)) {
                if (!s.fromData()) {
                    usedBy.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(v.name());
                    first.putIfAbsent(s.name(), s);
                }
            }
        }
        int all = ModelFamily.variants().size();
        first.forEach((name, s) -> {
            String option = option(name);
            if (spec.findOption(option) != null) {
                return;
            }
            List<String> models = usedBy.get(name);
            String scope = models.size() == all ? "" : "; --model " + String.join(", ", models);
            spec.addOption(OptionSpec.builder(option).type(String.class).paramLabel(name.toUpperCase(Locale.ROOT))
                    .description(s.description() + " (default " + s.defaultValue() + scope + ")").build());
            m.options.put(option, name);
        });
        return m;
    }

    /** The option of a setting. */
    static String option(String setting) {
        return "--" + setting.replace('_', '-');
    }

    /** The options given on the command line, as settings. */
    Map<String, String> given() {
        Map<String, String> out = new LinkedHashMap<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        options.forEach((option, setting) -> {
            if (parsed.hasMatchedOption(option)) {
                out.put(setting, parsed.matchedOption(option).getValue());
            }
        });
        return out;
    }

    /**
     * The named variant's settings from its defaults and the options given; an option the variant does not have, or a
     * bad value, is a usage error naming the option.
     */
    VaeConfig config(String model, Map<String, Object> alsoSet) {
        Variant variant = usage(() -> ModelFamily.variant(model), "--model");
        List<String> own = ModelFamily.settingNames(variant);
        Map<String, Object> settings = new LinkedHashMap<>(alsoSet);
        given().forEach((setting, value) -> {
            if (!own.contains(setting)) {
                List<String> have = ModelFamily.variants().stream()
                        .filter(v -> ModelFamily.settingNames(v).contains(setting)).map(Variant::name).toList();
                throw AppException.usage(option(setting) + " does not apply to --model " + model
                        + " (it is a setting of " + String.join(", ", have) + ")");
            }
            settings.put(setting, value);
        });
        return usage(() -> ModelFamily.config(model, settings), null);
    }

    /** Runs a configuration step, turning a bad setting into a usage error naming its option. */
    static <T> T usage(java.util.function.Supplier<T> step, String option) {
        try {
            return step.get();
        } catch (InvalidSettingException e) {
            throw AppException.usage((option != null ? option : option(e.setting())) + " " + e.problem());
        }
    }
}
