package org.dl4jvae.data;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.dl4jvae.data.source.DataLocator;
import org.dl4jvae.data.source.Dataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/** The reader against the published facts of the real MNIST test set (../shared/data/mnist, when present). */
class RealMnistTest {

    static ImageSet test;

    @BeforeAll
    static void load() throws Exception {
        Optional<Path> dir = TestIdx.sharedMnist();
        if (dir.isPresent()) {
            test = DataLocator.read(dir.get(), Dataset.Split.TEST);
        } else { // said where everyone reads it; each test is then reported as skipped, not as absent
            System.err.println("RealMnistTest: SKIPPED, the real MNIST test set (../shared/data/mnist) is not here");
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void needsTheRealFiles() {
        assumeTrue(test != null, "../shared/data/mnist not present: real-MNIST facts not checked");
    }

    @Test
    void publishedFacts() {
        assertEquals(10_000, test.size());
        assertEquals(28, test.rows());
        assertEquals(28, test.cols());
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) {
            counts[test.label(i)]++;
        }
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, counts);
        long sum = 0;
        long first = 0;
        byte[] px = test.pixels();
        for (int i = 0; i < px.length; i++) {
            sum += px[i] & 0xff;
            if (i < 784) {
                first += px[i] & 0xff;
            }
        }
        assertEquals(264_923_200L, sum);
        assertEquals(18_454L, first);
    }

    @Test
    void iteratorServesScaledPixelsWithTheRightMean() {
        MinibatchIterator it = MinibatchIterator.builder(test).batchSize(1000).seed(3).build();
        double total = 0;
        int images = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            total += ds.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
            images += ds.numExamples();
            assertEquals(0.0, ds.getFeatures().minNumber().doubleValue());
            assertTrue(ds.getFeatures().maxNumber().doubleValue() <= 1.0);
        }
        assertEquals(10_000, images);
        assertEquals(0.1325146, total / (images * 784.0), 5e-8);
    }
}
