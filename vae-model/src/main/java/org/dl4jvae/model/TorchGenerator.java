package org.dl4jvae.model;

import java.nio.ByteBuffer;
import java.util.Base64;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's CPU generator, draw for draw: the Mersenne Twister (MT19937) that {@code torch.manual_seed(seed)} seeds,
 * and the ways PyTorch (1.13 to 2.x) turns its 32-bit words into floats and orders:
 * <ul>
 *   <li>{@code Tensor.uniform_(a, b)} on float32: the low 24 bits of a word times 2^-24, scaled in float;</li>
 *   <li>{@code torch.randn} on float32: 16 or more values are Box-Muller pairs within blocks of 16 uniforms (a tail
 *       that is not a whole block redraws the last 16); fewer come one by one from double-precision Box-Muller, whose
 *       second value is kept for the next such draw;</li>
 *   <li>{@code torch.randperm(n)}: a Fisher-Yates shuffle, one word per position.</li>
 * </ul>
 * A run with {@link VaeConfig.Rng#PYTORCH} takes its initial weights, every epoch's order, every step's noise and the
 * test evaluation's noise from one such stream, in the order the PyTorch peer draws them, so that both start from the
 * same weights and see the same batches and noise. Uniform draws and orders are PyTorch's to the bit; normal draws agree
 * to float rounding (PyTorch's vectorised log, sin and cos round differently in the last bit).
 *
 * <p>The generator is written out here rather than taken from a library because a checkpoint must hold its state
 * ({@link #state()}), which no Mersenne Twister on the class path exposes.
 */
public final class TorchGenerator implements Noise {

    private static final int N = 624;
    private static final int M = 397;

    private final int[] mt = new int[N];
    private int index;
    /** The second value of the last double-precision Box-Muller pair, as PyTorch's generator caches it. */
    private double cachedNormal;
    private boolean hasCachedNormal;

    /** The generator {@code torch.manual_seed(seed)} leaves (PyTorch seeds MT19937 with the seed's low 32 bits). */
    public TorchGenerator(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** The next 32-bit word of MT19937, unsigned. */
    long nextWord() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return Integer.toUnsignedLong(y);
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
        }
        index = 0;
    }

    /** A float in [0, 1) as PyTorch's float32 uniform draws it. */
    private float nextUniformFloat() {
        return (nextWord() & 0xFFFFFF) * 0x1p-24f;
    }

    /** {@code torch.empty(n).uniform_(from, to)}. */
    public float[] uniform(int n, double from, double to) {
        float a = (float) from;
        float b = (float) to;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.fma(nextUniformFloat(), b - a, a); // PyTorch's kernel is compiled with fused multiply-add
        }
        return out;
    }

    /** {@code torch.randn(n)} (float32). */
    public float[] normal(int n) {
        float[] d = new float[n];
        if (n < 16) {
            for (int i = 0; i < n; i++) {
                d[i] = (float) nextDoubleNormal();
            }
            return d;
        }
        for (int i = 0; i < n; i++) {
            d[i] = nextUniformFloat();
        }
        for (int i = 0; i + 16 <= n; i += 16) {
            boxMuller16(d, i);
        }
        if (n % 16 != 0) {
            for (int i = n - 16; i < n; i++) {
                d[i] = nextUniformFloat();
            }
            boxMuller16(d, n - 16);
        }
        return d;
    }

    private static void boxMuller16(float[] d, int at) {
        for (int j = at; j < at + 8; j++) {
            float radius = (float) Math.sqrt(-2f * (float) Math.log(1f - d[j]));
            float theta = (float) (2 * Math.PI) * d[j + 8];
            d[j] = radius * (float) Math.cos(theta);
            d[j + 8] = radius * (float) Math.sin(theta);
        }
    }

    private double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextUniformDouble();
        double u2 = nextUniformDouble();
        double r = Math.sqrt(-2.0 * Math.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    private double nextUniformDouble() {
        long hi = nextWord();
        long lo = nextWord();
        return ((hi << 32 | lo) & ((1L << 53) - 1)) * 0x1p-53;
    }

    /** {@code torch.randperm(n)}. */
    public int[] randperm(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (nextWord() % (n - i));
            int t = r[i];
            r[i] = r[z + i];
            r[z + i] = t;
        }
        return r;
    }

    @Override
    public INDArray normal(INDArray out) {
        return fill(out, normal(Math.toIntExact(out.length())));
    }

    @Override
    public INDArray uniform(INDArray out) {
        return fill(out, uniform(Math.toIntExact(out.length()), 0, 1));
    }

    private static INDArray fill(INDArray out, float[] values) {
        return out.assign(Nd4j.createFromArray(values).reshape('c', out.shape()));
    }

    /** The whole state, as text: what a checkpoint keeps so that a resumed run continues the same stream. */
    public String state() {
        ByteBuffer b = ByteBuffer.allocate(4 * N + 4 + 1 + 8);
        for (int v : mt) {
            b.putInt(v);
        }
        b.putInt(index).put((byte) (hasCachedNormal ? 1 : 0)).putDouble(cachedNormal);
        return Base64.getEncoder().encodeToString(b.array());
    }

    /** Continues from a {@link #state()}. */
    public void restore(String state) {
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(Base64.getDecoder().decode(state));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a generator state: " + e.getMessage(), e);
        }
        if (b.remaining() != 4 * N + 4 + 1 + 8) {
            throw new IllegalArgumentException("not a generator state: " + b.remaining() + " bytes");
        }
        for (int i = 0; i < N; i++) {
            mt[i] = b.getInt();
        }
        index = b.getInt();
        hasCachedNormal = b.get() != 0;
        cachedNormal = b.getDouble();
        if (index < 0 || index > N) {
            throw new IllegalArgumentException("not a generator state: position " + index);
        }
    }

    @Override
    public String toString() {
        return "pytorch";
    }
}
