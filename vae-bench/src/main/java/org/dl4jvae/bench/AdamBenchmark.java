package org.dl4jvae.bench;

import java.util.concurrent.TimeUnit;
import org.dl4jvae.model.AdamOptimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * One Adam step on fc1's weights (784 x 400 = 313,600 floats): this toolkit's {@link AdamOptimizer} against ND4J's
 * {@code AdamUpdater} (the {@code adam_updater} op), each applied to its own copy of the parameters.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdamBenchmark extends HotPiece {

    private static final int N = 784 * 400;

    private INDArray grad;
    private INDArray ours;
    private INDArray theirs;
    private AdamOptimizer adam;
    private AdamUpdater nd4j;
    private int iteration;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        grad = Nd4j.randn(DataType.FLOAT, 1, N).muli(1e-3);
        ours = Nd4j.rand(DataType.FLOAT, 1, N);
        theirs = ours.dup();
        adam = new AdamOptimizer(1e-3, N);
        nd4j = new AdamUpdater(new Adam(1e-3));
        nd4j.setStateViewArray(Nd4j.zeros(DataType.FLOAT, 1, 2 * N), new long[] {1, N}, 'c', true);
    }

    @Benchmark
    public INDArray adamOptimizer() {
        adam.step(0, ours, grad, iteration++);
        return ours;
    }

    @Benchmark
    public INDArray nd4jAdamUpdater() {
        INDArray update = grad.dup();
        nd4j.applyUpdater(update, iteration++, 0);
        return theirs.subi(update);
    }
}
