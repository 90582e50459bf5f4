package org.dl4jvae.bench;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** The thread settings vae-app runs with on a few cores: one thread per ND4J op, one BLAS thread per core. */
final class Threads {

    private Threads() {
    }

    static void likeTheApp() {
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
        Nd4j.factory().blas().setMaxThreads(Runtime.getRuntime().availableProcessors());
    }
}
