package org.dl4jvae.model.samediff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a {@link GraphModel} builds its graph with: the SameDiff instance, linear layers named like PyTorch's
 * ({@code <layer>_W [fan_in, fan_out]}, {@code <layer>_b}), noise placeholders the runtime fills at every step, and the
 * labels placeholder. In an evaluation graph the layers take the training graph's arrays instead of new ones.
 */
public final class Net {

    /** A layer's weights {@code <name>_W}, {@code <name>_b}, and the fans its initialisation reads. */
    public record Layer(String name, long fanIn, long fanOut) {
    }

    /** A noise placeholder: {@code rowsPerExample} rows per input row, {@code columns} wide. */
    public record Noise(String name, boolean normal, int rowsPerExample, long columns) {
    }

    private final SameDiff sd;
    private final DataType type;
    private final Map<String, org.nd4j.linalg.api.ndarray.INDArray> existing;
    private final List<Layer> layers = new ArrayList<>();
    private final List<Noise> noise = new ArrayList<>();
    private final int classes;
    private SDVariable labels;
    private SDVariable klWeight;

    /**
     * @param existing the weights to use, by name, or null to create new ones
     * @param classes the number of classes of the labels placeholder
     */
    Net(SameDiff sd, DataType type, Map<String, org.nd4j.linalg.api.ndarray.INDArray> existing, int classes) {
        this.sd = sd;
        this.type = type;
        this.existing = existing;
        this.classes = classes;
    }

    public SameDiff sd() {
        return sd;
    }

    public DataType type() {
        return type;
    }

    /**
     * {@code in W + b}, creating {@code <layer>_W} and {@code <layer>_b} on first use; a layer used again (a decoder
     * applied to several samples) shares its weights.
     */
    public SDVariable linear(String layer, SDVariable in, long fanIn, long fanOut) {
        if (sd.hasVariable(layer + "_W")) {
            return in.mmul(sd.getVariable(layer + "_W")).add(sd.getVariable(layer + "_b"));
        }
        SDVariable w = param(layer + "_W", fanIn, fanOut);
        SDVariable b = param(layer + "_b", fanOut);
        layers.add(new Layer(layer, fanIn, fanOut));
        return in.mmul(w).add(b);
    }

    /**
     * PyTorch's {@code Conv2d(in, out, 3, stride, padding=1)} on {@code [batch, in, rows, cols]} (NCHW): weights
     * {@code <layer>_W [3, 3, in, out]} (ND4J's layout), bias {@code <layer>_b [out]}.
     */
    public SDVariable conv3x3(String layer, SDVariable in, long channelsIn, long channelsOut, int stride) {
        SDVariable[] wb = kernel(layer, channelsIn, channelsOut, channelsOut, channelsIn * 9, channelsOut * 9);
        return sd.cnn().conv2d(in, wb[0], wb[1], org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig
                .builder().kH(3).kW(3).sH(stride).sW(stride).pH(1).pW(1).dataFormat("NCHW").build());
    }

    /**
     * PyTorch's {@code ConvTranspose2d(in, out, 3, stride, padding=1, output_padding=stride-1)}: the output is
     * {@code stride} times the input's size. Weights {@code <layer>_W [3, 3, out, in]} (ND4J's layout), bias
     * {@code [out]}. ND4J's deconv2d has no output padding: the full transposed convolution is computed and its first
     * row and column cropped, which is what PyTorch's padding 1 with output padding 1 keeps.
     */
    public SDVariable deconv3x3(String layer, SDVariable in, long channelsIn, long channelsOut, int stride) {
        // PyTorch's fan-in of a transposed convolution counts the output channels (its weight is [in, out, k, k])
        SDVariable[] wb = kernel(layer, channelsOut, channelsIn, channelsOut, channelsOut * 9, channelsIn * 9);
        int pad = stride == 1 ? 1 : 0;
        SDVariable full = sd.cnn().deconv2d(in, wb[0], wb[1], org.nd4j.linalg.api.ops.impl.layers.convolution.config
                .DeConv2DConfig.builder().kH(3).kW(3).sH(stride).sW(stride).pH(pad).pW(pad).dataFormat("NCHW").build());
        if (stride == 1) {
            return full;
        }
        // [b, c, 2h+1, 2w+1] -> [b, c, 2h, 2w]: rows and columns from 1 on (begin mask: all of dims 0, 1; end mask: all)
        return sd.stridedSlice(full, new long[] {0, 0, 1, 1}, new long[] {0, 0, 0, 0}, new long[] {1, 1, 1, 1},
                0b0011, 0b1111, 0, 0, 0);
    }

