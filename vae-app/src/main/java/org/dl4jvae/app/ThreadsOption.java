package org.dl4jvae.app;

import org.dl4jvae.model.NativeThreads;
import picocli.CommandLine.Option;

/**
 * {@code --threads N}: ND4J's native threads. By default, on up to 4 cores, ND4J's own (OpenMP) operations run on one
 * thread each: this model's element-wise operations are small, and synchronising a team per operation cost more than
 * it gained (measured: 1.5 to 2 times slower on 2 cores). Matrix products keep one BLAS thread per core, where the
 * second core does help (about 1 ms of a 10 ms step here). Training steps whose products all run in oneDNN run their
 * large operations on one thread per core ({@link NativeThreads#allowWideSteps}), unless {@code --threads} is given.
 */
final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N",
            description = "native threads per ND4J operation and per matrix product "
                    + "(default: 1 per operation and 1 per core for products on up to 4 cores, else ND4J's defaults; "
                    + "models with convolutions multiply on 1; whole training steps of 256 images and more, or of "
                    + "large layers, run their large operations on 1 per core)")
    Integer threads;

    void apply() {
        if (threads != null && threads < 1) {
            throw AppException.usage("--threads must be at least 1");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int ops = threads != null ? threads : cores <= 4 ? 1 : 0;
        if (ops > 0 && System.getenv("OMP_NUM_THREADS") == null) {
            NativeThreads.configure(ops, threads != null ? threads : cores);
            // the commands train and evaluate on one thread
            NativeThreads.allowWideSteps(threads == null);
        }
    }
}
