package org.dl4jvae.data;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training iterator: minibatches of features {@code [batch, values]} (float; 8-bit images in [0,1]) and one-hot
 * labels {@code [batch, classes]} (none for an unlabelled set), reshuffled every epoch.
 *
 * <p>The order of epoch {@code e} depends only on the seed and {@code e}, so a resumed run sees the same batches as
 * an uninterrupted one ({@link #setEpoch}). {@link #reset()} moves to the next epoch once a batch of the current
 * one has been served; a reset before the first batch (as DL4J's fit loops do) changes nothing.
 */
public final class MinibatchIterator implements DataSetIterator {

    private static final float[] SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            SCALE[i] = i / 255f;
        }
    }

    private final ImageSet data;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Binarization binarization;
    private final List<String> labelNames;

    private int epoch;
    /** This epoch's order; null until its first batch when the order comes from {@link #permutations}. */
    private int[] order;
    private final java.util.function.IntFunction<int[]> permutations;
    private int cursor;
    private SplittableRandom bernoulli;
    private DataSetPreProcessor preProcessor;
    private final boolean releasePrevious;
    private DataSet previous;
    private float[] stagingBuffer = new float[0];

    private MinibatchIterator(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.binarization = b.binarization;
        this.releasePrevious = b.releasePrevious;
        this.permutations = b.permutations;
        this.labelNames = data.classNames();
        setEpoch(0);
    }

    /** Starts a builder over the given images; defaults: batch 128, seed 1, shuffled, last batch kept. */
    public static Builder builder(ImageSet data) {
        return new Builder(data);
    }

    /** Wraps an iterator so that batches are prepared on a background thread, {@code queueSize} ahead. */
    public static DataSetIterator prefetching(DataSetIterator iterator, int queueSize) {
        return new AsyncDataSetIterator(iterator, queueSize, false);
    }

    /** Positions the iterator at the start of epoch {@code e} (0-based). */
    public void setEpoch(int e) {
        if (e < 0) {
            throw new IllegalArgumentException("epoch must be >= 0: " + e);
        }
        release(previous);
        previous = null;
        epoch = e;
        cursor = 0;
        if (shuffle && permutations != null) {
            order = null; // drawn at the epoch's first batch: setting an epoch twice draws once
        } else {
            order = ImageSet.identity(data.size());
            if (shuffle) {
                ImageSet.shuffle(order, new SplittableRandom(mix(seed, e)));
            }
        }
        bernoulli = new SplittableRandom(mix(~seed, e));
    }

    /** The current epoch, 0-based. */
    public int epoch() {
        return epoch;
    }

    /** Number of batches in one epoch. */
    public int batchesPerEpoch() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Number of images served per epoch (all of them, or a multiple of the batch size with drop-last). */
    public int imagesPerEpoch() {
        return dropLast ? (data.size() / batchSize) * batchSize : data.size();
    }

    @Override
    public boolean hasNext() {
        int left = order().length - cursor;
        return dropLast ? left >= batchSize : left > 0;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " is exhausted; call reset()");
        }
        int b = Math.min(num, order().length - cursor);
        int d = data.imageSize();
        int classes = data.numClasses();
        byte[] pixels = data.pixels();
        float[] values = data.values();
        INDArray f;
        INDArray l;
        if (previous != null && previous.getFeatures().rows() == b && !previous.getFeatures().wasClosed()) {
            // the previous batch is no longer valid: its native buffers are refilled, nothing is allocated
            f = previous.getFeatures();
            l = previous.getLabels();
        } else {
            release(previous);
            // written straight into native buffers: building arrays from Java arrays costs ten times more
            f = Nd4j.createUninitialized(DataType.FLOAT, b, d);
            l = classes == 0 ? null : Nd4j.createUninitialized(DataType.FLOAT, b, classes);
        }
        float[] oneHot = new float[b * classes];
        FloatBuffer features = f.data().asNioFloat();
        float[] staging = stagingBuffer.length >= b * d ? stagingBuffer : (stagingBuffer = new float[b * d]);
        for (int i = 0; i < b; i++) {
            int img = order[cursor + i];
            int src = img * d;
            int dst = i * d;
            if (values != null) {
                System.arraycopy(values, src, staging, dst, d);
            } else {
                for (int p = 0; p < d; p++) {
                    staging[dst + p] = SCALE[pixels[src + p] & 0xff];
                }
            }
            switch (binarization) {
                case NONE -> { }
                case STATIC -> {
                    for (int p = dst; p < dst + d; p++) {
                        staging[p] = staging[p] >= 0.5f ? 1f : 0f;
                    }
                }
                case DYNAMIC -> {
                    for (int p = dst; p < dst + d; p++) {
                        staging[p] = bernoulli.nextFloat() < staging[p] ? 1f : 0f;
                    }
                }
            }
            if (classes > 0) {
                oneHot[i * classes + data.label(img)] = 1f;
            }
        }
        features.put(0, staging, 0, b * d);
        if (l != null) {
            l.data().asNioFloat().put(oneHot);
        }
        cursor += b;
        DataSet ds = new DataSet(f, l);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        if (releasePrevious) {
            previous = ds;
        }
        return ds;
    }

    @Override
    public void reset() {
        if (cursor > 0) {
            setEpoch(epoch + 1);
        }
    }

    @Override
    public int inputColumns() {
        return data.imageSize();
    }

    @Override
    public int totalOutcomes() {
        return data.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return labelNames;
    }

    /** Frees a batch's native memory now instead of when the garbage collector gets to it. */
    private static void release(DataSet ds) {
        if (ds != null) {
            ds.getFeatures().close();
            if (ds.getLabels() != null) {
                ds.getLabels().close();
            }
        }
    }

    private int[] order() {
        if (order == null) {
            int[] p = permutations.apply(data.size());
            if (p.length != data.size()) {
                throw new IllegalStateException("a permutation of " + p.length + " images for a set of " + data.size());
            }
            order = p;
        }
        return order;
    }

    private static long mix(long seed, int epoch) {
        // SplittableRandom's own mixer spreads nearby seeds; the multiplier keeps (seed, epoch) pairs apart
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch).nextLong();
    }

    /** Settings for a {@link MinibatchIterator}. */
    public static final class Builder {
        private final ImageSet data;
        private int batchSize = 128;
        private long seed = 1;
        private boolean shuffle = true;
        private boolean dropLast;
        private Binarization binarization = Binarization.NONE;
        private boolean releasePrevious;
        private java.util.function.IntFunction<int[]> permutations;

        private Builder(ImageSet data) {
            this.data = data;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive: " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Takes each epoch's order from {@code permutations} (given the number of images, once per epoch, when its
         * first batch is served) instead of the seeded shuffle: for a caller whose order comes from a random stream of
         * its own. Such an order depends on the stream, not on the epoch alone.
         */
        public Builder permutations(java.util.function.IntFunction<int[]> permutations) {
            this.permutations = permutations;
            return this;
        }

        public Builder binarization(Binarization binarization) {
            this.binarization = binarization;
            return this;
        }

        /**
         * Makes a batch valid only until the next one is requested: its native buffers are then refilled (or freed
         * on a new epoch), so a consumer that keeps no batch beyond its step iterates without allocating. Not for
         * use with prefetching or with consumers that hold on to batches.
         */
        public Builder releasePrevious(boolean releasePrevious) {
            this.releasePrevious = releasePrevious;
            return this;
        }

        public MinibatchIterator build() {
            return new MinibatchIterator(this);
        }
    }
}
