package org.dl4jvae.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Named float arrays as they travel between the driver and the executors (ND4J's arrays live off the heap and do not
 * serialise), with the element-wise sum the averaging needs.
 */
final class NamedFloats implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
    private final LinkedHashMap<String, float[]> values = new LinkedHashMap<>();

    /** Copies of ND4J arrays (c order), leaving out {@code skip}. */
    static NamedFloats of(Map<String, INDArray> arrays, String skip) {
        NamedFloats out = new NamedFloats();
        arrays.forEach((name, a) -> {
            if (!name.equals(skip)) {
                out.shapes.put(name, a.shape());
                boolean plain = a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView()
                        && a.data().length() == a.length();
                out.values.put(name, (plain ? a : a.castTo(DataType.FLOAT).dup('c')).data().asFloat()); // one copy
            }
        });
        return out;
    }

    /** The arrays as ND4J arrays of their shapes. */
    Map<String, INDArray> toNd4j() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        values.forEach((name, v) -> out.put(name, Nd4j.create(v, shapes.get(name), DataType.FLOAT))); // copied there
        return out;
    }

    /** Adds {@code other} (the same names and sizes) into this, element by element. */
    NamedFloats add(NamedFloats other) {
        values.forEach((name, v) -> {
            float[] o = other.values.get(name);
            if (o == null || o.length != v.length) {
                throw new IllegalStateException("workers returned different arrays for " + name);
            }
            for (int i = 0; i < v.length; i++) {
                v[i] += o[i];
            }
        });
        return this;
    }

    /** Multiplies every value by {@code factor} (in float, as the sum was taken). */
    NamedFloats scale(float factor) {
        for (float[] v : values.values()) {
            for (int i = 0; i < v.length; i++) {
                v[i] *= factor;
            }
        }
        return this;
    }

    /** The number of values in all arrays. */
    long size() {
        return values.values().stream().mapToLong(v -> v.length).sum();
    }
}
