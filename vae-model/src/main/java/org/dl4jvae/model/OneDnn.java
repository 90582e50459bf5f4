package org.dl4jvae.model;

import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Where ND4J's oneDNN kernels run instead of its own. The app keeps ND4J's platform helpers off (see
 * {@link AdamEngine}) and each element-wise op on one thread; both engines switch oneDNN on around the ops where it is
 * faster: convolutions, and the matrix products of large steps ({@link #takesProducts}).
 */
public final class OneDnn {

    /**
     * Steps of batches of at least this many rows run all their matrix products in oneDNN on every core: at 512 x 400
     * a SameDiff step's products took 8.4 ms instead of OpenBLAS's 14.2 (ND4J's bundled OpenBLAS 0.3.19 runs Zen 4
     * CPUs with its AVX2 kernels; oneDNN has AVX-512 ones).
     */
    public static final long LARGE_BATCH = 256;
    /**
     * Smaller batches do so when their largest product has at least this many multiply-adds (the batch times the
     * largest weight matrix): 128 x 784 x 2048 has 205 million. The reference model's largest, 128 x 784 x 400, has 40
     * million, so its products stay OpenBLAS's, and with them its numbers to the last digit (oneDNN's products round
     * differently).
     */
    public static final long LARGE_PRODUCT = 64L << 20;

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /**
     * Whether a step of {@code batch} rows, whose largest weight matrix has {@code weights} values, runs its matrix
     * products in oneDNN. All of them or none: with some products in OpenBLAS, its threads keep spinning on the cores
     * after each one while oneDNN's wait for them (at 128 x 2048, moving only the large products to oneDNN made a step
     * slower than leaving all in OpenBLAS, 3,717-4,480 against 4,744-4,867 images/s; moving all made it 6,220-6,457).
     */
    public static boolean takesProducts(long batch, long weights) {
        return batch >= LARGE_BATCH || batch * weights >= LARGE_PRODUCT;
    }

    private OneDnn() {
    }

    /**
     * Runs {@code body} with ND4J's platform helpers on and OpenMP's team (oneDNN's threads) of one thread per core,
     * then restores both.
     */
    public static void onEveryCore(Runnable body) {
        Environment env = Nd4j.getEnvironment();
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int threads = ops.ompGetMaxThreads(); // oneDNN's team is OpenMP's
        boolean helpers = env.helpersAllowed();
        env.allowHelpers(true);
        ops.setOmpNumThreads(Math.max(threads, CORES));
        try {
            body.run();
        } finally {
            env.allowHelpers(helpers);
            ops.setOmpNumThreads(threads);
        }
    }
}
