package org.dl4jvae.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The VAE's probability terms on whole batches, shared by both engines and by evaluation. Every method returns one
 * value per row ({@code [batch]}), computed in double precision.
 */
public final class VaeMath {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private VaeMath() {
    }

    /** KL(q(z|x) || N(0, I)) = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)). */
    public static INDArray kld(INDArray mu, INDArray logvar) {
        INDArray m = mu.castTo(DataType.DOUBLE);
        INDArray lv = logvar.castTo(DataType.DOUBLE);
        return lv.add(1).subi(m.mul(m)).subi(Transforms.exp(lv, true)).sum(1).muli(-0.5);
    }

    /**
     * log p(x|z) given the decoder's pre-activation output. Bernoulli: -BCE computed from the logits in the stable
     * form max(l,0) - x*l + log(1 + exp(-|l|)), so saturated pixels never take log(0). Gaussian: unit variance.
     */
    public static INDArray logLikelihood(VaeConfig.Decoder decoder, INDArray x, INDArray preOutput) {
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray l = preOutput.castTo(DataType.DOUBLE);
        if (decoder == VaeConfig.Decoder.GAUSSIAN) {
            INDArray d = xd.sub(l);
            return d.muli(d).addi(LOG_2PI).sum(1).muli(-0.5);
        }
        INDArray softplus = Transforms.relu(l, true).addi(Transforms.log(Transforms.exp(Transforms.abs(l, true).negi(), false).addi(1), false));
        return softplus.subi(xd.mul(l)).sum(1).negi();
    }

    /** The decoder's mean E[x|z] from its pre-activation output: sigmoid for Bernoulli, identity for Gaussian. */
    public static INDArray mean(VaeConfig.Decoder decoder, INDArray preOutput) {
        return decoder == VaeConfig.Decoder.GAUSSIAN ? preOutput.dup() : Transforms.sigmoid(preOutput, true);
    }

    /** z = mu + exp(0.5 * logvar) * eps. */
    public static INDArray reparameterize(INDArray mu, INDArray logvar, INDArray eps) {
        return Transforms.exp(logvar.mul(0.5), false).muli(eps).addi(mu);
    }

    /** log N(z; mu, exp(logvar)) summed over the latent dimensions. */
    public static INDArray logNormal(INDArray z, INDArray mu, INDArray logvar) {
        INDArray zd = z.castTo(DataType.DOUBLE);
        INDArray lv = logvar.castTo(DataType.DOUBLE);
        INDArray d = zd.sub(mu.castTo(DataType.DOUBLE));
        return d.muli(d).divi(Transforms.exp(lv, true)).addi(lv).addi(LOG_2PI).sum(1).muli(-0.5);
    }

    /** log N(z; 0, I) summed over the latent dimensions. */
    public static INDArray logStandardNormal(INDArray z) {
        INDArray zd = z.castTo(DataType.DOUBLE);
        return zd.mul(zd).addi(LOG_2PI).sum(1).muli(-0.5);
    }

    /** log(mean(exp(a))) along dimension 1, stable: max + log(mean(exp(a - max))). */
    public static INDArray logMeanExp(INDArray a) {
        INDArray max = a.max(true, 1);
        INDArray s = Transforms.exp(a.subColumnVector(max), false).mean(1);
        return Transforms.log(s, false).addi(max.reshape(max.length()));
    }

    /** Standard normal noise of the given shape from ND4J's global generator. */
    static INDArray standardNormal(DataType type, long rows, long cols) {
        return Nd4j.randn(type, rows, cols);
    }
}
