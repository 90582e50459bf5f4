package org.dl4jvae.bench;

import org.dl4jvae.model.NativeMemory;
import org.dl4jvae.model.NativeThreads;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The settings every benchmark here shares (JMH inherits them; a subclass may override one): average time per call,
 * one fork, and ND4J's threads and the allocator as vae-app sets them on a few cores (one thread per op, one BLAS
 * thread per core, freed native memory kept for reuse).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public abstract class HotPiece {

    @Setup
    public void threadsLikeTheApp() {
        NativeThreads.configure(1, Runtime.getRuntime().availableProcessors());
        NativeMemory.keepFreedMemory();
    }
}
