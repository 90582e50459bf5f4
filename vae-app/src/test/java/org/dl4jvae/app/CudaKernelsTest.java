package org.dl4jvae.app;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What GPUs the CUDA build can run on, read from the jar it depends on: the {@code .nv_fatbin} section of
 * {@code libnd4jcuda.so} lists a machine-code (cubin) entry per architecture and PTX entries if any. Runs where the
 * jar is in the local Maven repository (after {@code mvn -Pcuda package}, as CI does); reported as skipped elsewhere.
 */
class CudaKernelsTest {

    static final String LIBRARY = "org/nd4j/linalg/jcublas/bindings/linux-x86_64/libnd4jcuda.so";

    static Path jar() {
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        return Path.of(repo, "org", "nd4j", "nd4j-cuda-11.6", Versions.DL4J,
                "nd4j-cuda-11.6-" + Versions.DL4J + "-linux-x86_64.jar");
    }

    /** An entry of a fatbin: its kind (1 PTX, 2 cubin) and architecture. */
    record Kernel(int kind, int arch) {
    }

    @Test
    void theLibraryCarriesMachineCodeForTheSupportedArchitecturesAndNoPtx() throws Exception {
        Path jar = jar();
        if (!Files.isRegularFile(jar)) {
            System.err.println("CudaKernelsTest: SKIPPED, " + jar + " is not in the local repository (mvn -Pcuda package "
                    + "fetches it)");
        }
        assumeTrue(Files.isRegularFile(jar), "the CUDA backend's jar is not in the local Maven repository");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry lib = zip.getEntry(LIBRARY);
            assertNotNull(lib, LIBRARY + " in " + jar);
            List<Kernel> kernels = fatbinKernels(zip, lib);
            assertFalse(kernels.isEmpty());
            TreeSet<Integer> cubins = new TreeSet<>();
            for (Kernel k : kernels) {
                assertEquals(2, k.kind(), "only machine code, no PTX for a driver to compile: " + k);
                cubins.add(k.arch());
            }
            System.err.println("CudaKernelsTest: " + kernels.size() + " cubins in " + LIBRARY + " for sm_" + cubins);
            assertEquals(new TreeSet<>(GpuSupport.ARCHITECTURES), cubins, "GpuSupport must follow the library");
        }
    }

    /** The entries of every fatbin in the library's {@code .nv_fatbin} section (three passes over the stream). */
    static List<Kernel> fatbinKernels(ZipFile zip, ZipEntry lib) throws IOException {
        ByteBuffer elf;
        try (InputStream in = zip.getInputStream(lib)) {
            elf = ByteBuffer.wrap(in.readNBytes(64)).order(ByteOrder.LITTLE_ENDIAN);
        }
        assertEquals(0x464c457f, elf.getInt(0), "an ELF file");
        long shoff = elf.getLong(0x28);
        int shnum = Short.toUnsignedInt(elf.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(elf.getShort(0x3E));
        ByteBuffer sections = ByteBuffer.wrap(read(zip, lib, shoff, shnum * 64L)).order(ByteOrder.LITTLE_ENDIAN);
        long namesOffset = sections.getLong(shstrndx * 64 + 24);
        long namesSize = sections.getLong(shstrndx * 64 + 32);
        byte[] names = read(zip, lib, namesOffset, namesSize);
        for (int i = 0; i < shnum; i++) {
            int at = sections.getInt(i * 64);
            int end = at;
            while (names[end] != 0) {
                end++;
            }
            if (new String(names, at, end - at, StandardCharsets.US_ASCII).equals(".nv_fatbin")) {
                return scan(zip, lib, sections.getLong(i * 64 + 24), sections.getLong(i * 64 + 32));
            }
        }
        fail("no .nv_fatbin section");
        return List.of();
    }

    /** Walks the fatbins of a section: a 16-byte header (magic 0xBA55ED50, size of its entries), then the entries. */
    static List<Kernel> scan(ZipFile zip, ZipEntry lib, long offset, long size) throws IOException {
        List<Kernel> kernels = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(zip.getInputStream(lib))) {
            in.skipNBytes(offset);
            long pos = 0;
            byte[] header = new byte[16];
            while (pos + 16 <= size) {
                in.readFully(header);
                pos += 16;
                ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
                if (h.getInt(0) != 0xBA55ED50) { // padding between fatbins
                    continue;
                }
                long fat = h.getLong(8);
                long read = 0;
                byte[] entry = new byte[32];
                while (read < fat) {
                    in.readFully(entry);
                    ByteBuffer e = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
                    long headerSize = Integer.toUnsignedLong(e.getInt(4));
                    long payload = e.getLong(8);
                    kernels.add(new Kernel(Short.toUnsignedInt(e.getShort(0)), e.getInt(28)));
                    in.skipNBytes(headerSize - 32 + payload);
                    read += headerSize + payload;
                }
                pos += fat;
            }
        }
        return kernels;
    }

    private static byte[] read(ZipFile zip, ZipEntry lib, long offset, long length) throws IOException {
        try (InputStream in = zip.getInputStream(lib)) {
            in.skipNBytes(offset);
            return in.readNBytes(Math.toIntExact(length));
        }
    }
}
