package org.dl4jvae.model;

import java.util.function.Supplier;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where ND4J's oneDNN kernels run instead of its own. The app keeps ND4J's platform helpers off (see
 * {@link AdamEngine}) and each element-wise op on one thread; both engines switch oneDNN on around the ops where it is
 * faster: convolutions, the matrix products of large steps ({@link #takesProducts}) on every core, and those of small
 * training steps ({@link #smallStep}) on one thread.
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

    /**
     * Training steps of at most this many rows run their matrix products in oneDNN on the calling thread alone
     * ({@link #onThisThread}). On the 2-core machine, against OpenBLAS's products on two threads (which meet at every
     * small product), the SameDiff engine's steps of 32 to 96 rows were faster in 15 of 16 alternating pairs, by up to
     * 1.95 times, and the DL4J engine's of 32 and 64 in 6 of 6 (see the README). The reference model's batches of 128
     * rows and each epoch's last batch of 96 (60,000 images) are above it, so its numbers stay OpenBLAS's to the last
     * digit; evaluation keeps its products where they were for the same reason (its last batch of the test set has 16
     * rows).
     */
    public static final long SMALL_BATCH = 64;

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static volatile boolean allProducts;

    /** Guards {@link #sections} and {@link #before}. */
    private static final Object HELPERS = new Object();
    /** oneDNN sections open now, in all threads. */
    private static int sections;
    /** ND4J's helper switch as the first open section found it. */
    private static boolean before;

    /**
     * Whether a step of {@code batch} rows, whose largest weight matrix has {@code weights} values, runs its matrix
     * products in oneDNN. All of them or none: with some products in OpenBLAS, its threads keep spinning on the cores
     * after each one while oneDNN's wait for them (at 128 x 2048, moving only the large products to oneDNN made a step
     * slower than leaving all in OpenBLAS, 3,717-4,480 against 4,744-4,867 images/s; moving all made it 6,220-6,457).
     */
    public static boolean takesProducts(long batch, long weights) {
        return batch >= LARGE_BATCH || batch * weights >= LARGE_PRODUCT || (allProducts && batch > SMALL_BATCH);
    }

    /**
     * Whether every step of more than {@link #SMALL_BATCH} rows runs its products in oneDNN on every core
     * ({@link #takesProducts}: training steps of both engines, and the SameDiff engine's evaluation), the reference
     * model's batches of 128 rows included; off by default. Off, those keep OpenBLAS's products and with them the
     * reference's numbers to the last digit. On, oneDNN's products round differently and are faster: on the 2-core AMD
     * EPYC machine (2026-12-03, three alternating rounds of 3,000 untimed and 1,000 timed steps at 128 x 400) the
     * SameDiff engine trained 31,311-32,452 images/s instead of 19,471-25,616 and the DL4J engine 22,554-23,727 instead
     * of 15,890-16,704, and 10 epochs of Fashion-MNIST ended at test loss 244.3972 instead of 244.3565 (DL4J: 244.1185
     * instead of 244.1350). Process-wide, as ND4J's own switches; set it before training: a schedule decides where its
     * products run when it first meets a batch's shape.
     */
    public static void takeAllProducts(boolean all) {
        allProducts = all;
    }

    /** Whether a training step of {@code batch} rows runs its products in oneDNN on one thread ({@link #SMALL_BATCH}). */
    public static boolean smallStep(long batch) {
        return batch <= SMALL_BATCH;
    }

    private OneDnn() {
    }

    /**
     * Runs {@code body} with ND4J's platform helpers on, then gives the switch back. The switch is one for the whole
     * process: sections of several threads at once (Spark's tasks in one JVM, a model's parts) share it, and it goes
     * back to what the first found when the last ends, so no thread turns it off under another's products. Ops that
     * must keep ND4J's own kernels meanwhile say so in their own context (the op schedule's do).
     */
    public static <T> T withHelpers(Supplier<T> body) {
        Environment env = Nd4j.getEnvironment();
        synchronized (HELPERS) {
            if (sections++ == 0) {
                before = env.helpersAllowed();
                env.allowHelpers(true);
            }
        }
        try {
            return body.get();
        } finally {
            synchronized (HELPERS) {
                if (--sections == 0) {
                    env.allowHelpers(before);
                }
            }
        }
    }

    /**
     * Runs {@code body} with ND4J's platform helpers on ({@link #withHelpers}), oneDNN's ops on the calling thread's
     * OpenMP team (one thread in the app).
     */
    public static void onThisThread(Runnable body) {
        withHelpers(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body} with ND4J's platform helpers on ({@link #withHelpers}) and this thread's OpenMP team (oneDNN's
     * threads) of one thread per core, then restores the team.
     */
    public static void onEveryCore(Runnable body) {
        // oneDNN's team is OpenMP's, a setting of the calling thread
        NativeThreads.withTeam(Math.max(NativeThreads.team(), CORES), () -> {
            onThisThread(body);
            return null;
        });
    }
}
