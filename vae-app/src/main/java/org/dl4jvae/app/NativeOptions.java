package org.dl4jvae.app;

import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.OneDnn;
import picocli.CommandLine.Option;

/**
 * Where ND4J's native work runs: {@code --threads N} and {@code --products auto|onednn}.
 *
 * <p>By default, on up to 4 cores, ND4J's own (OpenMP) operations run on one thread each: this model's element-wise
 * operations are small, and synchronising a team per operation cost more than it gained (measured: 1.5 to 2 times
 * slower on 2 cores). Matrix products keep one BLAS thread per core, where the second core does help (about 1 ms of a
 * 10 ms step here). Training steps whose products all run in oneDNN run their large operations on one thread per core
 * ({@link NativeThreads#allowWideSteps}), unless {@code --threads} is given.
 *
 * <p>{@code --products onednn} trades the reference's last digits for speed ({@link OneDnn#takeAllProducts}); like
 * {@code --threads}, it is a setting of the process, not of the run: config.json records it among the environment's
 * facts, and a resumed run takes it again from the command line.
 */
final class NativeOptions {

    @Option(names = "--threads", paramLabel = "N",
            description = "native threads per ND4J operation and per matrix product "
                    + "(default: 1 per operation and 1 per core for products on up to 4 cores, else ND4J's defaults; "
                    + "models with convolutions multiply on 1; whole training steps of 256 images and more, or of "
                    + "large layers, run their large operations on 1 per core)")
    Integer threads;

    @Option(names = "--products", paramLabel = "WHERE", defaultValue = "auto",
            description = "where matrix products run: auto (default: OpenBLAS for batches of 65-255 rows of layers "
                    + "below 64M multiply-adds, so that the reference model's numbers match to the last digit; "
                    + "oneDNN elsewhere) or onednn (oneDNN for every batch over 64 rows: the reference model trained "
                    + "1.3-1.6 times as fast on a 2-core AMD EPYC, and its losses moved in the 5th significant digit)")
    String products;

    void apply() {
        if (threads != null && threads < 1) {
            throw AppException.usage("--threads must be at least 1");
        }
        if (!products.equals("auto") && !products.equals("onednn")) {
            throw AppException.usage("--products must be auto or onednn, got '" + products + "'");
        }
        OneDnn.takeAllProducts(products.equals("onednn"));
        int cores = Runtime.getRuntime().availableProcessors();
        int ops = threads != null ? threads : cores <= 4 ? 1 : 0;
        if (ops > 0 && System.getenv("OMP_NUM_THREADS") == null) {
            NativeThreads.configure(ops, threads != null ? threads : cores);
            // the commands train and evaluate on one thread
            NativeThreads.allowWideSteps(threads == null);
        }
    }

    /** {@code --products} as given (auto or onednn), for the run's record. */
    String products() {
        return products;
    }
}
