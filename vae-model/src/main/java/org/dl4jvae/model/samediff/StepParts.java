package org.dl4jvae.model.samediff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.dl4jvae.model.OneDnn;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * A training step of a large batch as consecutive parts of the batch run at once, one per core, each part through its
 * own op schedule with every op on one thread; the caller adds up the parts' losses and gradients (a model's loss is a
 * sum over its batch, {@link GraphModel#loss}). Each part reads its rows of the batch and of the step's noise, drawn for
 * the whole batch, so only the rounding of the sums differs from the whole batch in one schedule.
 *
 * <p>Why: run whole, a step's matrix products use every core but each element-wise op one (more threads per op were
 * slower, see the app's {@code --threads}), so at 512 x 400 the second core idled for 8 of 19 ms. In parts, both work
 * throughout and meet once per step instead of at every product.
 *
 * <p>Only batches whose products already run in oneDNN are split (from {@link OneDnn#LARGE_BATCH} rows), so the
 * reference model's numbers at batch 128 stay those of one schedule to the last digit.
 */
final class StepParts {

    /** Batches from this many rows are split: those whose products run in oneDNN anyway. */
    static final long MIN_ROWS = OneDnn.LARGE_BATCH;
    /** No part has fewer rows than this. */
    static final long MIN_PART_ROWS = 256;

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static ExecutorService pool; // CORES - 1 daemon threads, created on first use

    private final Supplier<OpSchedule> newPart;
    private final List<OpSchedule> schedules = new ArrayList<>();

    /** @param newPart a new schedule of the step's function, of its own copy of the graph, in part mode */
    StepParts(Supplier<OpSchedule> newPart) {
        this.newPart = newPart;
    }

    /** How many parts a batch of {@code rows} runs as on {@code cores} cores: 1 (whole) for small batches. */
    static int count(long rows, int cores) {
        if (cores < 2 || rows < MIN_ROWS) {
            return 1;
        }
        return (int) Math.min(cores, rows / MIN_PART_ROWS);
    }

    /** {@link #count} on this machine. */
    static int count(long rows) {
        return count(rows, CORES);
    }

    /**
     * Runs the step in {@code n} parts of {@code rows} rows in all: values whose first dimension is {@code rows} are
     * split by rows, others (a scalar weight) go to every part whole. Returns each part's values in row order (arrays
     * of the part schedules, overwritten by the next run).
     */
    List<Map<String, INDArray>> run(Map<String, INDArray> in, long rows, int n) {
        while (schedules.size() < n) {
            schedules.add(newPart.get());
        }
        List<Map<String, INDArray>> slices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long from = rows * i / n;
            long to = rows * (i + 1) / n;
            Map<String, INDArray> slice = new HashMap<>();
            in.forEach((k, v) -> slice.put(k, v.rank() > 0 && v.size(0) == rows
                    ? v.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()) : v));
            slices.add(slice);
        }
        int team = Math.max(1, CORES / n);
        Environment env = Nd4j.getEnvironment();
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        Blas blas = Nd4j.factory().blas();
        boolean helpers = env.helpersAllowed();
        int blasThreads = blas.getMaxThreads();
        int ompThreads = ops.ompGetMaxThreads(); // OpenMP's team size is the calling thread's own setting
        env.allowHelpers(true); // oneDNN's products (see OneDnn), for all parts at once
        blas.setMaxThreads(1); // in case oneDNN declines a product: OpenBLAS's pool is shared by all parts
        ops.setOmpNumThreads(team);
        List<Future<Map<String, INDArray>>> others = new ArrayList<>(n - 1);
        try {
            for (int i = 1; i < n; i++) {
                OpSchedule s = schedules.get(i);
                Map<String, INDArray> slice = slices.get(i);
                others.add(pool().submit(() -> {
                    ops.setOmpNumThreads(team);
                    return s.run(slice);
                }));
            }
            List<Map<String, INDArray>> out = new ArrayList<>(n);
            out.add(schedules.get(0).run(slices.get(0)));
            for (Future<Map<String, INDArray>> f : others) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a training step", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            for (Future<?> f : others) { // a part may still run when another failed: the settings wait for it
                try {
                    f.get();
                } catch (InterruptedException | ExecutionException | RuntimeException ignored) {
                    // reported above
                }
            }
            ops.setOmpNumThreads(ompThreads);
            blas.setMaxThreads(blasThreads);
            env.allowHelpers(helpers);
        }
    }

    private static synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(Math.max(1, CORES - 1), r -> {
                Thread t = new Thread(r, "samediff-step-part");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }
}
