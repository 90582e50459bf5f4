package org.dl4jvae.model;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The settings every model of the family shares: layer sizes, the decoder's likelihood, initialisation and Adam's
 * step size. {@link #defaults()} is the reference PyTorch VAE: 784-400-20, Bernoulli decoder, PyTorch init, Adam 1e-3.
 *
 * <p>Immutable: the {@code with...} methods return changed copies of the same class. A variant that needs more
 * settings extends this class with its own fields, a no-argument constructor that sets their defaults, accessors,
 * withers and {@link #validate()} (see {@link org.dl4jvae.model.family.BetaVae.Config}). Configurations are read and
 * written as JSON by {@link ModelFamily} (Jackson, through the fields: property names are the JSON names, which the
 * command line turns into options: {@code lr} is {@code --lr}).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"model", "input_size", "hidden", "latent", "decoder", "init", "lr", "seed"})
public class VaeConfig implements Cloneable {

    /** The likelihood of the decoder. */
    public enum Decoder {
        /** Sigmoid outputs, binary cross-entropy loss: the reference. */
        @JsonProperty("bernoulli") BERNOULLI,
        /** Identity outputs, unit-variance Gaussian (summed squared error / 2 plus the constant): continuous data. */
        @JsonProperty("gaussian") GAUSSIAN
    }

    /** How weights start. */
    public enum Init {
        /** PyTorch nn.Linear: weights and biases uniform in +-1/sqrt(fan_in). */
        @JsonProperty("pytorch") PYTORCH,
        /** Xavier (Glorot) uniform weights, zero biases. */
        @JsonProperty("xavier") XAVIER
    }

    @JsonProperty("model")
    private String model = "vae";
    @FromData
    @JsonProperty("input_size")
    @JsonPropertyDescription("values per input (pixels of an image)")
    private int inputSize = 784;
    @JsonProperty("hidden")
    @JsonPropertyDescription("units of fc1 and fc3")
    private int hidden = 400;
    @JsonProperty("latent")
    @JsonPropertyDescription("size of z")
    private int latent = 20;
    @JsonProperty("decoder")
    @JsonPropertyDescription("likelihood of p(x|z): bernoulli or gaussian")
    private Decoder decoder = Decoder.BERNOULLI;
    @JsonProperty("init")
    @JsonPropertyDescription("weight initialisation: pytorch or xavier")
    private Init init = Init.PYTORCH;
    @JsonProperty("lr")
    @JsonPropertyDescription("Adam learning rate")
    private double learningRate = 1e-3;
    @JsonProperty("seed")
    @JsonPropertyDescription("seeds the weight initialisation")
    private long seed = 1;

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

    public int inputSize() {
        return inputSize;
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

    public double learningRate() {
        return learningRate;
    }

    public long seed() {
        return seed;
    }

    /**
     * Checks every setting; throws {@link InvalidSettingException} naming the first bad one. Subclasses check their own
     * fields and call this.
     */
    public void validate() {
        positive("input_size", inputSize);
        positive("hidden", hidden);
        positive("latent", latent);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new InvalidSettingException("lr", "must be a positive number, got " + learningRate);
        }
        if (decoder == null || init == null || model == null) {
            throw new InvalidSettingException(model == null ? "model" : decoder == null ? "decoder" : "init", "must be set");
        }
    }

    protected static void positive(String setting, long value) {
        if (value <= 0) {
            throw new InvalidSettingException(setting, "must be positive, got " + value);
        }
    }

    /**
     * These settings fitted to a dataset's shape: the input size, and in subclasses whatever else the data decides
     * (fields marked {@link FromData}).
     */
    public VaeConfig forData(int inputSize, int classes) {
        return withSizes(inputSize, hidden, latent);
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
    protected final <C extends VaeConfig> C change(java.util.function.Consumer<C> edit) {
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
