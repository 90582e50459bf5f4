package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TransposingCopyTest {

    @Test
    void copiesAColumnMajorMatrixIntoARowMajorOneValueForValue() {
        for (long[] shape : new long[][] {{37, 53}, {128, 784}, {1, 9}, {16, 16}, {17, 1}}) {
            INDArray from = Nd4j.randn(DataType.FLOAT, shape).dup('f');
            INDArray to = Nd4j.create(DataType.FLOAT, shape, 'c');
            assertTrue(TransposingCopy.copy(from, to));
            assertEquals('c', to.ordering());
            assertArrayEquals(from.dup('c').data().asFloat(), to.data().asFloat());
        }
    }

    @Test
    void leavesToNd4jWhatItDoesNotTake() {
        INDArray f = Nd4j.rand(DataType.FLOAT, 6, 5).dup('f');
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {6, 5}, 'c');
        INDArray before = c.dup();
        assertFalse(TransposingCopy.copy(c.dup(), c), "row- to row-major");
        assertFalse(TransposingCopy.copy(f, f.dup('f')), "column- to column-major");
        assertFalse(TransposingCopy.copy(f, Nd4j.create(DataType.FLOAT, new long[] {5, 6}, 'c')), "another shape");
        assertFalse(TransposingCopy.copy(f.castTo(DataType.DOUBLE).dup('f'), c), "another type");
        INDArray wide = Nd4j.create(DataType.FLOAT, new long[] {6, 8}, 'c');
        assertFalse(TransposingCopy.copy(f, wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 5))), "a view");
        assertFalse(TransposingCopy.copy(Nd4j.rand(DataType.FLOAT, 2, 6, 5).dup('f'), c), "rank 3");
        assertEquals(before, c);
    }
}
