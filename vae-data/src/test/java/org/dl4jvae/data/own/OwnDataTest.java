package org.dl4jvae.data.own;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.dl4jvae.data.BadDataException;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.Scaling;
import org.dl4jvae.data.Shape;
import org.dl4jvae.data.idx.IdxFormatException;
import org.dl4jvae.data.idx.IdxWriter;
import org.dl4jvae.data.source.DataSource;
import org.dl4jvae.data.source.DataSource.Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** The user's own data in each format, made here: shapes, values and labels as written, and every defect named. */
class OwnDataTest {

    @TempDir
    Path dir;

    private static DataSource.Splits read(Format f, Path p) throws IOException {
        return new DataSource(f, p, null, null, 0.25, 1).read();
    }

    // ---- IDX

    private static byte[] ramp(int n, int size) {
        byte[] b = new byte[n * size];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 13 % 256);
        }
        return b;
    }

    private void idx(Path d, int n, int channels, int rows, int cols, int classes, String prefix) throws IOException {
        String dims = channels == 1 ? "idx3" : "idx4";
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % classes);
        }
        IdxWriter.writeImages(d.resolve(prefix + "-images-" + dims + "-ubyte.gz"), n, channels, rows, cols,
                ramp(n, channels * rows * cols), true);
        IdxWriter.writeLabels(d.resolve(prefix + "-labels-idx1-ubyte.gz"), labels, true);
    }

    @Test
    void idxOfAnySizeAndWithChannelsKeepsItsShapeValuesAndClasses() throws IOException {
        for (int[] s : new int[][] {{1, 32, 32}, {1, 1, 1}, {3, 8, 12}, {2, 5, 7}}) {
            Path d = Files.createDirectories(dir.resolve(s[0] + "x" + s[1] + "x" + s[2]));
            idx(d, 12, s[0], s[1], s[2], 3, "train");
            idx(d, 6, s[0], s[1], s[2], 3, "t10k");
            DataSource.Splits splits = read(Format.IDX, d);
            assertEquals(new Shape(s[0], s[1], s[2]), splits.train().shape());
            assertEquals(3, splits.train().numClasses());
            assertEquals(6, splits.test().size());
            byte[] expected = ramp(12, s[0] * s[1] * s[2]);
            int last = expected.length - 1;
            assertEquals((expected[last] & 0xff) / 255f, splits.train().value(11, s[0] * s[1] * s[2] - 1));
        }
    }

    @Test
    void idxTestLabelsOutsideTheTrainingClassesAreNamed() throws IOException {
        idx(dir, 12, 1, 4, 4, 3, "train");
        idx(dir, 6, 1, 4, 4, 5, "t10k");
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> read(Format.IDX, dir));
        assertTrue(e.getMessage().contains("t10k-labels") && e.getMessage().contains("outside 0..2"), e.getMessage());
    }

    @Test
    void idxTrainAndTestOfDifferentShapesAreRefused() throws IOException {
        idx(dir, 12, 1, 4, 4, 3, "train");
        idx(dir, 6, 1, 4, 8, 3, "t10k");
        BadDataException e = assertThrows(BadDataException.class, () -> read(Format.IDX, dir));
        assertTrue(e.getMessage().contains("1x4x4") && e.getMessage().contains("1x4x8"), e.getMessage());
    }

    // ---- image folders

    /** A PNG whose pixel (y, x) of channel c is (40 * c + 10 * y + x + seed) mod 256; grey when channels is 1. */
    static Path png(Path file, int channels, int rows, int cols, int seed) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(cols, rows, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY
                : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                if (channels == 1) {
                    img.getRaster().setSample(x, y, 0, level(0, y, x, seed));
                } else {
                    img.setRGB(x, y, level(0, y, x, seed) << 16 | level(1, y, x, seed) << 8 | level(2, y, x, seed));
                }
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    static int level(int c, int y, int x, int seed) {
        return (40 * c + 10 * y + x + seed) % 256;
    }

    @Test
    void rgbClassFoldersGiveLabelsBySortedNameAndExactChannelPlanes() throws IOException {
        for (String cls : List.of("dog", "cat")) {
            for (int i = 0; i < 4; i++) {
                png(dir.resolve("train").resolve(cls).resolve(i + ".png"), 3, 6, 4, i + (cls.equals("dog") ? 100 : 0));
                png(dir.resolve("test").resolve(cls).resolve(i + ".png"), 3, 6, 4, i);
            }
        }
        Files.writeString(dir.resolve("train").resolve("README.txt"), "not an image"); // passed over
        DataSource.Splits s = read(Format.IMAGES, dir);
        ImageSet train = s.train();
        assertEquals(new Shape(3, 6, 4), train.shape());
        assertEquals(List.of("cat", "dog"), train.classNames());
        assertEquals(8, train.size());
        // files in name order: cat/0..3 then dog/0..3
        assertEquals(0, train.label(0));
        assertEquals(1, train.label(4));
        int dog1 = 5; // dog/1.png, seed 101
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals(level(c, y, x, 101) / 255f, train.value(dog1, c * 24 + y * 4 + x), 0f);
                }
            }
        }
        assertEquals(List.of("cat", "dog"), s.test().classNames());
    }

    @Test
    void greyImagesWithoutClassFoldersAreSplitBySeedAndUnlabelled() throws IOException {
        for (int i = 0; i < 20; i++) {
            png(dir.resolve(String.format("img%02d.png", i)), 1, 5, 5, i);
        }
        DataSource.Splits a = read(Format.IMAGES, dir);
        DataSource.Splits b = read(Format.IMAGES, dir);
        assertEquals(new Shape(1, 5, 5), a.train().shape());
        assertFalse(a.train().labelled());
        assertEquals(15, a.train().size());
        assertEquals(5, a.test().size());
        assertArrayEquals(a.test().pixels(), b.test().pixels(), "the same seed gives the same test set");
        // pixel (2, 3) of image i is 23 + i: the two parts hold each image once, with its exact grey levels
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (ImageSet part : List.of(a.train(), a.test())) {
            for (int i = 0; i < part.size(); i++) {
                int seed = Math.round(part.value(i, 2 * 5 + 3) * 255) - level(0, 2, 3, 0);
                seen.add(seed);
                assertEquals(level(0, 4, 4, seed) / 255f, part.value(i, 4 * 5 + 4), 0f);
            }
        }
        assertEquals(20, seen.size());
        DataSource.Splits other = new DataSource(Format.IMAGES, dir, null, null, 0.25, 2).read();
        assertFalse(java.util.Arrays.equals(a.test().pixels(), other.test().pixels()), "another seed, another split");
    }

    @Test
    void mixedSizesAreNamedWithTheResizeHintAndResizeMakesOneSize() throws IOException {
        png(dir.resolve("a.png"), 3, 8, 8, 0);
        png(dir.resolve("b.png"), 3, 8, 8, 1);
        png(dir.resolve("c.png"), 3, 16, 12, 2);
        png(dir.resolve("d.png"), 1, 8, 8, 3);
        BadDataException e = assertThrows(BadDataException.class, () -> read(Format.IMAGES, dir));
        assertTrue(e.getMessage().contains("c.png") && e.getMessage().contains("16x12")
                && e.getMessage().contains("--resize 8x8"), e.getMessage());
        ImageSet all = ImageSetOf(new DataSource(Format.IMAGES, dir, new int[] {4, 4}, null, 0.25, 1).read());
        assertEquals(new Shape(3, 4, 4), all.shape(), "a grey image among colour ones fills all three channels");
    }

    private static ImageSet ImageSetOf(DataSource.Splits s) {
        return ImageSet.concat(List.of(s.train(), s.test()));
    }

    @Test
    void brokenFoldersAreNamed() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(assertThrows(BadDataException.class, () -> read(Format.IMAGES, empty)).getMessage()
                .contains("no PNG, JPEG or BMP images"));

        Path broken = dir.resolve("broken");
        png(broken.resolve("a.png"), 1, 4, 4, 0);
        Files.write(broken.resolve("b.png"), new byte[] {1, 2, 3, 4});
        BadDataException e = assertThrows(BadDataException.class, () -> read(Format.IMAGES, broken));
        assertTrue(e.getMessage().contains("b.png") && e.getMessage().contains("not a readable image"), e.getMessage());

        Path mixed = dir.resolve("mixed");
        png(mixed.resolve("a.png"), 1, 4, 4, 0);
        png(mixed.resolve("cls").resolve("b.png"), 1, 4, 4, 0);
        assertTrue(assertThrows(BadDataException.class, () -> read(Format.IMAGES, mixed)).getMessage()
                .contains("both directly in it and in sub-folders"));

        Path unknown = dir.resolve("unknown");
        png(unknown.resolve("train").resolve("cat").resolve("a.png"), 1, 4, 4, 0);
        png(unknown.resolve("test").resolve("cow").resolve("a.png"), 1, 4, 4, 0);
        e = assertThrows(BadDataException.class, () -> read(Format.IMAGES, unknown));
        assertTrue(e.getMessage().contains("'cow'") && e.getMessage().contains("[cat]"), e.getMessage());

        Path half = dir.resolve("half");
        png(half.resolve("train").resolve("a.png"), 1, 4, 4, 0);
        assertTrue(assertThrows(BadDataException.class, () -> read(Format.IMAGES, half)).getMessage()
                .contains("no test/ folder"));
    }

    // ---- CSV

    private Path csv(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void csvWithHeaderAndNamedLabelColumn() throws IOException {
        csv("train.csv", "a,kind,b\n1.5,x,2\n-3,y,4e-1\n\"5\",x,6\n\n");
        csv("test.csv", "a,kind,b\n7,y,8\n");
        DataSource.Splits s = new DataSource(Format.CSV, dir, null, "kind", 0.25, 1).read();
        assertEquals(Shape.features(2), s.train().shape());
        assertArrayEquals(new float[] {1.5f, 2, -3, 0.4f, 5, 6}, s.train().values());
        assertEquals(List.of("x", "y"), s.train().classNames());
        assertEquals(1, s.train().label(1));
        assertEquals(1, s.test().label(0));
    }

    @Test
    void csvWithoutHeaderWithNumberedIntegerLabelsOrNone() throws IOException {
        Path f = csv("t.csv", "0.1,0.2,2\n0.3,0.4,0\n0.5,0.6,1\n0.7,0.8,2\n");
        ImageSet labelled = org.dl4jvae.data.csv.CsvTable.read(f, "3", null);
        assertEquals(List.of("0", "1", "2"), labelled.classNames());
        assertEquals(2, labelled.label(0));
        ImageSet plain = org.dl4jvae.data.csv.CsvTable.read(f, null, null);
        assertEquals(Shape.features(3), plain.shape());
        assertFalse(plain.labelled());
        DataSource.Splits s = new DataSource(Format.CSV, f, null, null, 0.25, 1).read();
        assertEquals(3, s.train().size());
        assertEquals(1, s.test().size());
    }

    @Test
    void csvDefectsNameTheFileRowAndColumn() throws IOException {
        Path ragged = csv("ragged.csv", "1,2,3\n4,5\n");
        BadDataException e = assertThrows(BadDataException.class, () -> org.dl4jvae.data.csv.CsvTable.read(ragged, null, null));
        assertTrue(e.getMessage().contains("ragged.csv") && e.getMessage().contains("row 2 has 2 cells"), e.getMessage());

        Path text = csv("text.csv", "a,b\n1,2\n3,oops\n");
        e = assertThrows(BadDataException.class, () -> org.dl4jvae.data.csv.CsvTable.read(text, null, null));
        assertTrue(e.getMessage().contains("row 3, column 2 (b): 'oops' is not a number"), e.getMessage());

        Path nan = csv("nan.csv", "1,2\n3,NaN\n");
        e = assertThrows(BadDataException.class, () -> org.dl4jvae.data.csv.CsvTable.read(nan, null, null));
        assertTrue(e.getMessage().contains("row 2, column 2") && e.getMessage().contains("finite"), e.getMessage());

        Path empty = csv("empty.csv", "");
        assertTrue(assertThrows(BadDataException.class, () -> org.dl4jvae.data.csv.CsvTable.read(empty, null, null))
                .getMessage().contains("empty"));
        Path header = csv("header.csv", "a,b\n");
        assertTrue(assertThrows(BadDataException.class, () -> org.dl4jvae.data.csv.CsvTable.read(header, null, null))
                .getMessage().contains("no rows"));

        csv("train.csv", "1,0\n2,1\n");
        csv("test.csv", "3,7\n");
        e = assertThrows(BadDataException.class, () -> new DataSource(Format.CSV, dir, null, "2", 0.25, 1).read());
        assertTrue(e.getMessage().contains("test.csv") && e.getMessage().contains("label '7'"), e.getMessage());

        Path bad = csv("bad.csv", "1,2\n");
        assertTrue(assertThrows(BadDataException.class, () -> org.dl4jvae.data.csv.CsvTable.read(bad, "9", null))
                .getMessage().contains("--label-column 9"));
    }

    // ---- scaling and batches

    @Test
    void scalingIsFittedOnTrainingDataWithConstantFeaturesMendedAndRoundTrips() throws IOException {
        ImageSet train = ImageSet.ofFloats(Shape.features(3), 0, null,
                new float[] {0, 5, 10, 2, 5, 30, 4, 5, 20}, new byte[3]);
        ImageSet test = ImageSet.ofFloats(Shape.features(3), 0, null, new float[] {8, 6, 10}, new byte[1]);

        Scaling minmax = Scaling.fit(Scaling.Kind.MINMAX, train);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 0, 1, 1, 0, 0.5f}, minmax.apply(train).values(), 1e-6f);
        assertArrayEquals(new float[] {1, 1, 0}, minmax.apply(test).values(), 1e-6f,
                "beyond the training range: clipped; a constant feature: its offset from the constant");

        Scaling standard = Scaling.fit(Scaling.Kind.STANDARD, train);
        float[] z = standard.apply(train).values();
        assertEquals(0, z[0] + z[3] + z[6], 1e-5);
        assertEquals(0, z[1], 0f);
        assertEquals(1, standard.apply(test).values()[1], 1e-6f, "constant feature: divided by 1, not by 1e-5");

        Path file = dir.resolve("scaler.bin");
        standard.write(file);
        Scaling back = Scaling.read(file);
        assertEquals(Scaling.Kind.STANDARD, back.kind());
        assertArrayEquals(z, back.apply(train).values(), 0f);
        INDArray x = org.nd4j.linalg.factory.Nd4j.create(z, new long[] {3, 3}, 'c');
        assertArrayEquals(train.values(), back.revert(x).data().asFloat(), 1e-4f);
        assertEquals(Scaling.Kind.NONE, Scaling.read(dir.resolve("absent.bin")).kind());
    }

    @Test
    void floatAndUnlabelledSetsGoThroughTheIterator() {
        ImageSet set = ImageSet.ofFloats(Shape.features(2), 0, null, new float[] {1.5f, -2, 3, 4}, new byte[2]);
        DataSet b = MinibatchIterator.builder(set).batchSize(2).shuffle(false).build().next();
        assertArrayEquals(new float[] {1.5f, -2, 3, 4}, b.getFeatures().data().asFloat());
        assertNull(b.getLabels());
    }
}
