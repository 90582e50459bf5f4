package org.dl4jvae.model;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Adam (Kingma and Ba) over parameter arrays held by ND4J, with the same update as ND4J's own {@code adam_updater}
 * op: {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)}.
 *
 * <p>Why not ND4J's op: in 1.0.0-M2.1 it takes about 2 ms per 313,600-element tensor on one core, where the same
 * loop over Java arrays takes about 0.11 ms (measured on this project's CPU machine); with two such tensors per step
 * it was a fifth of a training step. The moments live on the Java heap; gradients and parameters are copied in and
 * out with bulk copies. The update is memory-bound, so large arrays are split into parts updated in parallel, one
 * per core, each part with arrays of its own (which the JIT vectorises).
 *
 * <p>On a GPU backend the arrays live in device memory, where ND4J's op is the right tool and copies to the host
 * would cost more than they save: there each slot keeps its moments in ND4J's {@code AdamUpdater} (same update, same
 * state layout).
 *
 * <p>One instance serves a fixed list of parameter arrays, each with its own slot of moments.
 */
public final class AdamOptimizer {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final double EPSILON = 1e-8;
    /**
     * Moments whose gradient stays zero (weights of pixels that are blank in every image, units that never fire) decay
     * by b1 or b2 per step into subnormal floats and stay there: 0.9 times a few units in the last place rounds back
     * to itself. x86 cores take a microcode assist for each subnormal operand (Java cannot set flush-to-zero), which
     * made this loop about 25 times slower once a quarter of fc1's moments were subnormal: training slowed epoch by
     * epoch. {@code (x + c) - c} rounds x to a multiple of the last place of c (2^-103 for m, 2^-123 for v, both
     * normal), so a decaying moment comes to rest at a few of those units or at 0, never subnormal, in a form the JIT
     * still vectorises (a branch is not: 4 times slower). It leaves every |m| from 2^-55 and v from 2^-75 as it is;
     * what it rounds away is far below the last place of any update m / (sqrt(v) + eps), eps = 1e-8.
     */
    private static final float FLUSH_M = 0x1p-80f;
    private static final float FLUSH_V = 0x1p-100f;
    /** Arrays below this size are not worth splitting across threads. */
    private static final int PARALLEL_MIN = 1 << 16;

    private double learningRate;
    private final long[] sizes;
    /** The host path's moments, per slot; null on a GPU backend. */
    private final Part[][] slots;
    /** Non-null on a GPU backend: ND4J's Adam per slot, its state in device memory. */
    private final AdamUpdater[] device;

    /** A contiguous range of one parameter array, with its moments and scratch copies of parameter and gradient. */
    private record Part(int from, float[] m, float[] v, float[] p, float[] g) {
        int length() {
            return m.length;
        }
    }

    /** @param sizes the number of elements of each parameter array, in slot order */
    public AdamOptimizer(double learningRate, long... sizes) {
        this(learningRate, !Nd4j.getEnvironment().isCPU(), sizes);
    }

    /** @param onDevice whether to keep the state in ND4J arrays and use ND4J's op (chosen by backend; for tests) */
    AdamOptimizer(double learningRate, boolean onDevice, long... sizes) {
        this.learningRate = learningRate;
        this.sizes = sizes.clone();
        if (onDevice) {
            this.device = new AdamUpdater[sizes.length];
            this.slots = null;
            for (int i = 0; i < sizes.length; i++) {
                device[i] = new AdamUpdater(new Adam(learningRate));
                device[i].setStateViewArray(Nd4j.zeros(DataType.FLOAT, 1, 2 * sizes[i]), new long[] {1, sizes[i]}, 'c', true);
            }
            return;
        }
        this.device = null;
        int cores = Runtime.getRuntime().availableProcessors();
        this.slots = new Part[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            int n = Math.toIntExact(sizes[i]);
            int parts = n >= PARALLEL_MIN ? Math.min(cores, 8) : 1;
            slots[i] = new Part[parts];
            for (int k = 0; k < parts; k++) {
                int from = (int) ((long) n * k / parts);
                int len = (int) ((long) n * (k + 1) / parts) - from;
                slots[i][k] = new Part(from, new float[len], new float[len], new float[len], new float[len]);
            }
        }
    }

