package org.dl4jvae.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/** The Java Adam against ND4J's own Adam updater, step for step. */
class AdamOptimizerTest {

    @Test
    void sameStepsAsNd4jsAdamOnAViewOfALargerArray() {
        Nd4j.getRandom().setSeed(1);
        // the parameter is a view at an offset, as DL4J's flattened parameters are
        INDArray all = Nd4j.rand(DataType.FLOAT, 1, 100);
        INDArray param = all.get(NDArrayIndex.point(0), NDArrayIndex.interval(40, 90));
        INDArray reference = param.dup();
        AdamUpdater nd4j = new AdamUpdater(new Adam(1e-2));
        nd4j.setStateViewArray(Nd4j.zeros(DataType.FLOAT, 1, 100), reference.shape(), 'c', true);
        AdamOptimizer adam = new AdamOptimizer(1e-2, 50);
        INDArray before = all.dup();
        for (int it = 0; it < 20; it++) {
            INDArray grad = Nd4j.randn(DataType.FLOAT, 50).mul(it % 3 + 0.5);
            adam.step(0, param, grad, it);
            INDArray update = grad.dup();
            nd4j.applyUpdater(update, it, 0);
            reference.subi(update);
            assertTrue(reference.equalsWithEps(param, 1e-6), "step " + it + ": " + reference + " vs " + param);
        }
        // nothing outside the view was touched
        assertEquals(before.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 40)),
                all.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 40)));
        assertEquals(before.get(NDArrayIndex.point(0), NDArrayIndex.interval(90, 100)),
                all.get(NDArrayIndex.point(0), NDArrayIndex.interval(90, 100)));
        assertNotEquals(before.get(NDArrayIndex.point(0), NDArrayIndex.interval(40, 90)), param);
    }

    @Test
    void largeArraysSplitAcrossThreadsWithAGradientScaleMatchNd4jsAdam() {
        int n = 200_003; // above the split threshold, not a multiple of the part count
        Nd4j.getRandom().setSeed(2);
        INDArray param = Nd4j.rand(DataType.FLOAT, 1, n);
        INDArray reference = param.dup();
        AdamUpdater nd4j = new AdamUpdater(new Adam(1e-3));
        nd4j.setStateViewArray(Nd4j.zeros(DataType.FLOAT, 1, 2 * n), reference.shape(), 'c', true);
        AdamOptimizer adam = new AdamOptimizer(1e-3, n);
        for (int it = 0; it < 3; it++) {
            INDArray grad = Nd4j.randn(DataType.FLOAT, 1, n);
            adam.step(0, param, grad, 0.25, it);
            INDArray update = grad.mul(0.25);
            nd4j.applyUpdater(update, it, 0);
            reference.subi(update);
        }
        assertTrue(reference.equalsWithEps(param, 1e-6));
        assertTrue(nd4j.getState().get("M").reshape(1, n).equalsWithEps(adam.state(0).get(
                NDArrayIndex.point(0), NDArrayIndex.interval(0, n)).reshape(1, n), 1e-7));
        AdamOptimizer restored = new AdamOptimizer(1e-3, n);
        restored.setState(0, adam.state(0));
        assertEquals(adam.state(0), restored.state(0));
    }

    @Test
    void theGpuPathThroughNd4jsOpGivesTheSameStepsAndState() {
        int n = 70_001;
        Nd4j.getRandom().setSeed(5);
        INDArray host = Nd4j.rand(DataType.FLOAT, 1, n);
        INDArray dev = host.dup();
        AdamOptimizer a = new AdamOptimizer(1e-3, false, 3, n);
        AdamOptimizer b = new AdamOptimizer(1e-3, true, 3, n);
        for (int it = 0; it < 4; it++) {
            INDArray grad = Nd4j.randn(DataType.FLOAT, 1, n);
            a.step(1, host, grad.dup(), 0.5, it);
            b.step(1, dev, grad.dup(), 0.5, it);
        }
        assertTrue(host.equalsWithEps(dev, 1e-6));
        assertTrue(a.state(1).equalsWithEps(b.state(1), 1e-7));
        AdamOptimizer c = new AdamOptimizer(1e-3, true, 3, n);
        c.setState(1, a.state(1));
        assertTrue(a.state(1).equalsWithEps(c.state(1), 0));
    }

    @Test
    void stateRoundTripsInDl4jsLayout() {
        AdamOptimizer a = new AdamOptimizer(1e-3, 3);
        INDArray p = Nd4j.createFromArray(1f, 2f, 3f);
        a.step(0, p, Nd4j.createFromArray(0.5f, -1f, 2f), 0);
        INDArray state = a.state(0);
        assertArrayEquals(new long[] {1, 6}, state.shape());
        assertEquals(0.05f, state.getFloat(0), 1e-7); // m = (1 - 0.9) g
        assertEquals(0.004f, state.getFloat(5), 1e-7); // v = (1 - 0.999) g^2
        AdamOptimizer b = new AdamOptimizer(1e-3, 3);
        b.setState(0, state);
        INDArray p1 = p.dup();
        INDArray p2 = p.dup();
        INDArray g = Nd4j.createFromArray(0.1f, 0.2f, -0.3f);
        a.step(0, p1, g, 1);
        b.step(0, p2, g, 1);
        assertEquals(p1, p2);
        assertThrows(IllegalArgumentException.class, () -> b.setState(0, Nd4j.zeros(DataType.FLOAT, 1, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> a.step(0, Nd4j.zeros(DataType.DOUBLE, 3), Nd4j.zeros(DataType.DOUBLE, 3), 2));
    }

    @Test
    void momentsOfParametersWithoutGradientNeverBecomeSubnormal() {
        // elements 0 and 1 get a gradient at the first step only, like the weights of a pixel blank in all images
        AdamOptimizer adam = new AdamOptimizer(1e-3, 4);
        INDArray param = Nd4j.createFromArray(0.5f, -0.25f, 0.125f, 1f);
        INDArray reference = param.dup();
        AdamUpdater nd4j = new AdamUpdater(new Adam(1e-3));
        nd4j.setStateViewArray(Nd4j.zeros(DataType.FLOAT, 1, 8), reference.shape(), 'c', true);
        int steps = 120_000; // v decays by 0.999 per step: subnormal after about 67,000 steps
        for (int it = 0; it < steps; it++) {
            INDArray grad = it == 0 ? Nd4j.createFromArray(1e-3f, -2f, 0.5f, 3f)
                    : Nd4j.createFromArray(0f, 0f, (float) Math.sin(it), 1e-2f);
            adam.step(0, param, grad, it);
            if (it < 3000) { // ND4J's op keeps the subnormals; the parameters must not notice the difference
                INDArray update = grad.dup();
                nd4j.applyUpdater(update, it, 0);
                reference.subi(update);
                assertTrue(reference.equalsWithEps(param, 1e-6), "step " + it + ": " + reference + " vs " + param);
            }
        }
        float[] state = adam.state(0).data().asFloat(); // m0 m1 m2 m3 v0 v1 v2 v3
        for (int k : new int[] {0, 1, 4, 5}) { // they come to rest at a few units of 2^-103 (m) or 2^-123 (v)
            assertTrue(Math.abs(state[k]) < 1e-30, "moment " + k + " of a parameter without gradient: " + state[k]);
        }
        for (float x : state) {
            assertFalse(x != 0 && Math.abs(x) < Float.MIN_NORMAL, "subnormal moment " + x);
        }
        assertTrue(state[6] > 0.1f && state[7] > 0, "moments of parameters with gradients stay");
    }
}
