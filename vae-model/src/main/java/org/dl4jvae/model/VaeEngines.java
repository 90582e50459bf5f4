package org.dl4jvae.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dl4jvae.model.dl4j.Dl4jLayerVae;
import org.dl4jvae.model.io.ModelFile;
import org.dl4jvae.model.samediff.SameDiffVae;

/** Creates and loads engines by name, so that callers depend on {@link VaeEngine} only. */
public final class VaeEngines {

    /** The engine names: {@code samediff}, {@code dl4j}. */
    public static final List<String> KINDS = List.of(SameDiffVae.KIND, Dl4jLayerVae.KIND);

    private VaeEngines() {
    }

    /** A new model of the named engine. */
    public static VaeEngine create(String kind, VaeConfig config) {
        return switch (kind) {
            case SameDiffVae.KIND -> SameDiffVae.create(config);
            case Dl4jLayerVae.KIND -> Dl4jLayerVae.create(config);
            default -> throw new IllegalArgumentException("unknown engine '" + kind + "' (known: " + KINDS + ")");
        };
    }

    /** A model file's engine and the metadata saved with it. */
    public record Loaded(VaeEngine engine, Map<String, String> metadata) {
    }

    /** Loads a model file written by either engine. */
    public static Loaded load(Path file) throws IOException {
        ModelFile.Contents c = ModelFile.read(file);
        VaeEngine engine = switch (c.engine()) {
            case SameDiffVae.KIND -> SameDiffVae.load(c);
            case Dl4jLayerVae.KIND -> Dl4jLayerVae.load(c);
            default -> throw new IOException(file + ": unknown engine '" + c.engine() + "'");
        };
        String bad = VaeMath.firstNonFinite(engine.weights());
        if (bad != null) {
            throw new IOException(file + ": weight " + bad + " holds values that are not finite numbers (NaN or "
                    + "infinity); the model cannot be used");
        }
        return new Loaded(engine, c.metadata());
    }
}
