package org.dl4jvae.model.samediff;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dl4jvae.model.AdamEngine;
import org.dl4jvae.model.Encoding;
import org.dl4jvae.model.LinearInit;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.Noise;
import org.dl4jvae.model.TorchGenerator;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeMath;
import org.dl4jvae.model.io.ModelFile;
import org.dl4jvae.model.io.NamedArrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SameDiff runtime of every model of the family: it builds the variant's training graph ({@link GraphModel#loss})
 * and differentiates it once, runs both through fixed op schedules ({@link OpSchedule}), steps Adam, saves and loads
 * weights with the optimiser state, and answers encode/decode/log-likelihood through the variant's evaluation graph
 * (its own encoder, decoder and likelihood over the same weight arrays).
 */
public final class SameDiffVae extends AdamEngine {

    public static final String KIND = "samediff";

    private static final String ITERATION = STEP_COUNT;
    /** The metadata entry of a saved model that holds its PyTorch generator's state ({@link VaeConfig.Rng#PYTORCH}). */
    static final String RNG_STATE = "rng_state";

    private final GraphModel model;
    private final SameDiff sd;
    private final List<Net.Noise> noise;
    private final Map<String, INDArray> noiseArrays = new HashMap<>();
    /** The weights by name in creation order (Adam's slot order); the arrays are fixed, weights are assigned into them. */
    private final Map<String, INDArray> arrays = new LinkedHashMap<>();
    private final List<String> params;
    private final List<INDArray> paramArrays;
    /** The gradients' names, in the order of {@link #params}. */
    private final List<String> grads = new ArrayList<>();
    private final OpSchedule step;
    /** Large batches' steps, in parts on all cores; null where the noise is not one row per image. */
    private final StepParts parts;
    private final OpSchedule encoder;
    private final OpSchedule decoder;
    private final OpSchedule likelihood;
    /** The KL weight fed to the graph at every step (null when the model has no KL term). */
    private final INDArray klWeightArray;
    /** The run's PyTorch generator, which drew the weights and draws the noise; null with ND4J's. */
    private final TorchGenerator torch;

    /** A model's training graph, built before the engine (whose Adam needs its weights' sizes). */
    private record Built(GraphModel model, SameDiff sd, Net net, TorchGenerator torch) {
        static Built of(VaeConfig config, boolean initialise) {
            GraphModel model = ModelFamily.variant(config.model()).model(config);
            SameDiff sd = SameDiff.create();
            Net net = training(sd, model, config, DataType.FLOAT);
            TorchGenerator torch = null;
            if (initialise) {
                torch = initialise(sd, net, config);
            } else if (config.rng() == VaeConfig.Rng.PYTORCH) {
                torch = new TorchGenerator(config.seed()); // its state comes from the saved model
            }
            return new Built(model, sd, net, torch);
        }

