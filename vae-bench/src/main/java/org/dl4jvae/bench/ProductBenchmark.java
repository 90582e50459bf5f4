package org.dl4jvae.bench;

import java.util.concurrent.TimeUnit;
import org.dl4jvae.model.VaeMath;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The decoder's output layer on an evaluation batch, {@code [rows,400] x [400,784] + b}: {@code INDArray.mmul} (ND4J's
 * Java BLAS wrapper, through a Fortran-ordered temporary) against {@link VaeMath#linear} (ND4J's native matmul op),
 * with fresh arrays and inside the scratch workspace evaluation uses.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ProductBenchmark extends HotPiece {

    @Param({"128", "1000"})
    int rows;

    private INDArray h;
    private INDArray w;
    private INDArray b;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        h = Nd4j.rand(DataType.FLOAT, rows, 400);
        w = Nd4j.rand(DataType.FLOAT, 400, 784);
        b = Nd4j.rand(DataType.FLOAT, 784);
    }

    @Benchmark
    public double mmul() {
        INDArray out = h.mmul(w).addiRowVector(b);
        return out.getDouble(0);
    }

    @Benchmark
    public double linear() {
        return VaeMath.linear(h, w, b).getDouble(0);
    }

    @Benchmark
    public double mmulInWorkspace() {
        try (MemoryWorkspace ws = VaeMath.scratch()) {
            return h.mmul(w).addiRowVector(b).getDouble(0);
        }
    }

    @Benchmark
    public double linearInWorkspace() {
        try (MemoryWorkspace ws = VaeMath.scratch()) {
            return VaeMath.linear(h, w, b).getDouble(0);
        }
    }
}
