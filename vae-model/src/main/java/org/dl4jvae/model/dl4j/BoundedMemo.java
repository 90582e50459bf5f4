package org.dl4jvae.model.dl4j;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Values computed once per key and kept, for up to a number of keys; beyond them each is computed every time, as
 * without the memo. Safe for several threads (two may compute the same value once each; the first kept wins).
 */
final class BoundedMemo<K, V> {

    private final int max;
    private final Map<K, V> kept = new ConcurrentHashMap<>();
    private final LongAdder computed = new LongAdder();

    BoundedMemo(int max) {
        this.max = max;
    }

    /** The value kept for {@code key}, else {@code compute}'s, kept if there is room. */
    V get(K key, Supplier<V> compute) {
        V value = kept.get(key);
        if (value == null) {
            computed.increment();
            value = compute.get();
            if (kept.size() < max) {
                kept.putIfAbsent(key, value);
            }
        }
        return value;
    }

    /** Values computed so far (for tests). */
    long computed() {
        return computed.sum();
    }

    /** Keys kept so far. */
    int size() {
        return kept.size();
    }

    void clear() {
        kept.clear();
    }
}
