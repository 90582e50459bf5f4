package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import org.dl4jvae.model.VaeConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The shape information of ND4J's arrays, shared through the cache once the DL4J engine is made. */
class ShapeInfoCacheTest {

    @Test
    void arraysOfOneShapeShareTheirShapeInformationAsNd4jBuildsIt() {
        Dl4jLayerVae.create(VaeConfig.defaults().withSizes(20, 8, 2)); // installs it
        assertInstanceOf(ShapeInfoCache.class, Nd4j.getShapeInfoProvider());
        INDArray a = Nd4j.rand(DataType.FLOAT, 37, 11);
        INDArray b = Nd4j.rand(DataType.FLOAT, 37, 11);
        assertSame(a.shapeInfoDataBuffer(), b.shapeInfoDataBuffer());
        assertSame(a.transpose().shapeInfoDataBuffer(), b.transpose().shapeInfoDataBuffer());

        // what ND4J's own provider would build: shape, strides, order, data type and views alike
        INDArray[] arrays = {a, a.transpose(), Nd4j.create(DataType.DOUBLE, new long[] {37, 11}, 'f'),
            Nd4j.create(DataType.INT, 5), a.get(NDArrayIndex.interval(2, 9), NDArrayIndex.point(3)),
            a.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)), Nd4j.create(DataType.FLOAT, 0, 4), Nd4j.scalar(2f)};
        for (INDArray x : arrays) {
            long[] built = org.nd4j.linalg.api.shape.Shape.createShapeInformation(x.shape(), x.stride(),
                    x.elementWiseStride(), x.ordering(), x.dataType(), x.isEmpty()).asLong();
            assertArrayEquals(built, x.shapeInfoDataBuffer().asLong(), x.shapeInfoToString());
        }
        assertNotSame(a.shapeInfoDataBuffer(), arrays[2].shapeInfoDataBuffer());
        assertTrue(arrays[6].isEmpty());
        // arrays read and write through shared shape information as through their own
        assertEquals(a.getFloat(5, 3), a.transpose().getFloat(3, 5));
        b.transpose().assign(a.transpose());
        assertEquals(a, b);
    }

    /** After its first steps, a DL4J training step builds no shape information: every shape it makes is known. */
    @Test
    void aTrainingStepBuildsNoShapeInformationOnceWarm() {
        Dl4jLayerVae vae = Dl4jLayerVae.create(VaeConfig.defaults().withSizes(50, 16, 4));
        long built = WarmStep.counted(vae, Nd4j.rand(DataType.FLOAT, 32, 50), ShapeInfoCache::built);
        org.junit.jupiter.api.Assumptions.assumeTrue(ShapeInfoCache.size() < ShapeInfoCache.MAX_ENTRIES,
                "other tests of this JVM filled the cache");
        assertEquals(0, built);
    }
}
