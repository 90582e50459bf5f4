package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import org.dl4jvae.model.VaeConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.TadPack;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J's tensor-along-dimension packs, kept per shape by the DL4J engine's executioner wrapper. */
class TadCacheTest {

    @Test
    void aKeptPackIsWhatNd4jGivesForEveryArrayOfThatShape() {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(30, 12, 3));
        vae.trainStep(Nd4j.rand(DataType.FLOAT, 16, 30), null); // the wrapper is in place from the first step
        INDArray a = Nd4j.rand(DataType.FLOAT, 23, 17);
        INDArray b = Nd4j.rand(DataType.FLOAT, 23, 17);
        TadPack first = Nd4j.getExecutioner().tadShapeInfoAndOffsets(a, new int[] {1});
        long asked = TadCache.asked();
        TadPack again = Nd4j.getExecutioner().tadShapeInfoAndOffsets(b, new int[] {1});
        Assumptions.assumeTrue(TadCache.size() < TadCache.MAX_ENTRIES, "other tests of this JVM filled the cache");
        assertSame(first, again);
        assertEquals(0, TadCache.asked() - asked);
        assertNotSame(first, Nd4j.getExecutioner().tadShapeInfoAndOffsets(b, new int[] {0}));
        assertNotSame(first, Nd4j.getExecutioner().tadShapeInfoAndOffsets(b.transpose(), new int[] {1}));

        // what the pack says: 23 rows of 17 contiguous values, 17 apart (another shape, another pack); and ops along
        // dimensions give the numbers they should
        assertArrayEquals(new long[] {1, 17, 1}, java.util.Arrays.copyOf(first.getTadShapeInfo().asLong(), 3));
        assertEquals(23, first.getTadOffsets().length());
        assertEquals(17 * 22, first.getTadOffsets().getLong(22));
        TadPack wider = Nd4j.getExecutioner().tadShapeInfoAndOffsets(Nd4j.rand(DataType.FLOAT, 23, 18), new int[] {1});
        assertEquals(18 * 22, wider.getTadOffsets().getLong(22));
        float[] rowSums = new float[23];
        for (int r = 0; r < 23; r++) {
            for (int c = 0; c < 17; c++) {
                rowSums[r] += b.getFloat(r, c);
            }
        }
        assertArrayEquals(rowSums, b.sum(1).toFloatVector(), 1e-4f);
        assertEquals(b.addRowVector(a.getRow(0)).getFloat(5, 3), b.getFloat(5, 3) + a.getFloat(0, 3));
    }

    /** After its first steps, a DL4J training step asks ND4J for no pack: every shape and dimension is known. */
    @Test
    void aWarmTrainingStepAsksNd4jForNoPack() {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(40, 10, 4));
        long asked = WarmStep.counted(vae, Nd4j.rand(DataType.FLOAT, 24, 40), TadCache::asked);
        Assumptions.assumeTrue(TadCache.size() < TadCache.MAX_ENTRIES, "other tests of this JVM filled the cache");
        assertEquals(0, asked);
    }
}
