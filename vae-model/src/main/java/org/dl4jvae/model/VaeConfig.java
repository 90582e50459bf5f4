package org.dl4jvae.model;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * The settings every model of the family shares: layer sizes, the decoder's likelihood, initialisation and Adam's
 * step size. {@link #defaults()} is the reference PyTorch VAE: 784-400-20, Bernoulli decoder, PyTorch init, Adam 1e-3.
 *
 * <p>Immutable: the {@code with...} methods return changed copies of the same class. A variant that needs more
 * settings extends this class with its fields, each with its JSON name, a description, its default and its
 * {@link Range} (see {@link org.dl4jvae.model.family.BetaVae.Config}); {@link #validate()} checks them all. Configurations
 * are read and written as JSON by {@link ModelFamily} (Jackson, through the fields: the JSON names are what the command
 * line turns into options, {@code lr} is {@code --lr}), and {@link #with(String, Object)} changes any setting.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"model", "arch", "input_size", "channels", "image_rows", "image_cols", "hidden", "latent", "decoder",
        "init", "lr", "seed", "rng", "free_bits"})
public class VaeConfig implements Cloneable {

    /** The likelihood of the decoder. */
    public enum Decoder {
        /** Sigmoid outputs, binary cross-entropy loss: the reference. */
        @JsonProperty("bernoulli") BERNOULLI,
        /** Identity outputs, unit-variance Gaussian (summed squared error / 2 plus the constant): continuous data. */
        @JsonProperty("gaussian") GAUSSIAN
    }

    /** The network of the encoder and the decoder. */
    public enum Arch {
        /** fc1 (hidden) and fc3/fc4: the reference, for any input. */
        @JsonProperty("mlp") MLP,
        /**
         * The Keras VAE example's convolutional network, for images whose height and width are multiples of 4: conv
         * 3x3/2 (32), conv 3x3/2 (64), dense (hidden, 16 in the example); dense, deconv 3x3/2 (64), deconv 3x3/2
         * (32), deconv 3x3 (channels).
         */
        @JsonProperty("conv") CONV
    }

    /** How weights start. */
    public enum Init {
        /** PyTorch nn.Linear: weights and biases uniform in +-1/sqrt(fan_in). */
        @JsonProperty("pytorch") PYTORCH,
        /** Xavier (Glorot) uniform weights, zero biases. */
        @JsonProperty("xavier") XAVIER
    }

    /** Where the random draws of training come from. */
    public enum Rng {
        /** ND4J's generator: the weights from the seed, each epoch's order, noise and evaluation from seeds of their own. */
        @JsonProperty("nd4j") ND4J,
        /**
         * PyTorch's CPU generator ({@link TorchGenerator}): one stream from {@code torch.manual_seed(seed)} gives the
         * weights, each epoch's order, every step's noise and the test evaluation's noise, as the PyTorch peer draws
         * them (samediff engine, one machine).
         */
        @JsonProperty("pytorch") PYTORCH
    }

    @JsonProperty("model")
    private String model = "vae";
    @JsonProperty("arch")
    @JsonPropertyDescription("network: mlp (fully connected) or conv (convolutional, images with height and width "
            + "multiples of 4)")
    private Arch arch = Arch.MLP;
    @FromData
    @JsonProperty("input_size")
    @JsonPropertyDescription("values per input (pixels of an image)")
    @Range(min = 0, minOpen = true)
    private int inputSize = 784;
    @FromData
    @JsonProperty("channels")
    @JsonPropertyDescription("channels of an input image")
    @Range(min = 0, minOpen = true)
    private int channels = 1;
    @FromData
    @JsonProperty("image_rows")
    @JsonPropertyDescription("height of an input image")
    @Range(min = 0, minOpen = true)
    private int imageRows = 28;
    @FromData
    @JsonProperty("image_cols")
    @JsonPropertyDescription("width of an input image")
    @Range(min = 0, minOpen = true)
    private int imageCols = 28;
    @JsonProperty("hidden")
    @JsonPropertyDescription("units of fc1 and fc3 (mlp); of the dense layer (conv: the "
            + "command line then uses the Keras example's 16 unless given)")
    @Range(min = 0, minOpen = true)
    private int hidden = 400;
    @JsonProperty("latent")
    @JsonPropertyDescription("size of z")
    @Range(min = 0, minOpen = true)
    private int latent = 20;
    @JsonProperty("decoder")
    @JsonPropertyDescription("likelihood of p(x|z): bernoulli or gaussian")
    private Decoder decoder = Decoder.BERNOULLI;
    @JsonProperty("init")
    @JsonPropertyDescription("weight initialisation: pytorch or xavier")
    private Init init = Init.PYTORCH;
    @JsonProperty("lr")
    @JsonPropertyDescription("Adam learning rate")
    @Range(min = 0, minOpen = true)
    private double learningRate = 1e-3;
    @JsonProperty("seed")
    @JsonPropertyDescription("seeds the weight initialisation")
    private long seed = 1;
    @JsonProperty("rng")
    @JsonPropertyDescription("random numbers: nd4j, or pytorch (PyTorch's CPU generator: the same weights, data order "
            + "and noise as torch.manual_seed(seed) in the PyTorch peer)")
    private Rng rng = Rng.ND4J;
    @JsonProperty("free_bits")
    @JsonPropertyDescription("free bits (Kingma et al. 2016): nats per image below which a latent dimension's KL is not "
            + "pushed down; 0 for none")
    @Range(min = 0)
    private double freeBits = 0;

    /** The reference model's settings; subclasses set their own fields' defaults here too. */
    protected VaeConfig() {
    }

    /** The reference model. */
    public static VaeConfig defaults() {
        return new VaeConfig();
    }

    /** The name of the variant these settings are for (see {@link ModelFamily}). */
    public String model() {
        return model;
    }

    public Arch arch() {
        return arch;
    }

    public int inputSize() {
        return inputSize;
    }

    /** The input's channels, height and width ({@code 1 x 28 x 28} for MNIST; {@code 1 x 1 x n} for a flat vector). */
    public int[] imageShape() {
        return new int[] {channels, imageRows, imageCols};
    }

    public int hidden() {
        return hidden;
    }

    public int latent() {
        return latent;
    }

    public Decoder decoder() {
        return decoder;
    }

    public Init init() {
        return init;
    }

    public Rng rng() {
        return rng;
    }

    public double learningRate() {
        return learningRate;
    }

    public long seed() {
        return seed;
    }

    public double freeBits() {
        return freeBits;
    }

    /**
     * Checks every setting of this class and its superclasses: set, and in its {@link Range}; throws
     * {@link InvalidSettingException} naming the first bad one. A subclass overrides this only for a rule that spans
     * several fields.
     */
    public void validate() {
        for (Class<?> c = getClass(); c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                JsonProperty name = f.getAnnotation(JsonProperty.class);
                if (name != null) {
                    check(name.value(), f);
                }
            }
        }
        checkShape();
    }

    /** The rules that span several settings: a convolutional network reads whole images of a suitable size. */
    private void checkShape() {
        if (arch != Arch.CONV) {
            return;
        }
        if ((long) channels * imageRows * imageCols != inputSize) {
            throw new InvalidSettingException("input_size", "must be channels x image_rows x image_cols = "
                    + (long) channels * imageRows * imageCols + " for arch conv, got " + inputSize);
        }
        if (imageRows % 4 != 0 || imageCols % 4 != 0) {
            throw new InvalidSettingException("arch", "conv needs images whose height and width are multiples of 4, "
                    + "got " + imageRows + "x" + imageCols + " (resize them, or use arch mlp)");
        }
    }

    private void check(String setting, java.lang.reflect.Field f) {
        Object value;
        try {
            f.setAccessible(true);
            value = f.get(this);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        if (value == null) {
            throw new InvalidSettingException(setting, "must be set");
        }
        Range range = f.getAnnotation(Range.class);
        if (range == null) {
            return;
        }
        double v = ((Number) value).doubleValue();
        boolean whole = value instanceof Integer || value instanceof Long;
        boolean ok = (range.minOpen() ? v > range.min() : v >= range.min())
                && (range.maxClosed() ? v <= range.max() : v < range.max());
        if (ok) {
            return;
        }
        String expected;
        if (range.max() != Double.POSITIVE_INFINITY) {
            expected = "in " + (range.minOpen() ? "(" : "[") + text(range.min(), whole) + ", " + text(range.max(), whole)
                    + (range.maxClosed() ? "]" : ")");
        } else if (range.min() == 0 && range.minOpen()) {
            expected = whole ? "positive" : "a positive number";
        } else {
            expected = (range.minOpen() ? "greater than " : "at least ") + text(range.min(), whole);
        }
        throw new InvalidSettingException(setting, "must be " + expected + ", got " + value);
    }

    private static String text(double bound, boolean whole) {
        return whole || bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }

    /**
     * A copy with one setting changed, by its JSON name, for any configuration class: {@code config.with("beta", 2.0)}.
     * The value is converted as JSON would be (text too); a bad one is an {@link InvalidSettingException}.
     */
    @SuppressWarnings("unchecked")
    public final <C extends VaeConfig> C with(String setting, Object value) {
        Map<String, Object> settings = new java.util.LinkedHashMap<>();
        ModelFamily.toJson(this).fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue()));
        if (!settings.containsKey(setting) || setting.equals("model")) {
            throw new InvalidSettingException(setting, "is not a setting of model " + model);
        }
        settings.put(setting, value);
        return (C) ModelFamily.config(model, settings);
    }

    /**
     * These settings fitted to a dataset's shape: the input size, and in subclasses whatever else the data decides
     * (fields marked {@link FromData}).
     */
    public VaeConfig forData(int inputSize, int classes) {
        return forData(1, 1, inputSize, classes);
    }

    /** These settings fitted to images of {@code channels x rows x cols} values in {@code classes} classes. */
    public VaeConfig forData(int channels, int rows, int cols, int classes) {
        return change(c -> {
            c.channels = channels;
            c.imageRows = rows;
            c.imageCols = cols;
            c.inputSize = Math.multiplyExact(Math.multiplyExact(channels, rows), cols);
        });
    }

    public VaeConfig withSizes(int inputSize, int hidden, int latent) {
        return change(c -> {
            c.inputSize = inputSize;
            c.hidden = hidden;
            c.latent = latent;
        });
    }

    public VaeConfig withDecoder(Decoder decoder) {
        return change(c -> c.decoder = decoder);
    }

    public VaeConfig withInit(Init init) {
        return change(c -> c.init = init);
    }

    public VaeConfig withRng(Rng rng) {
        return change(c -> c.rng = rng);
    }

    public VaeConfig withLearningRate(double learningRate) {
        return change(c -> c.learningRate = learningRate);
    }

    public VaeConfig withSeed(long seed) {
        return change(c -> c.seed = seed);
    }

    /** For the registry: the same settings under a variant's name. */
    final VaeConfig named(String name) {
        return change(c -> c.model = name);
    }

    /** A validated copy with one change: how the withers of this class and of subclasses are written. */
    @SuppressWarnings("unchecked")
    private <C extends VaeConfig> C change(java.util.function.Consumer<C> edit) {
        C copy;
        try {
            copy = (C) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
        edit.accept(copy);
        copy.validate();
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ModelFamily.toJson(this).equals(ModelFamily.toJson((VaeConfig) o));
    }

    @Override
    public int hashCode() {
        return ModelFamily.toJson(this).hashCode();
    }

    /** The settings as JSON. */
    @Override
    public String toString() {
        return ModelFamily.toJson(this).toString();
    }
}