    /** A 3x3 kernel {@code [3, 3, a, b]} and a bias of {@code outputs}. */
    private SDVariable[] kernel(String layer, long a, long b, long outputs, long fanIn, long fanOut) {
        if (sd.hasVariable(layer + "_W")) { // a decoder applied to several samples shares its weights
            return new SDVariable[] {sd.getVariable(layer + "_W"), sd.getVariable(layer + "_b")};
        }
        SDVariable w = param(layer + "_W", 3, 3, a, b);
        SDVariable bias = param(layer + "_b", outputs);
        layers.add(new Layer(layer, fanIn, fanOut));
        return new SDVariable[] {w, bias};
    }

    private SDVariable param(String name, long... shape) {
        if (existing == null) {
            return sd.var(name, type, shape);
        }
        org.nd4j.linalg.api.ndarray.INDArray arr = existing.get(name);
        if (arr == null) {
            throw new IllegalStateException("no weight " + name + " in the training graph");
        }
        return sd.var(name, arr);
    }

    /** Names a variable, unless the name is taken (a piece built more than once keeps its first one). */
    public SDVariable named(SDVariable v, String name) {
        return sd.hasVariable(name) ? v : v.rename(name);
    }

    /** relu(a) = a * step(a), gradient 0 at 0 as in PyTorch (cheaper than ND4J's relu backward, per-element lambdas). */
    public SDVariable relu(SDVariable a) {
        return a.mul(sd.math.step(a, 0.0));
    }

    /**
     * A placeholder filled with N(0, 1) noise at every training step, from ND4J's seeded generator. Noise is a
     * placeholder rather than a random op inside the graph: in ND4J 1.0.0-M2.1 SameDiff's custom random ops
     * (RandomNormal) return the same values at every execution and ignore the seed (deeplearning4j issues 8602 and
     * 8817), which would freeze eps.
     */
    public SDVariable normalNoise(String name, int rowsPerExample, long columns) {
        noise.add(new Noise(name, true, rowsPerExample, columns));
        return sd.placeHolder(name, type, -1, columns);
    }

    /** A placeholder filled with U(0, 1) noise at every training step. */
    public SDVariable uniformNoise(String name, int rowsPerExample, long columns) {
        noise.add(new Noise(name, false, rowsPerExample, columns));
        return sd.placeHolder(name, type, -1, columns);
    }

    /**
     * The weight of the KL term, a scalar the runtime sets at every step (1 unless the trainer warms the KL term up;
     * placeholder {@code kl_weight}).
     */
    public SDVariable klWeight() {
        if (klWeight == null) {
            klWeight = sd.placeHolder("kl_weight", type);
        }
        return klWeight;
    }

    /** The one-hot class labels of the batch, {@code [batch, classes]} (placeholder {@code y}). */
    public SDVariable labels() {
        if (classes <= 0) {
            throw new IllegalStateException("this model reads no labels: its classes() is 0");
        }
        if (labels == null) {
            labels = sd.placeHolder("y", type, -1, classes);
        }
        return labels;
    }

    /** The layers created, in order (each with {@code _W} and {@code _b}). */
    List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** The noise placeholders declared, in order. */
    List<Noise> noise() {
        return Collections.unmodifiableList(noise);
    }
}
