package org.dl4jvae.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What both engines share around their own gradients: the configuration, Adam over the weights (this toolkit's
 * {@link AdamOptimizer}, its step count kept with the model), the learning rate and gradient clipping.
 */
public abstract class AdamEngine implements VaeEngine {

    static {
        // ND4J's CPU build with oneDNN (see the parent pom) would route every op it has a kernel for through oneDNN,
        // matrix products included, which changes the reference model's numbers in their last digits. Platform
        // helpers are off; the SameDiff runtime turns them on around convolutions only (OpSchedule).
        org.nd4j.linalg.factory.Nd4j.getEnvironment().allowHelpers(false);
    }

    private VaeConfig config;
    /** Adam's moments, one slot per weight array. */
    protected final AdamOptimizer adam;
    /** Steps taken, from 0 (Adam's bias correction; saved with the model). */
    protected int iteration;
    private double clipNorm;
    private double lastGradientNorm = Double.NaN;

    /** @param sizes the number of values of each weight array, in Adam's slot order */
    protected AdamEngine(VaeConfig config, long... sizes) {
        this.config = config;
        this.adam = new AdamOptimizer(config.learningRate(), sizes);
    }

    @Override
    public final VaeConfig config() {
        return config;
    }

    @Override
    public final void setLearningRate(double learningRate) {
        config = config.withLearningRate(learningRate);
        setStepSize(learningRate);
    }

    @Override
    public final void setStepSize(double learningRate) {
        adam.setLearningRate(learningRate);
    }

    @Override
    public final double stepSize() {
        return adam.learningRate();
    }

    @Override
    public final int steps() {
        return iteration;
    }

    @Override
    public final double trainStep(INDArray x, INDArray labels) {
        Gradient g = gradient(x, labels);
        applyGradient(g.arrays(), x.rows());
        return g.loss();
    }

    /**
     * Every training gradient, {@link #trainStep}'s or a caller's own (Spark's workers that send gradients), first
     * holds the process to its resident-memory bound ({@link NativeMemory#checkResident}), then is the engine's own.
     */
    @Override
    public final Gradient gradient(INDArray x, INDArray labels) {
        NativeMemory.checkResident();
        return stepGradient(x, labels);
    }

    /** The engine's gradient of the summed loss of a batch and the loss ({@link VaeEngine#gradient}). */
    protected abstract Gradient stepGradient(INDArray x, INDArray labels);

    @Override
    public final void setClipNorm(double maxNorm) {
        this.clipNorm = maxNorm;
    }

    @Override
    public final double lastGradientNorm() {
        return lastGradientNorm;
    }

    /**
     * The factor that brings a gradient of global norm {@code norm} (of the summed loss) down to the clipping norm: 1
     * when not clipping or below it. The norm is computed only when clipping.
     */
    protected final double clipFactor(java.util.function.DoubleSupplier norm) {
        if (clipNorm <= 0) {
            return 1.0;
        }
        lastGradientNorm = norm.getAsDouble();
        return lastGradientNorm > clipNorm ? clipNorm / lastGradientNorm : 1.0;
    }
}
