package org.dl4jvae.model;

import java.util.function.Supplier;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's native thread counts. By default ND4J runs each element-wise op on a team of threads, which for this model's
 * small ops costs more than it gains on a few cores (1.5 to 2.8 times slower on 2); matrix products still gain from
 * one BLAS thread per core.
 *
 * <p>The exception is a training step whose products all run in oneDNN on every core ({@link OneDnn#takesProducts}):
 * there OpenBLAS's threads, whose spinning made teams of OpenMP threads slow, take no part, and OpenMP's threads are
 * oneDNN's, already awake between its products. Such a step, of either engine, runs its large element-wise ops on one
 * thread per core ({@link #wide}) where a process allows it ({@link #allowWideSteps}).
 */
public final class NativeThreads {

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /**
     * Output values from which an op of a wide step runs on one thread per core (256 x 400 has 102,400): for smaller
     * ones handing half of the work to OpenMP's second thread costs more than it saves.
     */
    public static final long WIDE_MIN = 1 << 16;
    private static volatile boolean wideSteps;

    private NativeThreads() {
    }

    /** Sets the threads of each ND4J (OpenMP) operation and of each matrix product; call before training. */
    public static void configure(int perOp, int blas) {
        Nd4j.getEnvironment().setMaxThreads(perOp);
        Nd4j.getEnvironment().setMaxMasterThreads(perOp);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(perOp);
        Nd4j.factory().blas().setMaxThreads(blas);
    }

    /**
     * Lets training steps whose products run in oneDNN on every core run their large ops on one thread per core
     * ({@link #wide}). Off by default: ND4J's count of threads per op is one for the whole process, and a reduction
     * split over more threads rounds differently, so another thread's ops running meanwhile (Spark's tasks in one JVM,
     * a caller's own threads) could get different numbers. A process that trains on one thread may allow it; the
     * command line does, with its default threads.
     */
    public static void allowWideSteps(boolean allow) {
        wideSteps = allow;
    }

    /** Whether {@link #allowWideSteps} allowed wide steps. */
    public static boolean wideStepsAllowed() {
        return wideSteps;
    }

    /**
     * Runs {@code body} with every ND4J op on one thread per core, then puts back what it found. Both settings are
     * needed: ND4J's count of parts an element-wise op is cut into (its "master threads", one for the process; its
     * "max threads" cannot be set in 1.0.0-M2.1 and is the number of cores) and the calling thread's OpenMP team, which
     * runs those parts. Element-wise ops give the same numbers on any number of threads; reductions round differently.
     */
    public static <T> T wide(Supplier<T> body) {
        Environment env = Nd4j.getEnvironment();
        int parts = env.maxMasterThreads();
        env.setMaxMasterThreads(Math.max(parts, CORES));
        try {
            return withTeam(Math.max(team(), CORES), body);
        } finally {
            env.setMaxMasterThreads(parts);
        }
    }

    /** The calling thread's OpenMP team: the threads its OpenMP regions (oneDNN's ops among them) run on. */
    public static int team() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /**
     * Runs {@code body} with the calling thread's OpenMP team of {@code threads} threads (a setting of each thread),
     * then puts back what it found, also when the body fails.
     */
    public static <T> T withTeam(int threads, Supplier<T> body) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int team = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(threads);
        try {
            return body.get();
        } finally {
            ops.setOmpNumThreads(team);
        }
    }
}
