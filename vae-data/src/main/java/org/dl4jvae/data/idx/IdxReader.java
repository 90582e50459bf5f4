package org.dl4jvae.data.idx;

import static org.dl4jvae.data.idx.IdxFormatException.Defect.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads unsigned-byte IDX files (the MNIST format), gzip-compressed or raw; the compression is detected from the
 * bytes, not the name. Every structural defect is reported as an {@link IdxFormatException} naming the file.
 */
public final class IdxReader {

    private static final int UBYTE = 0x08;

    private IdxReader() {
    }

    /**
     * Reads an image file: magic 0x00000803, dimensions count x rows x cols (grey images of any size), or magic
     * 0x00000804, dimensions count x channels x rows x cols (channel-first, as PyTorch and ND4J hold images).
     */
    public static IdxImages readImages(Path file) throws IOException {
        byte[] raw = content(file);
        Parsed p = parse(file, raw, raw.length >= 4 && raw[3] == 4 ? 4 : 3);
        int count = p.dims[0];
        int channels = p.dims.length == 4 ? p.dims[1] : 1;
        int rows = p.dims[p.dims.length - 2], cols = p.dims[p.dims.length - 1];
        if (channels <= 0 || rows <= 0 || cols <= 0) {
            throw new IdxFormatException(file, BAD_DIMENSIONS, "image size " + channels + "x" + rows + "x" + cols
                    + " (channels x rows x cols) is not positive");
        }
        return new IdxImages(count, channels, rows, cols, java.util.Arrays.copyOfRange(p.data, p.offset, p.data.length));
    }

    /** Reads a label file (magic 0x00000801) and checks every label is below {@code numClasses}. */
    public static byte[] readLabels(Path file, int numClasses) throws IOException {
        Parsed p = parse(file, 1);
        byte[] labels = new byte[p.dims[0]];
        System.arraycopy(p.data, p.offset, labels, 0, labels.length);
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xff;
            if (label >= numClasses) {
                throw new IdxFormatException(file, LABEL_OUT_OF_RANGE,
                        "label " + label + " at index " + i + " is outside 0.." + (numClasses - 1));
            }
        }
        return labels;
    }

    /** Reads only the header and returns the number of dimensions (1 for labels, 3 for images). */
    public static int dimensions(Path file) throws IOException {
        byte[] head;
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
                head = in.readNBytes(4);
            }
        } catch (NoSuchFileException e) {
            throw new IdxFormatException(file, UNREADABLE, "file not found", e);
        } catch (ZipException | EOFException e) {
            throw new IdxFormatException(file, CORRUPT_GZIP, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
        checkMagic(file, head, -1);
        return head[3];
    }

    private record Parsed(byte[] data, int offset, int[] dims) {
    }

    private static Parsed parse(Path file, int expectedDims) throws IOException {
        return parse(file, content(file), expectedDims);
    }

    private static Parsed parse(Path file, byte[] raw, int expectedDims) throws IOException {
        checkMagic(file, raw, expectedDims);
        int header = 4 + 4 * expectedDims;
        if (raw.length < header) {
            throw new IdxFormatException(file, LENGTH_MISMATCH, "truncated header (" + raw.length + " bytes)");
        }
        int[] dims = new int[expectedDims];
        long expected = 1;
        for (int d = 0; d < expectedDims; d++) {
            dims[d] = readInt(raw, 4 + 4 * d);
            if (dims[d] < 0) {
                throw new IdxFormatException(file, BAD_DIMENSIONS, "dimension " + d + " is negative: " + dims[d]);
            }
            expected *= dims[d];
        }
        long actual = raw.length - (long) header;
        if (actual != expected) {
            throw new IdxFormatException(file, LENGTH_MISMATCH, (actual < expected ? "truncated" : "trailing bytes")
                    + ": the header announces " + expected + " data bytes, the file holds " + actual);
        }
        return new Parsed(raw, header, dims);
    }

    private static void checkMagic(Path file, byte[] raw, int expectedDims) throws IdxFormatException {
        if (raw.length < 4 || raw[0] != 0 || raw[1] != 0 || raw[2] != UBYTE) {
            throw new IdxFormatException(file, BAD_MAGIC, "not an unsigned-byte IDX file (bad magic number)");
        }
        if (expectedDims > 0 && raw[3] != expectedDims) {
            throw new IdxFormatException(file, BAD_MAGIC, "magic number says " + raw[3] + " dimension(s), expected "
                    + (expectedDims >= 3 ? "3 or 4 (an image file)" : expectedDims + " (a label file)"));
        }
    }

    /** The file's bytes, inflated when they start with the gzip signature. */
    static byte[] content(Path file) throws IOException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IdxFormatException(file, UNREADABLE, "file not found", e);
        } catch (IOException e) {
            throw new IdxFormatException(file, UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
        if (raw.length < 2 || raw[0] != (byte) 0x1f || raw[1] != (byte) 0x8b) {
            return raw;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
            // the gzip trailer stores the inflated size modulo 2^32: a good first guess for the buffer
            int hint = raw.length >= 18 ? readIntLittleEndian(raw, raw.length - 4) : 0;
            return hint > 0 ? readFully(in, hint) : in.readAllBytes();
        } catch (ZipException | EOFException e) {
            throw new IdxFormatException(file, CORRUPT_GZIP, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] readFully(InputStream in, int hint) throws IOException {
        byte[] head = in.readNBytes(hint);
        int next = in.read();
        if (next < 0) {
            return head;
        }
        // the trailer only holds the size modulo 2^32 (or the stream is concatenated): read the rest
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length * 2);
        out.write(head);
        out.write(next);
        in.transferTo(out);
        return out.toByteArray();
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static int readIntLittleEndian(byte[] b, int at) {
        return (b[at + 3] & 0xff) << 24 | (b[at + 2] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at] & 0xff);
    }
}
