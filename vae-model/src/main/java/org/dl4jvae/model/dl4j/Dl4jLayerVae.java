package org.dl4jvae.model.dl4j;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.variational.GaussianReconstructionDistribution;
import org.deeplearning4j.nn.conf.layers.variational.ReconstructionDistribution;
import org.deeplearning4j.nn.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jvae.model.Encoding;
import org.dl4jvae.model.LinearInit;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeMath;
import org.dl4jvae.model.AdamEngine;
import org.dl4jvae.model.OneDnn;
import org.dl4jvae.model.io.ModelFile;
import org.dl4jvae.model.io.NamedArrays;
import org.dl4jvae.model.ModelFamily;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The VAE as DL4J's own {@code VariationalAutoencoder} layer in a {@code MultiLayerNetwork}: one encoder layer of
 * {@code hidden} ReLU units, identity p(z|x) activation, one decoder layer, Bernoulli (sigmoid, as
 * {@link BernoulliFromLogits}) or Gaussian reconstruction distribution, Adam; trained through the layer's unsupervised
 * path ({@code pretrainLayer}).
 *
 * <p>Weight exchange with the reference names, the one place this mapping is written down:
 * <pre>
 *   fc1  -> e0          (encoder layer)        fc3 -> d0   (decoder layer)
 *   fc21 -> pZXMean     (mean of q(z|x))       fc4 -> pXZ  (p(x|z) parameters)
 *   fc22 -> pZXLogStd2  (log sigma^2 of q(z|x))
 * </pre>
 * Each as {@code <name>W} and {@code <name>b}; DL4J stores weights {@code [fan_in, fan_out]} like this toolkit. With
 * the Gaussian decoder DL4J also learns the output log-variance: pXZ has twice the columns, fc4 is its mean half, and
 * an imported fc4 starts with unit variance.
 */
public final class Dl4jLayerVae extends AdamEngine {

    public static final String KIND = "dl4j";

    /** Reference layer name to DL4J parameter prefix. */
    public static final Map<String, String> PARAMS = mapping();

    private static final String PRETRAIN_UPDATER = "pretrain_updater_state";

    private static final String ITERATION = STEP_COUNT;
    private static final String NETWORK_PARAMS = "network_params";
    /** First number of a payload of JSON configuration and named arrays (earlier files start with a length). */
    private static final int JSON_PAYLOAD = -1;

    private final MultiLayerNetwork net;

    private Dl4jLayerVae(VaeConfig config, MultiLayerNetwork net) {
        super(config, net.getLayer(0).numParams());
        this.net = net;
        net.initGradientsView();
        ShapeInfoCache.install(); // the layer makes dozens of arrays a step
    }