        List<SDVariable> weights() {
            return sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).toList();
        }
    }

    private SameDiffVae(VaeConfig config, Built built) {
        super(config, built.weights().stream().mapToLong(v -> v.getArr().length()).toArray());
        this.model = built.model();
        this.sd = built.sd();
        this.noise = built.net().noise();
        this.torch = built.torch();
        this.klWeightArray = sd.hasVariable("kl_weight") ? Nd4j.scalar(DataType.FLOAT, 1f) : null;
        for (SDVariable v : built.weights()) {
            arrays.put(v.name(), v.getArr());
        }
        this.params = List.copyOf(arrays.keySet());
        this.paramArrays = List.copyOf(arrays.values());
        quietly(sd::createGradFunction);
        for (String p : params) {
            grads.add(sd.getVariable(p).getGradient().name());
        }
        Set<String> required = new HashSet<>(grads);
        required.add("loss");
        this.step = new OpSchedule(sd.getFunction("grad"), arrays, required, OpSchedule.Mode.TRAINING);
        this.parts = noise.stream().allMatch(n -> n.rowsPerExample() == 1) ? new StepParts(
                () -> new OpSchedule(gradientFunction(config), arrays, required, OpSchedule.Mode.PART)) : null;

        SameDiff eval = SameDiff.create();
        Net evalNet = new Net(eval, DataType.FLOAT, arrays, model.classes());
        SDVariable x = eval.placeHolder("x", DataType.FLOAT, -1, config().inputSize());
        Posterior q = model.encoder(evalNet, x);
        SDVariable z = eval.placeHolder("z_given", DataType.FLOAT, -1, model.latent());
        SDVariable out = model.decoder(evalNet, z);
        model.likelihood().mean(eval, out).rename("x_mean");
        model.likelihood().negLogProb(eval, x, out, Likelihood.Reduction.PER_ROW_DOUBLE).neg().rename("log_px_z");
        this.encoder = new OpSchedule(eval, arrays, q.logvar() == null ? Set.of(q.mu().name())
                : Set.of(q.mu().name(), q.logvar().name()));
        this.decoder = new OpSchedule(eval, arrays, Set.of("x_mean"));
        this.likelihood = new OpSchedule(eval, arrays, Set.of("log_px_z"));
    }

    /**
     * SameDiff 1.0.0-M2.1 prints a line to stdout for every op it differentiates; a library must not write to its
     * caller's stdout, so the one-time gradient construction runs with stdout muted.
     */
    private static synchronized void quietly(Runnable r) {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            r.run();
        } finally {
            System.setOut(out);
        }
    }

    /** A new, initialised model of the variant the configuration names. */
    public static SameDiffVae create(VaeConfig config) {
        return new SameDiffVae(config, Built.of(config, true));
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public boolean probabilistic() {
        return model.probabilistic();
    }

    @Override
    public int classes() {
        return model.classes();
    }

    @Override
    protected Gradient stepGradient(INDArray x, INDArray labels) {
        return gradient(x, labels, parts == null ? 1 : StepParts.count(x.rows()));
    }

    /** The gradient of a batch computed in {@code partCount} parts at once ({@link StepParts}); 1: the whole batch. */
    Gradient gradient(INDArray x, INDArray labels, int partCount) {
        if (partCount > 1 && parts == null) {
            throw new IllegalStateException("model " + config().model() + " draws more than one noise row per image: "
                    + "its steps cannot be split");
        }
        Map<String, INDArray> in = inputs(x, labels);
        // noise is drawn in the order the model declared it, from the training noise, into arrays kept from step to step
        // (Nd4j.randn(type, shape) draws the same numbers into a new array: garbage that the collector frees late)
        Noise source = trainingNoise();
        for (Net.Noise n : noise) {
            long rows = x.rows() * (long) n.rowsPerExample();
            INDArray buffer = noiseArrays.get(n.name());
            if (buffer == null || buffer.rows() != rows) {
                if (buffer != null && buffer.closeable()) {
                    buffer.close();
                }
                try (var ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    buffer = Nd4j.createUninitialized(DataType.FLOAT, rows, n.columns());
                }
                noiseArrays.put(n.name(), buffer);
            }
            in.put(n.name(), n.normal() ? source.normal(buffer) : source.uniform(buffer));
        }
        if (klWeightArray != null) {
            in.put("kl_weight", klWeightArray);
        }
        List<Map<String, INDArray>> values = partCount == 1 ? List.of(step.run(in)) : parts.run(in, x.rows(), partCount);
        Map<String, INDArray> gradient = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            INDArray g = values.get(0).get(grads.get(i)); // the first part's array: the others are added into it
            for (int j = 1; j < partCount; j++) {
                g.addi(values.get(j).get(grads.get(i)));
            }
            gradient.put(params.get(i), g);
        }
        double loss = 0;
        for (Map<String, INDArray> v : values) {
            loss += v.get("loss").getDouble(0);
        }
        return new Gradient(loss, gradient);
    }

    /** The gradient function of a new copy of a configuration's training graph (its weights are not read). */
    private static SameDiff gradientFunction(VaeConfig config) {
        SameDiff sd = Built.of(config, false).sd();
        quietly(sd::createGradFunction);
        return sd.getFunction("grad");
    }

    /** Adam on each weight from the gradient of the summed loss (the batch size plays no part). */
    @Override
    public void applyGradient(Map<String, INDArray> gradient, long images) {
        double scale = clipFactor(() -> {
            double squares = 0;
            for (String p : params) {
                double n = gradient.get(p).norm2Number().doubleValue();
                squares += n * n;
            }
            return Math.sqrt(squares);
        });
        for (int i = 0; i < params.size(); i++) {
            adam.step(i, paramArrays.get(i), gradient.get(params.get(i)), scale, iteration);
        }
        iteration++;
    }

    private Map<String, INDArray> inputs(INDArray x, INDArray labels) {
        Map<String, INDArray> in = new HashMap<>();
        in.put("x", x.castTo(DataType.FLOAT));
        if (model.classes() > 0) {
            in.put("y", requireLabels(labels, x.rows()).castTo(DataType.FLOAT));
        }
        return in;
    }

    @Override
    public Encoding encode(INDArray x, INDArray labels) {
        Map<String, INDArray> out = encoder.run(inputs(x, labels));
        return new Encoding(out.get("mu").dup(), probabilistic() ? out.get("logvar").dup() : null);
    }

    @Override
    public INDArray decode(INDArray z, INDArray labels) {
        Map<String, INDArray> in = inputs(z, labels);
        in.put("z_given", in.remove("x"));
        return decoder.run(in).get("x_mean").dup();
    }

    @Override
    public INDArray logLikelihood(INDArray x, INDArray z, INDArray labels) {
        Map<String, INDArray> in = inputs(x, labels);
        in.put("z_given", z.castTo(DataType.FLOAT));
        return likelihood.run(in).get("log_px_z").dup();
    }

    @Override
    public void setKlWeight(double weight) {
        if (klWeightArray == null) {
            throw new UnsupportedOperationException("model " + config().model() + " has no KL term to weight");
        }
        klWeightArray.assign(weight);
    }


    @Override
    public Map<String, INDArray> weights() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        arrays.forEach((name, arr) -> out.put(name, arr.dup()));
        return out;
    }

    @Override
    public void setWeights(Map<String, INDArray> weights) {
        String bad = VaeMath.firstNonFinite(weights);
        if (bad != null) {
            throw new IllegalArgumentException("weight " + bad + " holds values that are not finite numbers (NaN or infinity)");
        }
        arrays.forEach((name, dst) -> {
            INDArray src = weights.get(name);
            if (src == null || !java.util.Arrays.equals(src.shape(), dst.shape())) {
                throw new IllegalArgumentException("weight " + name + " missing or not of shape "
                        + java.util.Arrays.toString(dst.shape()));
            }
            dst.assign(src.castTo(dst.dataType()));
        });
    }

    @Override
    public Map<String, INDArray> trainingState() {
        Map<String, INDArray> out = weights();
        for (int i = 0; i < params.size(); i++) {
            out.put(params.get(i) + ".adam", adam.state(i));
        }
        out.put(ITERATION, Nd4j.scalar(iteration));
        return out;
    }

    @Override
    public void setTrainingState(Map<String, INDArray> state) {
        setWeights(state);
        for (int i = 0; i < params.size(); i++) {
            adam.setState(i, state.get(params.get(i) + ".adam"));
        }
        iteration = state.get(ITERATION).getInt(0);
    }

    @Override
    public double klWeight() {
        return klWeightArray == null ? 1.0 : klWeightArray.getDouble(0);
    }

    @Override
    public Noise trainingNoise() {
        return torch != null ? torch : Noise.ND4J;
    }

    /** Writes the model as the interface says; with PyTorch's generator also its state, for a resume to go on with it. */
    @Override
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, INDArray> out = trainingState();
        Map<String, String> meta = metadata;
        if (torch != null) {
            meta = new LinkedHashMap<>(metadata);
            meta.put(RNG_STATE, torch.state());
        }
        ModelFile.write(file, KIND, config(), meta, o -> NamedArrays.write(out, o));
    }

    /** Restores a model written by {@link #save}: weights, Adam state and configuration. */
    public static SameDiffVae load(ModelFile.Contents contents) throws IOException {
        if (!KIND.equals(contents.engine())) {
            throw new IOException("model was trained by the " + contents.engine() + " engine, not " + KIND);
        }
        Map<String, INDArray> saved = NamedArrays.read(new ByteArrayInputStream(contents.payload()));
        SameDiffVae vae = new SameDiffVae(contents.config(), Built.of(contents.config(), false));
        try {
            vae.setTrainingState(saved);
            String rng = contents.metadata().get(RNG_STATE);
            if (vae.torch != null && rng != null) {
                vae.torch.restore(rng);
            }
        } catch (RuntimeException e) {
            throw new IOException("model file cannot be restored: " + e.getMessage(), e);
        }
        return vae;
    }

    /** The training graph, for tests (weights are named after the reference's layers). */
    SameDiff graph() {
        return sd;
    }

    /** The training graph of a configuration with fresh weights in the given precision, for tests of its math. */
    static SameDiff graph(VaeConfig config, DataType type) {
        SameDiff sd = SameDiff.create();
        initialise(sd, training(sd, ModelFamily.variant(config.model()).model(config), config, type), config);
        return sd;
    }

    /** Builds a model's training graph into {@code sd}, its weights uninitialised (layers in creation order). */
    private static Net training(SameDiff sd, GraphModel model, VaeConfig config, DataType type) {
        Net net = new Net(sd, type, null, model.classes());
        model.loss(net, sd.placeHolder("x", type, -1, config.inputSize()));
        sd.setLossVariables("loss");
        return net;
    }

    /** Fills the layers' weights in creation order; returns the PyTorch generator that drew them, or null. */
    private static TorchGenerator initialise(SameDiff sd, Net net, VaeConfig config) {
        LinearInit init = new LinearInit(config);
        for (Net.Layer layer : net.layers()) {
            init.fill(sd.getArrForVarName(layer.name() + "_W"), sd.getArrForVarName(layer.name() + "_b"),
                    layer.fanIn(), layer.fanOut());
        }
        return init.torchGenerator();
    }

    private INDArray requireLabels(INDArray labels, long rows) {
        if (labels == null || labels.rows() != rows || labels.columns() != model.classes()) {
            throw new IllegalArgumentException("model " + config().model() + " needs one-hot labels [" + rows + ", "
                    + model.classes() + "]" + (labels == null ? ", got none" : ", got " + java.util.Arrays.toString(labels.shape())));
        }
        return labels;
    }
}
