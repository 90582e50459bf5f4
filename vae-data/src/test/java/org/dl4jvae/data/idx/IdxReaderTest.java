package org.dl4jvae.data.idx;

import static org.dl4jvae.data.TestIdx.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.idx.IdxFormatException.Defect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsRawAndGzipIdenticallyWhateverTheName() throws Exception {
        byte[] raw = images(5, 4, 3);
        Path plain = write(dir, "a.gz", raw); // a misleading name: detection is by content
        Path gz = write(dir, "b.idx", gzip(raw));
        IdxImages a = IdxReader.readImages(plain);
        IdxImages b = IdxReader.readImages(gz);
        assertEquals(5, a.count());
        assertEquals(4, a.rows());
        assertEquals(3, a.cols());
        assertArrayEquals(a.pixels(), b.pixels());
        assertEquals((byte) ((2 * 7 + 5) % 256), a.pixels()[2 * 12 + 5]);
    }

    @Test
    void writerRoundTrips() throws Exception {
        byte[] pixels = IdxReader.readImages(write(dir, "src", images(6, 3, 2))).pixels();
        byte[] labels = IdxReader.readLabels(write(dir, "lab", labels(6)), 10);
        ImageSet set = new ImageSet(3, 2, 10, pixels, labels);
        set.write(dir.resolve("out-img.gz"), dir.resolve("out-lab.gz"), true);
        ImageSet back = ImageSet.read(dir.resolve("out-img.gz"), dir.resolve("out-lab.gz"), 10);
        assertArrayEquals(pixels, back.pixels());
        assertArrayEquals(labels, back.labels());
        assertEquals(3, back.rows());
    }

    @Test
    void readsLabels() throws Exception {
        byte[] l = IdxReader.readLabels(write(dir, "l", gzip(labels(23))), 10);
        assertEquals(23, l.length);
        assertEquals(2, l[12]);
    }

    private Defect defectOf(Executable e) {
        IdxFormatException ex = assertThrows(IdxFormatException.class, e::run);
        assertTrue(ex.getMessage().contains(dir.toString()), "message names the file: " + ex.getMessage());
        return ex.defect();
    }

    interface Executable {
        void run() throws Exception;
    }

    @Test
    void wrongMagic() {
        byte[] bad = images(2, 2, 2);
        bad[2] = 0x0D; // float data, not unsigned bytes
        Path p = write(dir, "magic", bad);
        assertEquals(Defect.BAD_MAGIC, defectOf(() -> IdxReader.readImages(p)));
        Path text = write(dir, "text", "hello world".getBytes());
        assertEquals(Defect.BAD_MAGIC, defectOf(() -> IdxReader.readImages(text)));
    }

    @Test
    void labelFileWhereImagesExpected() {
        Path p = write(dir, "labels", labels(4));
        IdxFormatException ex = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(p));
        assertEquals(Defect.BAD_MAGIC, ex.defect());
        assertTrue(ex.getMessage().contains("1 dimension"), ex.getMessage());
    }

    @Test
    void truncatedRawAndGzip() {
        byte[] full = images(3, 4, 4);
        byte[] cut = Arrays.copyOf(full, full.length - 5);
        Path raw = write(dir, "cut", cut);
        Path gz = write(dir, "cut.gz", gzip(cut));
        assertEquals(Defect.LENGTH_MISMATCH, defectOf(() -> IdxReader.readImages(raw)));
        assertEquals(Defect.LENGTH_MISMATCH, defectOf(() -> IdxReader.readImages(gz)));
        Path header = write(dir, "header", Arrays.copyOf(full, 9));
        assertEquals(Defect.LENGTH_MISMATCH, defectOf(() -> IdxReader.readImages(header)));
    }

    @Test
    void trailingBytes() {
        byte[] full = images(3, 4, 4);
        Path p = write(dir, "long", Arrays.copyOf(full, full.length + 1));
        IdxFormatException ex = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(p));
        assertEquals(Defect.LENGTH_MISMATCH, ex.defect());
        assertTrue(ex.getMessage().contains("trailing"));
    }

    @Test
    void zeroImageSize() {
        Path p = write(dir, "zero", idx(3, new int[] {2, 0, 4}, new byte[0]));
        assertEquals(Defect.BAD_DIMENSIONS, defectOf(() -> IdxReader.readImages(p)));
    }

    @Test
    void countMismatchBetweenImagesAndLabels() {
        Path img = write(dir, "img", images(5, 2, 2));
        Path lab = write(dir, "lab", labels(4));
        IdxFormatException ex = assertThrows(IdxFormatException.class, () -> ImageSet.read(img, lab, 10));
        assertEquals(Defect.COUNT_MISMATCH, ex.defect());
        assertTrue(ex.getMessage().contains("4 labels for 5 images"), ex.getMessage());
    }

    @Test
    void labelOutOfRange() {
        Path p = write(dir, "lab", idx(1, new int[] {3}, new byte[] {1, 10, 2}));
        IdxFormatException ex = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(p, 10));
        assertEquals(Defect.LABEL_OUT_OF_RANGE, ex.defect());
        assertTrue(ex.getMessage().contains("index 1"), ex.getMessage());
    }

    @Test
    void corruptGzip() {
        byte[] gz = gzip(images(20, 8, 8));
        byte[] broken = gz.clone();
        for (int i = 12; i < broken.length - 8; i += 3) {
            broken[i] ^= 0x5A;
        }
        Path p = write(dir, "broken.gz", broken);
        assertEquals(Defect.CORRUPT_GZIP, defectOf(() -> IdxReader.readImages(p)));
        Path cut = write(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertEquals(Defect.CORRUPT_GZIP, defectOf(() -> IdxReader.readImages(cut)));
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope");
        assertEquals(Defect.UNREADABLE, defectOf(() -> IdxReader.readImages(p)));
    }
}
