package org.dl4jvae.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, and finds the real MNIST test set in ../shared when it is there. */
public final class TestIdx {

    private TestIdx() {
    }

    /** IDX bytes for {@code count} images of rows x cols whose pixel p of image i is (i * 7 + p) mod 256. */
    public static byte[] images(int count, int rows, int cols) {
        byte[] pixels = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < rows * cols; p++) {
                pixels[i * rows * cols + p] = (byte) ((i * 7 + p) % 256);
            }
        }
        return idx(3, new int[] {count, rows, cols}, pixels);
    }

    /** IDX bytes for labels i mod 10. */
    public static byte[] labels(int count) {
        byte[] l = new byte[count];
        for (int i = 0; i < count; i++) {
            l[i] = (byte) (i % 10);
        }
        return idx(1, new int[] {count}, l);
    }

    public static byte[] idx(int ndim, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * ndim + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) ndim);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    public static byte[] gzip(byte[] raw) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(raw);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared MNIST test set directory ({@code <project>/../shared/data/mnist}), if present. */
    public static Optional<Path> sharedMnist() {
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/data/mnist");
            if (Files.isRegularFile(candidate.resolve("t10k-images-idx3-ubyte.gz"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