    /** Changes the step size from the next step on; the moments and the step count stay. */
    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
        if (device != null) {
            for (AdamUpdater u : device) {
                ((Adam) u.getConfig()).setLearningRate(learningRate);
            }
        }
    }

    /** The step size of the next steps. */
    public double learningRate() {
        return learningRate;
    }

    private int size(int slot) {
        return (int) sizes[slot];
    }

    /**
     * One Adam step on {@code param} (slot {@code slot}) from {@code grad * gradientScale}; {@code iteration} counts
     * from 0. Both arrays must be contiguous float arrays of the slot's size, in the same order.
     */
    public void step(int slot, INDArray param, INDArray grad, double gradientScale, int iteration) {
        int n = size(slot);
        if (param.ordering() != grad.ordering() && !param.isVector()) {
            throw new IllegalArgumentException("parameter and gradient differ in ordering");
        }
        if (device != null) { // the update replaces the gradient in place, as DL4J's updaters do
            INDArray g = grad.reshape(1, n);
            if (gradientScale != 1.0) {
                g.muli(gradientScale);
            }
            device[slot].applyUpdater(g, iteration, 0);
            param.reshape(1, n).subi(g);
            return;
        }
        FloatBuffer pb = buffer(param, n);
        FloatBuffer gb = buffer(grad, n);
        double t = iteration + 1.0;
        float alpha = (float) (learningRate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t)));
        float scale = (float) gradientScale;
        Part[] parts = slots[slot];
        if (parts.length == 1) {
            update(parts[0], pb, gb, alpha, scale);
        } else {
            IntStream.range(0, parts.length).parallel().forEach(k -> update(parts[k], pb, gb, alpha, scale));
        }
    }

    /** {@link #step(int, INDArray, INDArray, double, int)} with the gradient as it is. */
    public void step(int slot, INDArray param, INDArray grad, int iteration) {
        step(slot, param, grad, 1.0, iteration);
    }

    private static void update(Part part, FloatBuffer pb, FloatBuffer gb, float alpha, float scale) {
        int n = part.length();
        float[] m = part.m();
        float[] v = part.v();
        float[] p = part.p();
        float[] g = part.g();
        pb.get(part.from(), p, 0, n);
        gb.get(part.from(), g, 0, n);
        float eps = (float) EPSILON;
        for (int k = 0; k < n; k++) {
            float gk = g[k] * scale;
            float mk = BETA1 * m[k] + gk * (1 - BETA1);
            float vk = BETA2 * v[k] + gk * gk * (1 - BETA2);
            m[k] = (mk + FLUSH_M) - FLUSH_M;
            v[k] = (vk + FLUSH_V) - FLUSH_V;
            p[k] -= mk * alpha / ((float) Math.sqrt(vk) + eps);
        }
        pb.put(part.from(), p, 0, n);
    }

    /** The moments of a slot as one {@code [1, 2 * size]} array, m then v (the layout of DL4J's Adam state view). */
    public INDArray state(int slot) {
        int n = size(slot);
        if (device != null) {
            INDArray both = Nd4j.create(DataType.FLOAT, 1, 2L * n);
            both.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, n)).assign(device[slot].getState().get("M").reshape(n));
            both.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2L * n)).assign(device[slot].getState().get("V").reshape(n));
            return both;
        }
        float[] both = new float[2 * n];
        for (Part part : slots[slot]) {
            System.arraycopy(part.m(), 0, both, part.from(), part.length());
            System.arraycopy(part.v(), 0, both, n + part.from(), part.length());
        }
        return Nd4j.create(both, new long[] {1, 2L * n}, DataType.FLOAT);
    }

    /** Restores a slot's moments from an array written by {@link #state(int)}. */
    public void setState(int slot, INDArray state) {
        int n = size(slot);
        if (state.length() != 2L * n) {
            throw new IllegalArgumentException("Adam state of " + state.length() + " values, expected " + 2L * n);
        }
        if (device != null) {
            INDArray flat = state.castTo(DataType.FLOAT).reshape(2L * n);
            device[slot].getState().get("M").assign(flat.get(NDArrayIndex.interval(0, n)).reshape(1, n));
            device[slot].getState().get("V").assign(flat.get(NDArrayIndex.interval(n, 2L * n)).reshape(1, n));
            return;
        }
        float[] both = state.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (Part part : slots[slot]) {
            System.arraycopy(both, part.from(), part.m(), 0, part.length());
            System.arraycopy(both, n + part.from(), part.v(), 0, part.length());
        }
    }

    /** A view of the array's memory from its first element; the array must be a contiguous float array. */
    private static FloatBuffer buffer(INDArray a, int n) {
        if (a.dataType() != DataType.FLOAT || a.length() != n || a.elementWiseStride() != 1) {
            throw new IllegalArgumentException("Adam needs contiguous float arrays of " + n + " elements, got "
                    + a.shapeInfoToString());
        }
        FloatBuffer all = a.data().asNioFloat();
        all.position(Math.toIntExact(a.offset()));
        return all.slice();
    }
}
