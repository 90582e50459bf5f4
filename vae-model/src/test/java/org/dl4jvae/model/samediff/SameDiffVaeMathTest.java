package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeMath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import java.util.List;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The graph's gradients and loss against central differences and an independent hand computation. */
class SameDiffVaeMathTest {


    @ParameterizedTest
    @EnumSource(VaeConfig.Decoder.class)
    void centralDifferencesOnEveryVariableInDoublePrecision(VaeConfig.Decoder decoder) {
        VaeConfig c = ModelFamily.config("beta-vae").with("beta", 0.7)
                .withSizes(6, 5, 3).withSeed(11).withDecoder(decoder);
        SameDiff sd = SameDiffVae.graph(c, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(3);
        Map<String, INDArray> ph = Map.of(
                "x", Nd4j.rand(DataType.DOUBLE, 4, 6),
                "eps", Nd4j.randn(DataType.DOUBLE, 4, 3),
                "kl_weight", Nd4j.scalar(DataType.DOUBLE, 0.6)); // a KL warm-up's weight
        List<String> params = sd.variables().stream()
                .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(v -> v.name()).toList();
        assertEquals(10, params.size());
        Map<String, INDArray> analytic = sd.calculateGradients(ph, params);
        double h = 1e-6;
        int checked = 0;
        for (String name : params) {
            INDArray p = sd.getArrForVarName(name);
            INDArray g = analytic.get(name);
            for (long i = 0; i < p.length(); i++) {
                double orig = p.getDouble(i);
                p.putScalar(i, orig + h);
                double plus = sd.output(ph, "loss").get("loss").getDouble(0);
                p.putScalar(i, orig - h);
                double minus = sd.output(ph, "loss").get("loss").getDouble(0);
                p.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * h);
                double a = g.getDouble(i);
                double rel = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), 1e-12);
                assertTrue(rel < 1e-5 || Math.abs(a - numeric) < 1e-8,
                        name + "[" + i + "]: analytic " + a + " vs central difference " + numeric);
                checked++;
            }
        }
        assertEquals(6 * 5 + 5 + 2 * (5 * 3 + 3) + 3 * 5 + 5 + 5 * 6 + 6, checked);
    }

    @Test
    void bceFromLogitsIsFiniteAndExactForExtremeLogits() {
        float[] l = {-200f, -100f, -20f, -1f, 0f, 0.5f, 20f, 85f, 100f, 300f};
        float[] x = {0f, 1f, 0f, 0.3f, 1f, 0f, 1f, 0f, 0.5f, 1f};
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.var("l", Nd4j.createFromArray(l));
        SDVariable target = sd.constant("x", Nd4j.createFromArray(x));
        Likelihood.BERNOULLI.negLogProb(sd, target, logits, Likelihood.Reduction.TOTAL).rename("recon");
        sd.setLossVariables("recon");
        double expected = 0;
        for (int i = 0; i < l.length; i++) {
            expected += Math.max(l[i], 0) + Math.log1p(Math.exp(-Math.abs(l[i]))) - x[i] * l[i];
        }
        double loss = sd.output(Map.of(), "recon").get("recon").getDouble(0);
        assertEquals(expected, loss, 1e-6 * Math.abs(expected));
        INDArray grad = sd.calculateGradients(Map.of(), "l").get("l");
        for (int i = 0; i < l.length; i++) {
            double sigmoid = 1 / (1 + Math.exp(-l[i]));
            assertEquals(sigmoid - x[i], grad.getDouble(i), 1e-6, "gradient at logit " + l[i]);
        }
    }

    /** Weights w[i][j] = 0.1 * ((3i + 5j + k) mod 7 - 3): fixed, varied, mixed in sign. */
    static double[][] w(int in, int out, int k) {
        double[][] w = new double[in][out];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                w[i][j] = 0.1 * ((3 * i + 5 * j + k) % 7 - 3);
            }
        }
        return w;
    }

    static double[] b(int out, int k) {
        double[] b = new double[out];
        for (int j = 0; j < out; j++) {
            b[j] = 0.05 * ((j + k) % 3 - 1);
        }
        return b;
    }

    static double[] linear(double[] in, double[][] w, double[] b) {
        double[] out = b.clone();
        for (int i = 0; i < in.length; i++) {
            for (int j = 0; j < out.length; j++) {
                out[j] += in[i] * w[i][j];
            }
        }
        return out;
    }

    static double[] relu(double[] a) {
        double[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.max(0, r[i]);
        }
        return r;
    }

    @Test
    void lossEqualsAHandComputationAndTheKlItsClosedForm() {
        VaeConfig c = VaeConfig.defaults().withSizes(4, 3, 2);
        SameDiff sd = SameDiffVae.graph(c, DataType.DOUBLE);
        String[] layers = {"fc1", "fc21", "fc22", "fc3", "fc4"};
        int[][] dims = {{4, 3}, {3, 2}, {3, 2}, {2, 3}, {3, 4}};
        double[][][] ws = new double[5][][];
        double[][] bs = new double[5][];
        for (int l = 0; l < 5; l++) {
            ws[l] = w(dims[l][0], dims[l][1], l);
            bs[l] = b(dims[l][1], l);
            sd.getVariable(layers[l] + "_W").setArray(Nd4j.createFromArray(ws[l]));
            sd.getVariable(layers[l] + "_b").setArray(Nd4j.createFromArray(bs[l]));
        }
        double[][] x = {{0, 0.25, 1, 0.5}, {1, 1, 0, 0.75}};
        double[][] eps = {{0.3, -1.2}, {-0.5, 0.8}};

        double bce = 0;
        double kld = 0;
        for (int r = 0; r < 2; r++) {
            double[] h1 = relu(linear(x[r], ws[0], bs[0]));
            double[] mu = linear(h1, ws[1], bs[1]);
            double[] logvar = linear(h1, ws[2], bs[2]);
            double[] z = new double[2];
            for (int j = 0; j < 2; j++) {
                z[j] = mu[j] + Math.exp(0.5 * logvar[j]) * eps[r][j];
                kld += -0.5 * (1 + logvar[j] - mu[j] * mu[j] - Math.exp(logvar[j]));
            }
            double[] logits = linear(relu(linear(z, ws[3], bs[3])), ws[4], bs[4]);
            for (int p = 0; p < 4; p++) {
                double xhat = 1 / (1 + Math.exp(-logits[p]));
                bce -= x[r][p] * Math.log(xhat) + (1 - x[r][p]) * Math.log(1 - xhat);
            }
        }
        Map<String, INDArray> out = sd.output(Map.of("x", Nd4j.createFromArray(x), "eps", Nd4j.createFromArray(eps),
                        "kl_weight", Nd4j.scalar(DataType.DOUBLE, 1.0)),
                "loss", "kld", "recon", "mu", "logvar");
        assertEquals(bce, out.get("recon").getDouble(0), 1e-12 * bce);
        assertEquals(kld, out.get("kld").getDouble(0), 1e-12 * kld);
        assertEquals(bce + kld, out.get("loss").getDouble(0), 1e-12 * (bce + kld));
        assertEquals(kld, VaeMath.kld(out.get("mu"), out.get("logvar")).sumNumber().doubleValue(), 1e-12 * kld);
    }

    @Test
    void bceFromLogitsStaysFiniteAtSaturatedPixels() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 0, 1, 0}});
        VaeConfig c = VaeConfig.defaults().withSizes(4, 3, 2);
        // evaluation through the model's own graph: logits = fc4_b when fc4_W is zero
        SameDiffVae vae = SameDiffVae.create(c);
        Map<String, INDArray> w = vae.weights();
        w.get("fc4_W").assign(0);
        w.get("fc4_b").assign(Nd4j.createFromArray(new float[] {200, -200, -200, 200}));
        vae.setWeights(w);
        INDArray ll = vae.logLikelihood(x, Nd4j.zeros(DataType.FLOAT, 1, 2));
        assertEquals(-400.0, ll.getDouble(0), 1e-9); // two confident right pixels cost ~0, two wrong ones 200 each

        SameDiff sd = SameDiffVae.graph(c, DataType.FLOAT);
        sd.getVariable("fc4_b").setArray(Nd4j.createFromArray(new float[] {200, -200, -200, 200}));
        INDArray loss = sd.output(Map.of("x", x.castTo(DataType.FLOAT), "eps", Nd4j.zeros(DataType.FLOAT, 1, 2)),
                "recon").get("recon");
        assertTrue(Double.isFinite(loss.getDouble(0)));
        assertEquals(400.0, loss.getDouble(0), 1.0);
    }

    @Test
    void klDivergenceClosedFormAgainstMonteCarlo() {
        INDArray mu = Nd4j.createFromArray(new double[][] {{0.5, -1.0}});
        INDArray logvar = Nd4j.createFromArray(new double[][] {{-0.4, 0.3}});
        double closed = VaeMath.kld(mu, logvar).getDouble(0);
        Nd4j.getRandom().setSeed(5);
        int n = 200_000;
        INDArray muN = mu.repeat(0, n);
        INDArray lvN = logvar.repeat(0, n);
        INDArray z = VaeMath.reparameterize(muN, lvN, Nd4j.randn(DataType.DOUBLE, n, 2));
        double mc = VaeMath.logNormal(z, muN, lvN).sub(VaeMath.logStandardNormal(z)).meanNumber().doubleValue();
        assertEquals(closed, mc, 0.01);
        assertEquals(0.5 * (0.25 + 1 + Math.exp(-0.4) + Math.exp(0.3) - 2 + 0.4 - 0.3), closed, 1e-12);
    }
}
