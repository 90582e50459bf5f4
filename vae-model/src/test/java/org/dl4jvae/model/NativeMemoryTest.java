package org.dl4jvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    private static final long BLOCK = 48L << 20; // above the 32 MB up to which glibc's default adapts its threshold
    private static final long PAGES = BLOCK / 4096;

    @Test
    void aFreedBlockIsReusedWithoutFreshPages() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "glibc's allocator");
        assertTrue(NativeMemory.keepFreedMemory(), "glibc took the settings");
        touchAndFree(); // the first block maps its pages
        long before = minorFaults();
        for (int i = 0; i < 8; i++) {
            touchAndFree();
        }
        long faults = minorFaults() - before;
        // by default each 48 MB block is a fresh mapping: PAGES faults a round, 8 * PAGES in all
        assertTrue(faults < PAGES, faults + " page faults for 8 blocks of " + PAGES + " pages");
    }

    /** The bound checked at training steps: nothing under it; over it (after the collector's tries) JavaCPP's error. */
    @Test
    void overTheResidentBoundAStepFailsWithJavaCppsErrorAndUnderItNothingHappens() {
        long before = NativeMemory.residentBound();
        try {
            NativeMemory.boundResident(1L << 50);
            NativeMemory.checkResident();
            NativeMemory.boundResident(1L << 20); // 1 MB: any JVM is over it
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, NativeMemory::checkResident);
            assertTrue(e.getMessage().contains("> maxPhysicalBytes (1 MB)"), e.getMessage());
            NativeMemory.boundResident(0);
            NativeMemory.checkResident(); // no bound
            assertEquals(0, NativeMemory.residentBound());
        } finally {
            NativeMemory.boundResident(before);
        }
    }

    private static void touchAndFree() {
        Pointer p = Pointer.malloc(BLOCK);
        assertTrue(p != null && !p.isNull(), "malloc of 48 MB");
        Pointer.memset(p, 1, BLOCK);
        Pointer.free(p);
    }

    /** This thread's minor page faults (field 10 of its stat line, after the command's parenthesised name). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
