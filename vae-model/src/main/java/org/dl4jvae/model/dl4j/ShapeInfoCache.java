package org.dl4jvae.model.dl4j;

import java.lang.reflect.Field;
import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.ShapeInfoProvider;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's shape-information provider with the overload that every array constructor calls cached.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 {@code BaseNDArray}'s constructors ask for an array's shape information with a data type
 * and an "empty" flag, the one overload that the CPU backend's provider ({@code DirectShapeInfoProvider}) does not
 * cache: each new array, view or transpose builds its shape information in native code and registers a deallocator
 * for it. DL4J's layer makes 67 arrays a training step at 128 x 400, about 8 us each (0.5 ms a step). The information
 * depends only on the arguments, and ND4J marks it constant (never released, never written), so arrays of one shape
 * can share it as the provider's cached overloads already share theirs. Every other call goes to ND4J's provider.
 */
final class ShapeInfoCache implements ShapeInfoProvider {

    /** Distinct shapes kept; beyond them shape information is built as ND4J builds it (its caches stop at 1,000). */
    static final int MAX_ENTRIES = 4096;

    private record Key(long[] shape, long[] stride, long ews, char order, DataType type, boolean empty) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && ews == k.ews && order == k.order && type == k.type && empty == k.empty
                    && Arrays.equals(shape, k.shape) && Arrays.equals(stride, k.stride);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(stride)) + Long.hashCode(ews) + 7 * order
                    + 131 * type.ordinal() + (empty ? 1 : 0);
        }
    }

    /** The cache in front of ND4J's provider, once installed. */
    private static volatile ShapeInfoCache installed;

    private final ShapeInfoProvider nd4j;
    private final BoundedMemo<Key, Pair<DataBuffer, long[]>> cache = new BoundedMemo<>(MAX_ENTRIES);

    private ShapeInfoCache(ShapeInfoProvider nd4j) {
        this.nd4j = nd4j;
    }

    /**
     * Puts the cache in front of ND4J's provider, once per process; false where ND4J's field is not there, and on a
     * GPU backend, whose provider this was not measured with.
     */
    static synchronized boolean install() {
        if (installed != null) {
            return true;
        }
        if (!Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        try {
            ShapeInfoProvider current = Nd4j.getShapeInfoProvider(); // initialises ND4J's own first
            Field f = Nd4j.class.getDeclaredField("shapeInfoProvider");
            f.setAccessible(true);
            ShapeInfoCache cache = new ShapeInfoCache(current);
            f.set(null, cache);
            installed = cache;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
        return true;
    }

    /** Shape informations built by ND4J through this cache so far, in this JVM (for tests). */
    static long built() {
        ShapeInfoCache cache = installed;
        return cache == null ? 0 : cache.cache.computed();
    }

    /** Distinct shapes cached so far (for tests). */
    static int size() {
        ShapeInfoCache cache = installed;
        return cache == null ? 0 : cache.cache.size();
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
            char order, DataType dataType, boolean empty) {
        return cache.get(new Key(shape.clone(), stride.clone(), elementWiseStride, order, dataType, empty),
                () -> nd4j.createShapeInformation(shape, stride, elementWiseStride, order, dataType, empty));
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, DataType dataType) {
        return createShapeInformation(shape, Nd4j.order(), dataType);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, char order, DataType dataType) {
        // as ND4J's BaseShapeInfoProvider: a new array, not a view
        return createShapeInformation(shape, Nd4j.getStrides(shape, order), 1, order, dataType, false);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
            char order, long extras) {
        return nd4j.createShapeInformation(shape, stride, elementWiseStride, order, extras);
    }

    @Override
    public void purgeCache() {
        cache.clear();
        nd4j.purgeCache();
    }

    @Override
    public long getCachedBytes() {
        return nd4j.getCachedBytes();
    }
}
