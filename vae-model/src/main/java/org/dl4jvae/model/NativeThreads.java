package org.dl4jvae.model;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's native thread counts. By default ND4J runs each element-wise op on a team of threads, which for this model's
 * small ops costs more than it gains on a few cores (1.5 to 2.8 times slower on 2); matrix products still gain from
 * one BLAS thread per core.
 */
public final class NativeThreads {

    private NativeThreads() {
    }

    /** Sets the threads of each ND4J (OpenMP) operation and of each matrix product; call before training. */
    public static void configure(int perOp, int blas) {
        Nd4j.getEnvironment().setMaxThreads(perOp);
        Nd4j.getEnvironment().setMaxMasterThreads(perOp);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(perOp);
        Nd4j.factory().blas().setMaxThreads(blas);
    }
}
