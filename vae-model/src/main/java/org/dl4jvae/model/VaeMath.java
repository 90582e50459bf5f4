package org.dl4jvae.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The VAE's prior and posterior terms on whole batches, shared by both engines and by evaluation. The per-row terms
 * ({@code [batch]}) are in double precision. The decoder's likelihood is not here: it is part of each model's graph.
 */
public final class VaeMath {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /**
     * Temporary arrays of one training step or evaluation batch go to one reused block of memory, so that they do not
     * each take fresh pages from the system (ND4J frees native memory only when the garbage collector runs).
     */
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.05)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .build();

    /** The workspace ids of {@link #scratch()} and {@link #sampleScratch()}. */
    static final String SCRATCH_ID = "VAE_SCRATCH";
    static final String SAMPLE_SCRATCH_ID = "VAE_SAMPLE_SCRATCH";

    private VaeMath() {
    }

    /**
     * Opens this thread's scratch workspace (close it to end the scope): arrays created inside must not be used after
     * the scope, so only plain numbers (or {@code detach()}ed arrays) may leave it.
     */
    public static MemoryWorkspace scratch() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, SCRATCH_ID);
    }

    /**
     * Opens a second scratch workspace for the temporaries of one sample inside a {@link #scratch()} scope: a loop over
     * samples would otherwise keep every sample's arrays until the outer scope ends (100 samples of a 500-image batch:
     * over a gigabyte). Copy what must outlive the sample into an array created before this scope.
     */
    public static MemoryWorkspace sampleScratch() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, SAMPLE_SCRATCH_ID);
    }

    /** KL(q(z|x) || N(0, I)) = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)). */
    public static INDArray kld(INDArray mu, INDArray logvar) {
        INDArray m = mu.castTo(DataType.DOUBLE);
        INDArray lv = logvar.castTo(DataType.DOUBLE);
        return lv.add(1).subi(m.mul(m)).subi(Transforms.exp(lv, true)).sum(1).muli(-0.5);
    }

    /**
     * A linear layer, {@code x W + b}, as ND4J's native matmul op into a C-ordered result. {@code INDArray.mmul} goes
     * through ND4J's Java BLAS wrapper instead, which multiplies into a fresh Fortran-ordered array and copies it back:
     * a [1000,400] x [400,784] product took 5.7-21 ms that way against 2.2 ms (outside workspaces; the test-set ELBO of
     * a training run went from 0.2-0.37 s to 0.18-0.24 s per epoch).
     */
    public static INDArray linear(INDArray x, INDArray w, INDArray b) {
        INDArray out = Nd4j.createUninitialized(w.dataType(), new long[] {x.rows(), w.columns()}, 'c');
        return Nd4j.gemm(x.castTo(w.dataType()), w, out, false, false, 1.0, 0.0).addiRowVector(b);
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

    /**
     * Seeds ND4J's generator. ND4J 1.0.0-M2.1 takes seed 0 as "no seed" (every run draws other numbers: measured), so
     * 0 is replaced by a fixed constant; every other seed is used as it is.
     */
    public static void seed(long seed) {
        Nd4j.getRandom().setSeed(seed == 0 ? 0x9E3779B97F4A7C15L : seed);
    }

    /** The name of the first array with a NaN or infinite value, or null when all are finite. */
    public static String firstNonFinite(java.util.Map<String, INDArray> arrays) {
        for (java.util.Map.Entry<String, INDArray> e : arrays.entrySet()) {
            INDArray a = e.getValue();
            if (a.length() > 0 && !Double.isFinite(a.castTo(DataType.DOUBLE).sumNumber().doubleValue())) {
                return e.getKey(); // a NaN or an infinity makes the sum NaN or infinite
            }
        }
        return null;
    }

    /** One-hot labels {@code [n, classes]}, row i of class {@code i % classes}. */
    public static INDArray cyclicLabels(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1f);
        }
        return y;
    }
}