    private static Map<String, String> mapping() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fc1", "e0");
        m.put("fc21", "pZXMean");
        m.put("fc22", "pZXLogStd2");
        m.put("fc3", "d0");
        m.put("fc4", "pXZ");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A new model with PyTorch-style (or Xavier) weights drawn exactly as the SameDiff engine draws them. */
    public static Dl4jLayerVae create(VaeConfig config) {
        if (!config.model().equals(ModelFamily.DEFAULT)) {
            throw new IllegalArgumentException("the " + KIND + " engine (DL4J's VariationalAutoencoder layer) runs the "
                    + "reference model " + ModelFamily.DEFAULT + " only, not " + config.model() + " (use the samediff engine)");
        }
        if (config.arch() != VaeConfig.Arch.MLP) {
            throw new IllegalArgumentException("the " + KIND + " engine (DL4J's VariationalAutoencoder layer) is fully "
                    + "connected: arch " + config.arch().name().toLowerCase(java.util.Locale.ROOT) + " needs the samediff engine");
        }
        if (config.rng() != VaeConfig.Rng.ND4J) {
            throw new IllegalArgumentException("the " + KIND + " engine (DL4J's VariationalAutoencoder layer) draws its "
                    + "noise from ND4J's generator itself: rng " + config.rng().name().toLowerCase(java.util.Locale.ROOT)
                    + " needs the samediff engine");
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(config.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(config.learningRate()))
                .list()
                .layer(new org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder.Builder()
                        .nIn(config.inputSize())
                        .nOut(config.latent())
                        .encoderLayerSizes(config.hidden())
                        .decoderLayerSizes(config.hidden())
                        .activation(new ReluByStep())
                        .pzxActivationFunction(Activation.IDENTITY)
                        .reconstructionDistribution(config.decoder() == VaeConfig.Decoder.BERNOULLI
                                ? new BernoulliFromLogits()
                                : new GaussianReconstructionDistribution(Activation.IDENTITY))
                        .numSamples(1)
                        .build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Dl4jLayerVae vae = new Dl4jLayerVae(config, net);
        LinearInit init = new LinearInit(config);
        for (String layer : LAYERS) {
            init.fill(vae.param(layer, "W"), vae.param(layer, "b"));
        }
        if (config.decoder() == VaeConfig.Decoder.GAUSSIAN) {
            vae.logVarianceHalf(vae.param("fc4", "W")).assign(0);
            vae.logVarianceHalf(vae.param("fc4", "b")).assign(0);
        }
        return vae;
    }

    /** The underlying network, for tests. */
    MultiLayerNetwork network() {
        return net;
    }

    private VariationalAutoencoder layer() {
        return (VariationalAutoencoder) net.getLayer(0);
    }

    private org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder layerConf() {
        return (org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder) layer().conf().getLayer();
    }

    /** The DL4J parameter array (a view into the network's parameters) behind a reference layer name. */
    private INDArray param(String layer, String kind) {
        return layer().getParam(PARAMS.get(layer) + kind);
    }

    /** The part of a pXZ parameter that holds p(x|z)'s mean (all of it for Bernoulli). */
    private INDArray meanHalf(INDArray pxz) {
        if (config().decoder() == VaeConfig.Decoder.BERNOULLI) {
            return pxz;
        }
        return pxz.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, config().inputSize()));
    }

