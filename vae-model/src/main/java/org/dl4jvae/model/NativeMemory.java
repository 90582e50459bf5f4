package org.dl4jvae.model;

import com.sun.jna.Library;
import com.sun.jna.Native;

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
    }

    private NativeMemory() {
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
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return false;
        }
        try {
            C c = (C) Native.loadLibrary("c", C.class);
            return c.mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1 // & rather than &&: all three, whatever one answers
                    & c.mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1
                    & c.mallopt(M_TOP_PAD, 64 << 20) == 1;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) { // not glibc (no mallopt), or JNA cannot load
            return false;
        }
    }
}
