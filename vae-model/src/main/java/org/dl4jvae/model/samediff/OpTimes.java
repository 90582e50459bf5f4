package org.dl4jvae.model.samediff;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wall time per op kind of the SameDiff runtime's schedules, for finding where a step's time goes ({@code bench
 * --profile}). Off by default: when off, an op costs one volatile read more.
 */
public final class OpTimes {

    private static volatile boolean on;
    private static final Map<String, LongAdder[]> TIMES = new ConcurrentHashMap<>();

    private OpTimes() {
    }

    /** Starts counting from zero. */
    public static void start() {
        TIMES.clear();
        on = true;
    }

    /** Stops counting and returns nanoseconds and calls per op kind, the most expensive first. */
    public static Map<String, long[]> stop() {
        on = false;
        Map<String, long[]> out = new LinkedHashMap<>();
        TIMES.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0].sum(), a.getValue()[0].sum()))
                .forEach(e -> out.put(e.getKey(), new long[] {e.getValue()[0].sum(), e.getValue()[1].sum()}));
        return out;
    }

    static boolean on() {
        return on;
    }

    static void add(String op, long nanos) {
        LongAdder[] t = TIMES.computeIfAbsent(op, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        t[0].add(nanos);
        t[1].increment();
    }
}
