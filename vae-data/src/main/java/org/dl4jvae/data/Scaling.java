package org.dl4jvae.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dl4jvae.data.io.AtomicFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Per-feature scaling of a data set, fitted on the training split only and applied to every split: ND4J's
 * {@link NormalizerMinMaxScaler} (to [0, 1]; values of other splits beyond the training range are clipped to it, so a
 * Bernoulli decoder always sees values it can model) or {@link NormalizerStandardize} (zero mean, unit variance).
 * Written to and read from a file with ND4J's {@link NormalizerSerializer}.
 *
 * <p>Constant features are mended after fitting: ND4J divides them by a zero range (min-max: NaN) or by a floor of 1e-5
 * (standard: any other split's deviation multiplied by 100,000). Here their range and deviation are 1.
 */
public final class Scaling {

    /** The kinds of scaling. */
    public enum Kind {
        NONE, MINMAX, STANDARD;

        /** {@code none}, {@code minmax}, {@code standard}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id.toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("scaling must be none, minmax or standard, got '" + id + "'");
        }
    }

    private final Kind kind;
    private final org.nd4j.linalg.dataset.api.preprocessor.DataNormalization normalizer;

    private Scaling(Kind kind, org.nd4j.linalg.dataset.api.preprocessor.DataNormalization normalizer) {
        this.kind = kind;
        this.normalizer = normalizer;
    }

    /** No scaling. */
    public static Scaling none() {
        return new Scaling(Kind.NONE, null);
    }

    /** Fits a scaling of the given kind on {@code train}. */
    public static Scaling fit(Kind kind, ImageSet train) {
        if (kind == Kind.NONE) {
            return none();
        }
        INDArray x = features(train);
        DataSet all = new DataSet(x, null);
        if (kind == Kind.MINMAX) {
            NormalizerMinMaxScaler n = new NormalizerMinMaxScaler(0, 1);
            n.fit(all);
            INDArray max = n.getMax().dup();
            INDArray constant = n.getMax().sub(n.getMin());
            BooleanIndexing.replaceWhere(constant, 1.0, Conditions.greaterThan(0)); // 1 where varying, 0 where constant
            max.addi(constant.rsub(1)); // max = min + 1 where constant
            n.setFeatureStats(n.getMin().dup(), max);
            return new Scaling(kind, n);
        }
        NormalizerStandardize n = new NormalizerStandardize();
        n.fit(all);
        INDArray std = n.getStd().dup();
        BooleanIndexing.replaceWhere(std, 1.0, Conditions.lessThanOrEqual(1e-5));
        return new Scaling(kind, new NormalizerStandardize(n.getMean().dup(), std));
    }

    public Kind kind() {
        return kind;
    }

    /** The set with its values scaled (itself without scaling). */
    public ImageSet apply(ImageSet data) {
        if (kind == Kind.NONE) {
            return data;
        }
        INDArray x = features(data);
        normalizer.transform(x);
        if (kind == Kind.MINMAX) {
            BooleanIndexing.replaceWhere(x, 0.0, Conditions.lessThan(0));
            BooleanIndexing.replaceWhere(x, 1.0, Conditions.greaterThan(1));
        }
        return data.withValues(x.data().asFloat());
    }

    /** Scaled values {@code [n, features]} back in the data's own units (a new array). */
    public INDArray revert(INDArray scaled) {
        INDArray x = scaled.castTo(DataType.FLOAT).dup();
        if (normalizer != null) {
            normalizer.revertFeatures(x);
        }
        return x;
    }

    /** Writes the fitted statistics (atomically); nothing is written without scaling. */
    public void write(Path file) throws IOException {
        if (normalizer != null) {
            AtomicFile.write(file, out -> NormalizerSerializer.getDefault().write(normalizer, out));
        }
    }

    /** The fitted statistics as {@link #write} writes them; empty without scaling (for sending to other machines). */
    public byte[] toBytes() throws IOException {
        if (normalizer == null) {
            return new byte[0];
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            NormalizerSerializer.getDefault().write(normalizer, out);
        } catch (Exception e) {
            throw new IOException("cannot serialise the scaling: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The scaling of {@link #toBytes()}. */
    public static Scaling fromBytes(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            return none();
        }
        return read(new java.io.ByteArrayInputStream(bytes), Path.of("scaling"));
    }

    /** Reads what {@link #write} wrote; a missing file is no scaling. */
    public static Scaling read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return none();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file);
        }
    }

    private static Scaling read(InputStream in, Path file) throws IOException {
        try {
            Object n = NormalizerSerializer.getDefault().restore(in);
            if (n instanceof NormalizerMinMaxScaler m) {
                return new Scaling(Kind.MINMAX, m);
            }
            if (n instanceof NormalizerStandardize s) {
                return new Scaling(Kind.STANDARD, s);
            }
            throw new BadDataException(file, "holds a " + n.getClass().getSimpleName() + ", not a scaling of this toolkit");
        } catch (BadDataException e) {
            throw e;
        } catch (Exception e) {
            throw new BadDataException(file, "is not a readable scaling file (" + e.getMessage() + ")", e);
        }
    }

    private static INDArray features(ImageSet data) {
        return Nd4j.create(data.toFloats(), new long[] {data.size(), data.imageSize()}, 'c');
    }
}
