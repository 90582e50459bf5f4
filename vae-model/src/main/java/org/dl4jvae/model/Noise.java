package org.dl4jvae.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a model's random draws come from while it trains: ND4J's global generator ({@link #ND4J}, seeded again for
 * every epoch and every evaluation) or a run's own {@link TorchGenerator} ({@link VaeConfig.Rng#PYTORCH}).
 */
public interface Noise {

    /** Fills {@code out} with N(0, 1) draws and returns it. */
    INDArray normal(INDArray out);

    /** Fills {@code out} with U(0, 1) draws and returns it. */
    INDArray uniform(INDArray out);

    /** A new {@code [rows, cols]} array of N(0, 1) draws. */
    default INDArray standardNormal(DataType type, long rows, long cols) {
        return normal(Nd4j.createUninitialized(type, rows, cols));
    }

    /** ND4J's global generator, as {@link VaeMath#seed} last seeded it. */
    Noise ND4J = new Noise() {
        @Override
        public INDArray normal(INDArray out) {
            return Nd4j.randn(out);
        }

        @Override
        public INDArray uniform(INDArray out) {
            return Nd4j.rand(out);
        }

        @Override
        public INDArray standardNormal(DataType type, long rows, long cols) {
            return Nd4j.randn(type, rows, cols);
        }

        @Override
        public String toString() {
            return "nd4j";
        }
    };
}
