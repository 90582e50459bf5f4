package org.dl4jvae.model.dl4j;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Copies a column-major float matrix into a row-major one of the same shape, in blocks, through Java arrays.
 *
 * <p>Why: DL4J's {@code INDArray.mmul} multiplies into a fresh column-major array and copies that into its row-major
 * result; ND4J's copy between the two orders computes every element's offset from its coordinates, 150-190 us for
 * [128, 784] floats, where this takes 74-81 us (2-core AMD EPYC, best of 2,000). The values are copied, not computed,
 * so they are the same to the bit whatever copies them; the product itself stays as it is, since the product straight
 * into a row-major array rounds differently.
 */
final class TransposingCopy {

    /** Square blocks of this side keep both the rows read and the rows written in the first-level cache. */
    private static final int BLOCK = 16;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private TransposingCopy() {
    }

    /**
     * Copies {@code from} into {@code to} where both are whole float matrices (not views) of one shape, column- and
     * row-major; false, and nothing done, otherwise.
     */
    static boolean copy(INDArray from, INDArray to) {
        if (from == null || to == null || from.rank() != 2 || to.rank() != 2 || from.ordering() != 'f'
                || to.ordering() != 'c' || from.dataType() != DataType.FLOAT || to.dataType() != DataType.FLOAT
                || !Arrays.equals(from.shape(), to.shape()) || !Shape.hasDefaultStridesForShape(from)
                || !Shape.hasDefaultStridesForShape(to) || from.isView() || to.isView() || from.offset() != 0
                || to.offset() != 0 || from.length() > Integer.MAX_VALUE) {
            return false;
        }
        int rows = (int) from.rows();
        int cols = (int) from.columns();
        int n = rows * cols;
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < n) {
            scratch[0] = new float[n];
            scratch[1] = new float[n];
        }
        float[] src = scratch[0];
        float[] dst = scratch[1];
        FloatBuffer in = from.data().asNioFloat();
        in.get(0, src, 0, n);
        for (int j0 = 0; j0 < cols; j0 += BLOCK) {
            int j1 = Math.min(cols, j0 + BLOCK);
            for (int i0 = 0; i0 < rows; i0 += BLOCK) {
                int i1 = Math.min(rows, i0 + BLOCK);
                for (int i = i0; i < i1; i++) {
                    int row = i * cols;
                    for (int j = j0; j < j1; j++) {
                        dst[row + j] = src[j * rows + i];
                    }
                }
            }
        }
        to.data().asNioFloat().put(0, dst, 0, n);
        return true;
    }
}
