package org.dl4jvae.model.dl4j;

import java.util.Arrays;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.TadPack;

/**
 * The tensors-along-dimension descriptions ({@code TadPack}) that ND4J's executioner hands out for an array's shape and
 * dimensions, kept per shape.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 the CPU backend's TAD manager no longer uses its own cache, so every broadcast and every
 * reduction along a dimension asks native code again and wraps its answer in two new Java buffers: 18 times a DL4J
 * training step at 128 x 400, about 11 us each. The native side keeps those descriptions for the life of the process
 * (ND4J's {@code ConstantTadHelper}), so the same wrappers can serve every later array of that shape.
 */
final class TadCache {

    /** Shapes kept; beyond them the executioner is asked every time, as without this cache. */
    static final int MAX_ENTRIES = 4096;

    private record Key(long[] shapeInfo, int[] dimensions) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(shapeInfo, k.shapeInfo)
                    && Arrays.equals(dimensions, k.dimensions);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shapeInfo) + Arrays.hashCode(dimensions);
        }
    }

    private static final BoundedMemo<Key, TadPack> PACKS = new BoundedMemo<>(MAX_ENTRIES);

    private TadCache() {
    }

    /** The pack of {@code array} along {@code dimensions}: a kept one, or {@code nd4j}'s answer, then kept. */
    static TadPack get(INDArray array, int[] dimensions, Supplier<TadPack> nd4j) {
        return PACKS.get(new Key(array.shapeInfoJava().clone(), dimensions.clone()), nd4j);
    }

    /** Packs asked of ND4J through this cache so far, in this JVM (for tests). */
    static long asked() {
        return PACKS.computed();
    }

    /** Shapes kept so far (for tests). */
    static int size() {
        return PACKS.size();
    }
}
