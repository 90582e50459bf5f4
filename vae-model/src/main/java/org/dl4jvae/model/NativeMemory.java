package org.dl4jvae.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.bytedeco.javacpp.Pointer;

/**
 * The C library's allocator, which ND4J's arrays and oneDNN's buffers come from. By default glibc hands blocks above a
 * threshold back to the system when they are freed and maps fresh pages for the next; an op that allocates and frees
 * megabytes at every call (oneDNN's layout conversions around each convolution) then pays a page fault for every 4 KB
 * of them, on every training step. Measured on a 2-core machine, {@code bench --arch conv}: 650,000 to 1,000,000 page
 * faults and 867 to 1,399 images/s in three runs, against 229,000 to 242,000 and 1,496 to 1,532 with freed memory kept
 * for reuse. The fully connected model's runs saw no difference.
 */
public final class NativeMemory {

    private static final int M_TRIM_THRESHOLD = -1; // glibc's malloc.h
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;

    /** glibc's {@code int mallopt(int param, int value)}. */
    private interface C extends Library {
        int mallopt(int param, int value);

        int malloc_trim(long pad);
    }

    /** The bound {@link #checkResident} holds the process to, in bytes; 0: none. */
    private static volatile long residentBound;

    private NativeMemory() {
    }

    /**
     * Bounds the process's resident memory at training steps ({@link #checkResident}), instead of JavaCPP's bound
     * ({@code -Dorg.bytedeco.javacpp.maxphysicalbytes}), which reads the resident size at every native allocation:
     * DL4J's layer allocates at every op, and in its steps of 32 images 58 of 324 samples of native code in a Java
     * Flight Recording were that reading ({@code Pointer.physicalBytesInaccurate}). Set JavaCPP's bound to 0 when
     * using this one. 0 removes the bound.
     */
    public static void boundResident(long bytes) {
        residentBound = Math.max(0, bytes);
    }

    /** The bound of {@link #boundResident}, 0 for none. */
    public static long residentBound() {
        return residentBound;
    }

    /**
     * Called by the engines before each training step: with the process's resident memory over the bound, runs the
     * garbage collector (which frees ND4J's unreachable buffers) and trims the C library's heap, as JavaCPP does at an
     * allocation over its bound, up to 10 times a tenth of a second apart; still over it, throws the error JavaCPP
     * would.
     */
    public static void checkResident() {
        long bound = residentBound;
        if (bound <= 0) {
            return;
        }
        long resident = Pointer.physicalBytesInaccurate(bound);
        for (int tries = 0; resident > bound && tries < 10; tries++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            C c = Libc.LIB;
            try {
                if (c != null) {
                    c.malloc_trim(0); // the C library's free memory back to the system, as JavaCPP's trimMemory does
                }
            } catch (UnsatisfiedLinkError e) { // not glibc: the collector alone
                // nothing to trim with
            }
            resident = Pointer.physicalBytes();
        }
        if (resident > bound) {
            throw new OutOfMemoryError("Physical memory usage is too high: physicalBytes (" + (resident >> 20)
                    + " MB) > maxPhysicalBytes (" + (bound >> 20) + " MB)");
        }
    }

    /**
     * Keeps freed native memory in the process for reuse: blocks up to 256 MB come from the heap rather than fresh
     * mappings, the heap is given back to the system only when 1 GB of it is free, and it grows 64 MB at a time. The
     * resident size then stays near its peak instead of rising and falling at every step. A process-wide setting for
     * glibc (Linux); elsewhere it does nothing.
     *
     * @return whether the C library took the settings
     */
    public static boolean keepFreedMemory() {
        C c = Libc.LIB;
        try {
            return c != null
                    && c.mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1 // & rather than &&: all three, whatever one answers
                    & c.mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1
                    & c.mallopt(M_TOP_PAD, 64 << 20) == 1;
        } catch (UnsatisfiedLinkError e) { // not glibc: no mallopt
            return false;
        }
    }

    /** The C library through JNA, loaded once, on first use. */
    private static final class Libc {
        static final C LIB = load();
    }

    /** The C library through JNA on Linux; null elsewhere or where JNA cannot load it. */
    private static C load() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        try {
            return (C) Native.loadLibrary("c", C.class);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return null;
        }
    }
}
