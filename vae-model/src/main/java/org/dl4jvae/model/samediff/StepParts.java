package org.dl4jvae.model.samediff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.dl4jvae.model.NativeThreads;
import org.dl4jvae.model.OneDnn;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A training step of a large batch as consecutive parts of the batch computed at once, one per core, each part through
 * its own op schedule (of its own copy of the training graph) with every op on one thread; the runtime adds up the
 * parts' losses and gradients (a model's loss is a sum over its batch, {@link GraphModel#loss}). Each part reads its
 * rows of the batch and of the step's noise, drawn for the whole batch, so only the rounding of the sums differs from
 * the whole batch in one schedule.
 *
 * <p>Why: run whole, a step's matrix products use every core but each element-wise op one (more threads per op were
 * slower, see the app's {@code --threads}), so at 512 x 400 the second core idled through the 8 ms of element-wise
 * ops of a 19 ms step. In parts, both cores work throughout and meet once per step instead of at every product.
 *
 * <p>Only batches whose products already run in oneDNN are split ({@link OneDnn#LARGE_BATCH} rows and more), so the
 * reference model's numbers at batch 128 stay what they are to the last digit. Parts of fewer than
 * {@link #MIN_PART_ROWS} rows lost to the whole batch (256 rows as two parts: 19,760-23,283 against 26,114-27,059
 * images/s, 2-core machine), so batches below 512 rows stay whole there. The DL4J layer engine does not split its
 * steps: two 256-row halves of its layer at once took 21-25 ms each, more than a whole 256-row step alone.
 */
final class StepParts {

    /** No part has fewer rows than this. */
    static final long MIN_PART_ROWS = 256;

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static ExecutorService pool; // CORES - 1 daemon threads, created on first use

    /** How many parts a batch of {@code rows} runs as on {@code cores} cores: 1 (whole) for small batches. */
    static int count(long rows, int cores) {
        if (cores < 2 || rows < OneDnn.LARGE_BATCH) {
            return 1;
        }
        return (int) Math.max(1, Math.min(cores, rows / MIN_PART_ROWS));
    }

    /** {@link #count} on this machine. */
    static int count(long rows) {
        return count(rows, CORES);
    }

    /**
     * Part {@code i} of {@code n} of an array whose first dimension is {@code rows} (a view of its rows); any other
     * array (a scalar setting) whole.
     */
    static INDArray slice(INDArray a, long rows, int i, int n) {
        if (a.rank() == 0 || a.size(0) != rows) {
            return a;
        }
        long from = rows * i / n;
        long to = rows * (i + 1) / n;
        return a.rank() == 1 ? a.get(NDArrayIndex.interval(from, to))
                : a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    /**
     * Computes {@code n} parts at once: part 0 on the calling thread, the others on threads of a pool, each with
     * oneDNN's ops on a team of cores / n threads, with ND4J's platform helpers on for all parts at once
     * ({@link OneDnn#withHelpers}: oneDNN's products). Returns the parts' results in order; the settings are restored,
     * also when a part fails.
     */
    static <T> List<T> run(int n, IntFunction<T> part) {
        int team = Math.max(1, CORES / n);
        return OneDnn.withHelpers(() -> NativeThreads.withTeam(team, () -> runParts(n, team, part)));
    }

    private static <T> List<T> runParts(int n, int team, IntFunction<T> part) {
        List<Future<T>> others = new ArrayList<>(n - 1);
        try {
            for (int i = 1; i < n; i++) {
                int index = i;
                // OpenMP's team is each thread's own setting
                Callable<T> task = () -> NativeThreads.withTeam(team, () -> part.apply(index));
                others.add(pool().submit(task));
            }
            List<T> out = new ArrayList<>(n);
            out.add(part.apply(0));
            for (Future<T> f : others) {
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
        }
    }

    private static synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(Math.max(1, CORES - 1), r -> {
                Thread t = new Thread(r, "vae-step-part");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    private final Supplier<OpSchedule> newPart;
    private final List<OpSchedule> schedules = new ArrayList<>();

    /** @param newPart a new schedule of the step's function, of its own copy of the graph, in part mode */
    StepParts(Supplier<OpSchedule> newPart) {
        this.newPart = newPart;
    }

    /**
     * Runs the step in {@code n} parts of {@code rows} rows in all ({@link #slice}). Returns each part's values in row
     * order (arrays of the part schedules, overwritten by the next run).
     */
    List<Map<String, INDArray>> run(Map<String, INDArray> in, long rows, int n) {
        while (schedules.size() < n) {
            schedules.add(newPart.get());
        }
        List<Map<String, INDArray>> slices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int part = i;
            Map<String, INDArray> slice = new HashMap<>();
            in.forEach((k, v) -> slice.put(k, slice(v, rows, part, n)));
            slices.add(slice);
        }
        return run(n, i -> schedules.get(i).run(slices.get(i)));
    }
}
