package org.dl4jvae.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

class MinibatchIteratorTest {

    /** 50 images of 4x4 whose first pixel encodes the image index, so batches reveal the order. */
    static ImageSet data(int n) {
        byte[] pixels = new byte[n * 16];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            pixels[i * 16] = (byte) i;
            for (int p = 1; p < 16; p++) {
                pixels[i * 16 + p] = (byte) (p * 16);
            }
            labels[i] = (byte) (i % 10);
        }
        return new ImageSet(4, 4, 10, pixels, labels);
    }

    static List<Integer> order(DataSetIterator it) {
        List<Integer> ids = new ArrayList<>();
        while (it.hasNext()) {
            INDArray f = it.next().getFeatures();
            for (int r = 0; r < f.rows(); r++) {
                ids.add(Math.round(f.getFloat(r, 0) * 255f));
            }
        }
        return ids;
    }

    @Test
    void batchesHaveTheContractShapesAndValues() {
        MinibatchIterator it = MinibatchIterator.builder(data(50)).batchSize(16).build();
        DataSet ds = it.next();
        assertArrayEquals(new long[] {16, 16}, ds.getFeatures().shape());
        assertArrayEquals(new long[] {16, 10}, ds.getLabels().shape());
        assertEquals(DataType.FLOAT, ds.getFeatures().dataType());
        for (int r = 0; r < 16; r++) {
            int id = Math.round(ds.getFeatures().getFloat(r, 0) * 255f);
            assertEquals(1.0, ds.getLabels().getRow(r).sumNumber().doubleValue());
            assertEquals(1.0f, ds.getLabels().getFloat(r, id % 10));
            assertEquals(32 / 255f, ds.getFeatures().getFloat(r, 2), 1e-7);
        }
        assertEquals(4, it.batchesPerEpoch());
    }

    @Test
    void everyImageOncePerEpochWithAShortLastBatch() {
        MinibatchIterator it = MinibatchIterator.builder(data(50)).batchSize(16).build();
        List<Integer> ids = order(it);
        assertEquals(50, ids.size());
        assertEquals(50, new HashSet<>(ids).size());
    }

    @Test
    void dropLastDropsTheShortBatch() {
        MinibatchIterator it = MinibatchIterator.builder(data(50)).batchSize(16).dropLast(true).build();
        assertEquals(48, order(it).size());
        assertEquals(3, it.batchesPerEpoch());
    }

    @Test
    void sameSeedSameOrderNewOrderEachEpoch() {
        MinibatchIterator a = MinibatchIterator.builder(data(50)).batchSize(8).seed(42).build();
        MinibatchIterator b = MinibatchIterator.builder(data(50)).batchSize(8).seed(42).build();
        MinibatchIterator c = MinibatchIterator.builder(data(50)).batchSize(8).seed(43).build();
        List<Integer> a0 = order(a);
        assertEquals(a0, order(b));
        assertNotEquals(a0, order(c));
        a.reset();
        List<Integer> a1 = order(a);
        assertNotEquals(a0, a1, "reshuffled every epoch");
        assertEquals(Set.copyOf(a0), Set.copyOf(a1));
        b.setEpoch(1);
        assertEquals(a1, order(b), "an epoch's order depends only on seed and epoch");
    }

    @Test
    void resetBeforeTheFirstBatchKeepsTheEpoch() {
        MinibatchIterator a = MinibatchIterator.builder(data(50)).seed(5).build();
        MinibatchIterator b = MinibatchIterator.builder(data(50)).seed(5).build();
        a.reset();
        a.reset();
        assertEquals(0, a.epoch());
        assertEquals(order(b), order(a));
    }

    @Test
    void unshuffledKeepsFileOrder() {
        MinibatchIterator it = MinibatchIterator.builder(data(20)).batchSize(7).shuffle(false).build();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, order(it));
    }

    @Test
    void staticBinarizationThresholdsAtHalf() {
        MinibatchIterator it = MinibatchIterator.builder(data(10)).batchSize(10).shuffle(false)
                .binarization(Binarization.STATIC).build();
        INDArray f = it.next().getFeatures();
        assertEquals(0f, f.getFloat(0, 7)); // 112/255 < 0.5
        assertEquals(1f, f.getFloat(0, 8)); // 128/255 >= 0.5
        assertEquals(f.length(), f.eq(0).castTo(DataType.INT).sumNumber().longValue()
                + f.eq(1).castTo(DataType.INT).sumNumber().longValue());
    }

    @Test
    void dynamicBinarizationIsAFreshBernoulliSampleEachEpoch() {
        MinibatchIterator it = MinibatchIterator.builder(data(50)).batchSize(50).shuffle(false)
                .binarization(Binarization.DYNAMIC).seed(9).build();
        INDArray e0 = it.next().getFeatures().dup();
        it.reset();
        INDArray e1 = it.next().getFeatures().dup();
        assertNotEquals(e0, e1);
        // pixel 8 has intensity 128/255: across 50 images x 2 epochs the ones' rate is near 0.502
        double rate = (e0.getColumn(8).sumNumber().doubleValue() + e1.getColumn(8).sumNumber().doubleValue()) / 100;
        assertEquals(0.502, rate, 0.2);
        assertEquals(0.0, e0.getColumn(0).getDouble(0), "pixel value 0 is never sampled as 1");
        MinibatchIterator again = MinibatchIterator.builder(data(50)).batchSize(50).shuffle(false)
                .binarization(Binarization.DYNAMIC).seed(9).build();
        assertEquals(e0, again.next().getFeatures(), "reproducible from the seed");
    }

    @Test
    void releasePreviousRecyclesBuffersAndServesTheSameBatches() {
        MinibatchIterator it = MinibatchIterator.builder(data(50)).batchSize(16).releasePrevious(true).seed(7).build();
        MinibatchIterator plain = MinibatchIterator.builder(data(50)).batchSize(16).seed(7).build();
        INDArray firstBuffer = null;
        for (int epoch = 0; epoch < 2; epoch++) {
            while (plain.hasNext()) {
                DataSet expected = plain.next();
                DataSet got = it.next();
                assertEquals(expected.getFeatures(), got.getFeatures());
                assertEquals(expected.getLabels(), got.getLabels());
                if (epoch == 0 && firstBuffer == null) {
                    firstBuffer = got.getFeatures();
                } else if (epoch == 0 && got.getFeatures().rows() == 16) {
                    assertSame(firstBuffer, got.getFeatures(), "full batches refill one buffer");
                }
            }
            plain.reset();
            it.reset();
        }
        assertTrue(firstBuffer.wasClosed(), "a new epoch frees the old buffers");
    }

    @Test
    void prefetchingServesTheSameBatches() {
        MinibatchIterator plain = MinibatchIterator.builder(data(50)).batchSize(8).seed(7).build();
        DataSetIterator prefetched = MinibatchIterator.prefetching(
                MinibatchIterator.builder(data(50)).batchSize(8).seed(7).build(), 4);
        assertEquals(order(plain), order(prefetched));
        plain.reset();
        prefetched.reset();
        assertEquals(order(plain), order(prefetched));
    }

    @Test
    void validationSplitIsDisjointAndReproducible() {
        ImageSet all = data(50);
        ImageSet.Split s = all.split(10, 3);
        assertEquals(40, s.train().size());
        assertEquals(10, s.validation().size());
        Set<Integer> ids = new HashSet<>();
        for (ImageSet part : List.of(s.train(), s.validation())) {
            for (int i = 0; i < part.size(); i++) {
                ids.add((int) part.pixels()[i * 16] & 0xff);
            }
        }
        assertEquals(50, ids.size());
        assertArrayEquals(s.validation().pixels(), all.split(10, 3).validation().pixels());
        assertThrows(IllegalArgumentException.class, () -> all.split(50, 3));
    }
}
