package org.dl4jvae.app;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs file writing on one background thread while training goes on: an epoch's pictures (PNG encoding, the loss plot)
 * took 0.03-0.3 s of the training thread per epoch. At most one task is pending; the next {@link #submit} or
 * {@link #close} waits for it and rethrows its failure, so an error still stops the run with its own message.
 */
final class BackgroundWriter implements AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vae-writer");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pending = CompletableFuture.completedFuture(null);

    /** Waits for the previous task, then starts this one; the task must not use arrays the caller changes later. */
    void submit(Runnable task) {
        awaitPending();
        pending = thread.submit(task);
    }

    /**
     * For a shutdown hook: gives the pending task up to {@code millis} to finish its file, so that an interrupted run
     * does not leave a temporary file behind.
     */
    void finishQuietly(long millis) {
        try {
            pending.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ignored) {
            // the process is ending; a failed or slow picture is not worth holding it up
        }
    }

    private void awaitPending() {
        try {
            pending.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AppException app) {
                throw app;
            }
            throw AppException.failure("writing files failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AppException.failure("interrupted while writing files");
        }
    }

    /** Waits for the pending task (rethrowing its failure) and stops the thread. */
    @Override
    public void close() {
        try {
            awaitPending();
        } finally {
            thread.shutdown();
        }
    }
}
