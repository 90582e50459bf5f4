package org.dl4jvae.model.samediff;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dl4jvae.model.AdamOptimizer;
import org.dl4jvae.model.Encoding;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.LinearInit;
import org.dl4jvae.model.VaeMath;
import org.dl4jvae.model.io.ModelFile;
import org.dl4jvae.model.io.NamedArrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The VAE as a SameDiff graph, layer for layer the reference PyTorch model:
 * {@code fc1 -> relu -> (fc21 = mu, fc22 = logvar) -> reparameterize -> fc3 -> relu -> fc4 -> sigmoid}, trained on
 * the summed BCE (from logits) plus beta times the KL divergence, with Adam.
 */
public final class SameDiffVae implements VaeEngine {

    public static final String KIND = "samediff";

    private static final String ITERATION = "adam_iteration";

    private final VaeConfig config;
    private final SameDiff sd;
    private final List<String> params = new ArrayList<>();
    /** The arrays of {@link #params} (fixed: weights are assigned into them) and their gradients' names, in order. */
    private final List<INDArray> paramArrays = new ArrayList<>();
    private final List<String> grads = new ArrayList<>();
    private final AdamOptimizer adam;
    private final OpSchedule step;
    /** The encoder half of the graph, for {@link #encode}. */
    private final OpSchedule encoder;
    private int iteration;

    private SameDiffVae(VaeConfig config, SameDiff sd) {
        this.config = config;
        this.sd = sd;
        for (String layer : LAYERS) {
            params.add(layer + "_W");
            params.add(layer + "_b");
        }
        this.adam = new AdamOptimizer(config.learningRate(),
                params.stream().mapToLong(p -> sd.getArrForVarName(p).length()).toArray());
        quietly(sd::createGradFunction);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        for (String p : params) {
            grads.add(sd.getVariable(p).getGradient().name());
            paramArrays.add(sd.getArrForVarName(p));
            arrays.put(p, sd.getArrForVarName(p));
        }
        java.util.Set<String> required = new java.util.HashSet<>(grads);
        required.add("loss");
        this.step = new OpSchedule(sd.getFunction("grad"), arrays, required);
        this.encoder = new OpSchedule(sd, arrays, java.util.Set.of("mu", "logvar"));
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

    /** A new, initialised model. */
    public static SameDiffVae create(VaeConfig config) {
        SameDiff sd = graph(config, DataType.FLOAT);
        initialise(sd, config);
        return new SameDiffVae(config, sd);
    }

    /**
     * Builds the graph. The noise eps is a placeholder filled from ND4J's seeded generator at every step, rather than
     * a random op inside the graph: in ND4J 1.0.0-M2.1 SameDiff's custom random ops (RandomNormal) return the same
     * values at every execution and ignore the seed (deeplearning4j issues 8602 and 8817), which would freeze eps.
     */
    static SameDiff graph(VaeConfig c, DataType type) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", type, -1, c.inputSize());
        Layers fc = new Layers(sd, type);

        SDVariable h1 = relu(sd, fc.linear("fc1", x, c.inputSize(), c.hidden()));
        SDVariable mu = fc.linear("fc21", h1, c.hidden(), c.latent()).rename("mu");
        SDVariable logvar = fc.linear("fc22", h1, c.hidden(), c.latent()).rename("logvar");

        SDVariable eps = sd.placeHolder("eps", type, -1, c.latent()); // N(0, I), any batch size
        SDVariable z = reparameterize(sd, mu, logvar, eps);

        SDVariable h3 = relu(sd, fc.linear("fc3", z, c.latent(), c.hidden()));
        SDVariable logits = fc.linear("fc4", h3, c.hidden(), c.inputSize()).rename("logits");

        SDVariable recon; // -log p(x|z), summed over pixels and batch
        if (c.decoder() == VaeConfig.Decoder.BERNOULLI) {
            sd.nn.sigmoid("x_hat", logits);
            recon = bce(sd, x, logits);
        } else {
            sd.identity("x_hat", logits);
            SDVariable d = x.sub(logits);
            recon = sd.sum(d.mul(d).add(Math.log(2 * Math.PI))).mul("recon", 0.5);
        }
        recon.add("loss", kld(sd, mu, logvar).mul(c.beta()));
        sd.setLossVariables("loss");
        return sd;
    }

    /**
     * Summed binary cross-entropy from logits: sum(softplus(logits) - x * logits). ND4J's softplus is
     * log(1 + exp(l)), infinite from l = 89 in float, so above 80 it continues as the line it has become:
     * softplus(l - r) + r with the whole-number shift r = floor(relu(l - 80)) (exact for logits below 2^31). The
     * shift passes through an integer type, so SameDiff does not differentiate it, and the gradient is
     * sigmoid(l - r) - x = sigmoid(l) - x throughout. Chosen over ND4J's sigmoidCrossEntropy loss op, whose
     * per-element lambdas made it a quarter of a training step.
     */
    static SDVariable bce(SameDiff sd, SDVariable x, SDVariable logits) {
        SDVariable over = sd.nn.relu(logits.sub(80), 0).castTo(DataType.INT32).castTo(logits.dataType());
        SDVariable softplus = sd.nn.softplus(logits.sub(over)).add(over);
        return sd.sum(softplus).sub("recon", sd.sum(x.mul(logits)));
    }

