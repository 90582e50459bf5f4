package org.dl4jvae.data.idx;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.dl4jvae.data.io.AtomicFile;

/** Writes unsigned-byte IDX files (optionally gzip-compressed), atomically: for exporting subsets and for tests. */
public final class IdxWriter {

    private IdxWriter() {
    }

    /** Writes {@code count} images of {@code rows x cols} bytes. */
    public static void writeImages(Path file, int count, int rows, int cols, byte[] pixels, boolean gzip) throws IOException {
        write(file, new int[] {count, rows, cols}, pixels, gzip);
    }

    /** Writes {@code count} images of {@code channels x rows x cols} bytes (a 4-dimensional file when channels > 1). */
    public static void writeImages(Path file, int count, int channels, int rows, int cols, byte[] pixels, boolean gzip)
            throws IOException {
        write(file, channels == 1 ? new int[] {count, rows, cols} : new int[] {count, channels, rows, cols}, pixels, gzip);
    }

    /** Writes one label byte per image. */
    public static void writeLabels(Path file, byte[] labels, boolean gzip) throws IOException {
        write(file, new int[] {labels.length}, labels, gzip);
    }

    private static void write(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        AtomicFile.write(file, target -> {
            OutputStream raw = new BufferedOutputStream(target, 1 << 16);
            DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw, 1 << 16) : raw);
            out.writeShort(0);
            out.writeByte(0x08);
            out.writeByte(dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
            out.close();
        });
    }
}