    private INDArray logVarianceHalf(INDArray pxz) {
        return pxz.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(config().inputSize(), 2L * config().inputSize()));
    }

    @Override
    public String kind() {
        return KIND;
    }


    /**
     * One step of DL4J's unsupervised path for the layer, as {@code pretrainLayer} takes it: the layer's own gradient
     * and score, the gradient divided by the batch size (DL4J's minibatch convention), then Adam. Adam is this
     * toolkit's (the same update as DL4J's Adam, which costs about 2 ms per 313,600 parameters in ND4J 1.0.0-M2.1).
     */
    @Override
    protected Gradient stepGradient(INDArray x, INDArray labels) {
        // fc1's weights are the largest (a Gaussian pXZ's variance half not counted), so the same steps as the
        // SameDiff engine's move
        OneDnnProducts.Route route = OneDnn.takesProducts(x.rows(), (long) config().inputSize() * config().hidden())
                ? OneDnnProducts.Route.EVERY_CORE
                : OneDnn.smallStep(x.rows()) ? OneDnnProducts.Route.THIS_THREAD : OneDnnProducts.Route.ND4J;
        // the layer's gradient ends with the gradient of its input, W_e0 delta^T, which it then drops: a product of
        // fc1's weights by anything is that one (DL4J 1.0.0-M2.1), and is not computed on any route
        return layerGradient(x, route, param("fc1", "W"));
    }

    /**
     * {@link #gradient}, with the layer's products on {@code route}, where ND4J puts them if null; products of
     * {@code unread} (if not null) are not computed ({@link OneDnnProducts#during}).
     */
    Gradient layerGradient(INDArray x, OneDnnProducts.Route route, INDArray unread) {
        VariationalAutoencoder l = layer();
        try (MemoryWorkspace ws = VaeMath.scratch()) {
            l.setInput(x.castTo(DataType.FLOAT), LayerWorkspaceMgr.noWorkspaces());
            if (route != null) { // inside the workspace: the wrapper may compute a product as the step ends
                OneDnnProducts.during(unread, route, () -> {
                    l.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
                    return null;
                });
            } else {
                l.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
            }
            INDArray g = l.gradient().gradient();
            l.clear();
            // DL4J's score is the loss averaged over the batch; the reference sums it. The gradient is that of the
            // summed loss, as the SameDiff engine's
            return new Gradient(l.score() * x.rows(), Map.of(NETWORK_PARAMS, g));
        }
    }

    /**
     * Adam over the layer's flattened parameters from the gradient divided by the batch size (DL4J's minibatch
     * convention).
     */
    @Override
    public void applyGradient(Map<String, INDArray> gradient, long images) {
        INDArray g = gradient.get(NETWORK_PARAMS);
        double scale = clipFactor(() -> g.norm2Number().doubleValue()) / images;
        adam.step(0, layer().params(), g, scale, iteration++);
    }

    @Override
    public Map<String, INDArray> trainingState() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(PRETRAIN_UPDATER, adam.state(0));
        state.put(ITERATION, Nd4j.scalar(iteration));
        state.put(NETWORK_PARAMS, net.params().dup());
        return state;
    }

    @Override
    public void setTrainingState(Map<String, INDArray> state) {
        net.setParams(state.get(NETWORK_PARAMS).castTo(DataType.FLOAT));
        adam.setState(0, state.get(PRETRAIN_UPDATER));
        iteration = state.get(ITERATION).getInt(0);
    }

    @Override
    public Encoding encode(INDArray x, INDArray labels) {
        INDArray in = x.castTo(DataType.FLOAT);
        // DL4J's forward pass (activate) gives only the mean of q(z|x); both heads are computed here from one pass
        // through fc1, with the layer's own parameters and activation functions, as DL4J's activate computes the mean
        INDArray h1 = layerConf().getActivationFn().getActivation(affine(in, "fc1"), false);
        IActivation pzx = layerConf().getPzxActivationFn();
        return new Encoding(pzx.getActivation(affine(h1, "fc21"), false), pzx.getActivation(affine(h1, "fc22"), false));
    }

    /** in * W + b with a layer's own parameters. */
    private INDArray affine(INDArray in, String layer) {
        return VaeMath.linear(in, param(layer, "W"), param(layer, "b"));
    }

    @Override
    public INDArray decode(INDArray z, INDArray labels) {
        return layerConf().getOutputDistribution().generateAtMean(decoderPreOutput(z.castTo(DataType.FLOAT)));
    }

    @Override
    public INDArray logLikelihood(INDArray x, INDArray z, INDArray labels) {
        INDArray preOut = decoderPreOutput(z.castTo(DataType.FLOAT));
        if (config().decoder() == VaeConfig.Decoder.BERNOULLI) {
            // this engine's Bernoulli formula, summed in double (DL4J's distributions answer in float), also for
            // model files that still carry DL4J's own Bernoulli distribution
            return BernoulliFromLogits.logProbability(x, preOut);
        }
        ReconstructionDistribution dist = layerConf().getOutputDistribution();
        return dist.exampleNegLogProbability(x.castTo(DataType.FLOAT), preOut).castTo(DataType.DOUBLE).reshape(x.rows()).negi();
    }

    /**
     * p(x|z)'s pre-output: DL4J's decoder pass ({@code decodeGivenLatentSpaceValues}, private in DL4J 1.0.0-M2.1),
     * step for step with the layer's own parameters and activation, through the faster product of {@link VaeMath#linear}.
     */
    INDArray decoderPreOutput(INDArray z) {
        INDArray h3 = layerConf().getActivationFn().getActivation(affine(z, "fc3"), false);
        return affine(h3, "fc4");
    }

    @Override
    public void setKlWeight(double weight) {
        throw new UnsupportedOperationException("DL4J's VariationalAutoencoder layer has no KL weight (a KL warm-up "
                + "needs --engine samediff)");
    }


    @Override
    public Map<String, INDArray> weights() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String layer : LAYERS) {
            INDArray w = param(layer, "W");
            INDArray b = param(layer, "b");
            if (layer.equals("fc4")) {
                w = meanHalf(w);
                b = meanHalf(b);
            }
            out.put(layer + "_W", w.dup());
            out.put(layer + "_b", b.dup().reshape(b.length()));
        }
        return out;
    }

    @Override
    public void setWeights(Map<String, INDArray> weights) {
        String bad = VaeMath.firstNonFinite(weights);
        if (bad != null) {
            throw new IllegalArgumentException("weight " + bad + " holds values that are not finite numbers (NaN or infinity)");
        }
        for (String layer : LAYERS) {
            INDArray w = param(layer, "W");
            INDArray b = param(layer, "b");
            if (layer.equals("fc4")) {
                if (config().decoder() == VaeConfig.Decoder.GAUSSIAN) {
                    logVarianceHalf(w).assign(0);
                    logVarianceHalf(b).assign(0);
                }
                w = meanHalf(w);
                b = meanHalf(b);
            }
            assign(layer + "_W", weights.get(layer + "_W"), w);
            assign(layer + "_b", weights.get(layer + "_b"), b);
        }
    }

    private static void assign(String name, INDArray src, INDArray dst) {
        if (src == null || src.length() != dst.length() || (src.rank() == 2 && !Arrays.equals(src.shape(), dst.shape()))) {
            throw new IllegalArgumentException("weight " + name + " missing or not of shape " + Arrays.toString(dst.shape()));
        }
        dst.assign(src.castTo(dst.dataType()).reshape(dst.shape()));
    }

    /**
     * The network (DL4J's JSON configuration and flattened parameters, as {@code ModelSerializer} restores them), the
     * pretraining Adam state (m then v over the layer's flattened parameters, the layout of DL4J's own state view) and
     * step count.
     */
    @Override
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, INDArray> extra = trainingState();
        ModelFile.write(file, KIND, config(), metadata, out -> {
            // the network as its JSON configuration and its flattened parameters: ModelSerializer (a zip deflated one
            // number at a time) made a checkpoint take 0.15-0.16 s, this 0.06-0.08 s
            byte[] json = net.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8);
            java.io.DataOutputStream data = new java.io.DataOutputStream(out);
            data.writeInt(JSON_PAYLOAD);
            data.writeInt(json.length);
            data.write(json);
            NamedArrays.write(extra, data);
        });
    }

    /** Restores a model written by {@link #save}, with its pretraining (Adam) state. */
    public static Dl4jLayerVae load(ModelFile.Contents contents) throws IOException {
        if (!KIND.equals(contents.engine())) {
            throw new IOException("model was trained by the " + contents.engine() + " engine, not " + KIND);
        }
        java.io.DataInputStream in = new java.io.DataInputStream(new ByteArrayInputStream(contents.payload()));
        int head = in.readInt();
        MultiLayerNetwork net;
        Map<String, INDArray> extra;
        if (head == JSON_PAYLOAD) {
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            extra = NamedArrays.read(in);
            INDArray params = extra.get(NETWORK_PARAMS);
            if (params == null) {
                throw new IOException("model file has no network parameters");
            }
            try {
                net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                        new String(json, StandardCharsets.UTF_8)));
                net.init(params, false);
            } catch (RuntimeException e) {
                throw new IOException("model file holds no valid DL4J network: " + e.getMessage(), e);
            }
        } else if (head >= 0) { // files from before the JSON payload: a ModelSerializer zip of this length
            byte[] model = new byte[head];
            in.readFully(model);
            net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model), true);
            extra = NamedArrays.read(in);
        } else {
            throw new IOException("not a dl4j engine payload");
        }
        Dl4jLayerVae vae = new Dl4jLayerVae(contents.config(), net);
        try {
            if (extra.containsKey(PRETRAIN_UPDATER)) {
                vae.adam.setState(0, extra.get(PRETRAIN_UPDATER));
            }
            if (extra.containsKey(ITERATION)) {
                vae.iteration = extra.get(ITERATION).getInt(0);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("model file does not match its configuration: " + e.getMessage(), e);
        }
        return vae;
    }
}