    /**
     * relu(a) = a * step(a), gradient 0 at 0 as in PyTorch. Written so because ND4J's relu backward
     * (thresholdedrelu_bp, per-element lambdas) cost about 0.5 ms more per step than a product's.
     */
    static SDVariable relu(SameDiff sd, SDVariable a) {
        return a.mul(sd.math.step(a, 0.0));
    }

    /** z = mu + exp(0.5 * logvar) * eps. */
    private static SDVariable reparameterize(SameDiff sd, SDVariable mu, SDVariable logvar, SDVariable eps) {
        return mu.add("z", sd.math.exp(logvar.mul(0.5)).mul(eps));
    }

    /** KLD = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)), summed over the batch. */
    private static SDVariable kld(SameDiff sd, SDVariable mu, SDVariable logvar) {
        return sd.sum(logvar.add(1.0).sub(mu.mul(mu)).sub(sd.math.exp(logvar))).mul("kld", -0.5);
    }

    static void initialise(SameDiff sd, VaeConfig c) {
        LinearInit init = new LinearInit(c);
        for (String layer : LAYERS) {
            init.fill(sd.getArrForVarName(layer + "_W"), sd.getArrForVarName(layer + "_b"));
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public VaeConfig config() {
        return config;
    }

    @Override
    public double trainStep(INDArray x) {
        INDArray eps = Nd4j.randn(x.dataType(), x.rows(), config.latent());
        Map<String, INDArray> values = step.run(Map.of("x", x, "eps", eps));
        double loss = values.get("loss").getDouble(0);
        for (int i = 0; i < params.size(); i++) {
            adam.step(i, paramArrays.get(i), values.get(grads.get(i)), iteration);
        }
        iteration++;
        return loss;
    }

    @Override
    public Encoding encode(INDArray x) {
        Map<String, INDArray> out = encoder.run(Map.of("x", x.castTo(DataType.FLOAT)));
        return new Encoding(out.get("mu").dup(), out.get("logvar").dup());
    }

    @Override
    public INDArray decode(INDArray z) {
        return VaeMath.mean(config.decoder(), logits(z));
    }

    @Override
    public INDArray logLikelihood(INDArray x, INDArray z) {
        return VaeMath.logLikelihood(config.decoder(), x, logits(z));
    }

    /** The decoder half of the graph on the graph's own weights, for any z: fc4(relu(fc3(z))). */
    private INDArray logits(INDArray z) {
        INDArray h3 = Transforms.relu(affine(z, "fc3"), false);
        return affine(h3, "fc4");
    }

    private INDArray affine(INDArray in, String layer) {
        return VaeMath.linear(in, sd.getArrForVarName(layer + "_W"), sd.getArrForVarName(layer + "_b"));
    }

    @Override
    public Map<String, INDArray> weights() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String layer : LAYERS) {
            out.put(layer + "_W", sd.getArrForVarName(layer + "_W").dup());
            out.put(layer + "_b", sd.getArrForVarName(layer + "_b").dup());
        }
        return out;
    }

    @Override
    public void setWeights(Map<String, INDArray> weights) {
        for (String layer : LAYERS) {
            for (String name : new String[] {layer + "_W", layer + "_b"}) {
                INDArray src = weights.get(name);
                INDArray dst = sd.getArrForVarName(name);
                if (src == null || !java.util.Arrays.equals(src.shape(), dst.shape())) {
                    throw new IllegalArgumentException("weight " + name + " missing or not of shape "
                            + java.util.Arrays.toString(dst.shape()));
                }
                dst.assign(src.castTo(dst.dataType()));
            }
        }
    }

    @Override
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, INDArray> arrays = weights();
        for (int i = 0; i < params.size(); i++) {
            arrays.put(params.get(i) + ".adam", adam.state(i));
        }
        arrays.put(ITERATION, Nd4j.scalar(iteration));
        ModelFile.write(file, KIND, config, metadata, out -> NamedArrays.write(arrays, out));
    }

    /** Restores a model written by {@link #save}: weights, Adam state and configuration. */
    public static SameDiffVae load(ModelFile.Contents contents) throws IOException {
        if (!KIND.equals(contents.engine())) {
            throw new IOException("model was trained by the " + contents.engine() + " engine, not " + KIND);
        }
        Map<String, INDArray> arrays = NamedArrays.read(new ByteArrayInputStream(contents.payload()));
        SameDiffVae vae = new SameDiffVae(contents.config(), graph(contents.config(), DataType.FLOAT));
        try {
            vae.setWeights(arrays);
            for (int i = 0; i < vae.params.size(); i++) {
                vae.adam.setState(i, arrays.get(vae.params.get(i) + ".adam"));
            }
            vae.iteration = arrays.get(ITERATION).getInt(0);
        } catch (RuntimeException e) {
            throw new IOException("model file does not match its configuration: " + e.getMessage(), e);
        }
        return vae;
    }

    /** The underlying graph, for tests and tools (variables are named after the reference's layers). */
    SameDiff graph() {
        return sd;
    }

    /** Creates the variables of linear layers named like PyTorch's: {@code <layer>_W}, {@code <layer>_b}. */
    private record Layers(SameDiff sd, DataType type) {
        SDVariable linear(String layer, SDVariable in, int fanIn, int fanOut) {
            SDVariable w = sd.var(layer + "_W", type, fanIn, fanOut);
            SDVariable b = sd.var(layer + "_b", type, fanOut);
            return in.mmul(w).add(b);
        }
    }
}
