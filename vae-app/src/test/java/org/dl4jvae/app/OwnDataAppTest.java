package org.dl4jvae.app;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.dl4jvae.data.idx.IdxWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on one's own data as a user would: a folder of 32 x 32 RGB PNGs with the convolutional and the MLP
 * network, a CSV table, a 1 x 1 IDX set; every picture of the right size and colour, a known input drawn as it is.
 */
class OwnDataAppTest {

    @TempDir
    static Path tmp;
    static Path images;

    /** Colour of pixel (y, x) of image {@code seed}: a diagonal gradient in red, a steady green, blue by seed. */
    static int rgb(int y, int x, int seed) {
        return (8 * y + 4 * x) % 256 << 16 | 120 << 8 | (seed * 37) % 256;
    }

    static void png(Path file, int seed) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, rgb(y, x, seed));
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    @BeforeAll
    static void folders() throws Exception {
        images = tmp.resolve("pets");
        for (String part : new String[] {"train", "test"}) {
            for (String cls : new String[] {"cat", "dog"}) {
                for (int i = 0; i < (part.equals("train") ? 12 : 4); i++) {
                    png(images.resolve(part).resolve(cls).resolve(i + ".png"), i + (cls.equals("dog") ? 50 : 0));
                }
            }
        }
    }

    @Test
    void a32x32RgbFolderTrainsWithBothNetworksAndEveryPictureIsInColourAndOfTheRightSize() throws Exception {
        for (String arch : new String[] {"conv", "mlp"}) {
            Path run = tmp.resolve("run-" + arch);
            AppFixture.Result r = AppFixture.run("train", "--format", "images", "--data-dir", images.toString(),
                    "--arch", arch, "--hidden", "16", "--latent", "2", "--epochs", "1", "--batch-size", "8", "--out",
                    run.toString(), "--progress", "plain");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("24 training images, 8 test images"), r.out());
            Map<String, Object> config = AppFixture.parse(Files.readString(run.resolve("config.json")));
            @SuppressWarnings("unchecked") Map<String, Object> data = (Map<String, Object>) config.get("data");
            assertEquals("images", data.get("format"));
            assertEquals("pets", data.get("dataset"));
            assertEquals(3L, data.get("channels"));
            @SuppressWarnings("unchecked") Map<String, Object> model = (Map<String, Object>) config.get("model");
            assertEquals(arch, model.get("arch"));
            assertEquals(3072L, model.get("input_size"));

            BufferedImage samples = ImageIO.read(run.resolve("samples/epoch-001.png").toFile());
            assertEquals(8 * 64 + 9 * 2, samples.getWidth()); // 8 x 8 images of 32 x 32, drawn twice as large
            assertEquals(8 * 64 + 9 * 2, samples.getHeight());
            assertEquals(3, samples.getColorModel().getNumColorComponents());
            BufferedImage recon = ImageIO.read(run.resolve("reconstructions/epoch-001.png").toFile());
            assertEquals(2 * 64 + 3 * 2, recon.getHeight());
            // the top row shows the test images in file order: test/cat/0.png first, pixel for pixel
            for (int y = 0; y < 32; y += 5) {
                for (int x = 0; x < 32; x += 3) {
                    assertEquals(rgb(y, x, 0), recon.getRGB(2 + 2 * x + 1, 2 + 2 * y + 1) & 0xffffff, "(" + y + "," + x + ")");
                }
            }
            Path out = tmp.resolve("sample-" + arch + ".png");
            AppFixture.Result s = AppFixture.run("sample", "--run", run.toString(), "--count", "4", "--out", out.toString());
            assertEquals(0, s.exit(), s.err());
            BufferedImage grid = ImageIO.read(out.toFile());
            assertEquals(2 * 64 + 3 * 2, grid.getWidth());
            assertEquals(3, grid.getColorModel().getNumColorComponents());
            // every other picture of the run is in colour too
            String[][] commands = {{"reconstruct", "--count", "4"}, {"interpolate", "--from", "0", "--to", "5"},
                    {"latent-plot"}, {"anomaly", "--top", "2"}};
            for (String[] c : commands) {
                Path png = tmp.resolve(c[0] + "-" + arch + ".png");
                String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(c),
                        java.util.stream.Stream.of("--run", run.toString(), "--out", png.toString())).toArray(String[]::new);
                AppFixture.Result done = AppFixture.run(args);
                assertEquals(0, done.exit(), c[0] + ": " + done.err());
                Path picture = c[0].equals("latent-plot") ? tmp.resolve("latent-plot-" + arch + "-manifold.png") : png;
                assertEquals(3, ImageIO.read(picture.toFile()).getColorModel().getNumColorComponents(), c[0]);
            }
        }
    }

    @Test
    void aCsvTableTrainsEvaluatesAndScoresButDrawsNoPictures() throws Exception {
        StringBuilder table = new StringBuilder("height,weight,species\n");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < 60; i++) {
            boolean big = i % 2 == 0;
            table.append(String.format(java.util.Locale.ROOT, "%.2f,%.2f,%s%n", (big ? 180 : 20) + rng.nextDouble() * 10,
                    (big ? 70 : 3) + rng.nextDouble() * 5, big ? "horse" : "cat"));
        }
        Path csv = Files.writeString(tmp.resolve("animals.csv"), table);
        Path run = tmp.resolve("run-csv");
        AppFixture.Result refused = AppFixture.run("train", "--format", "csv", "--data-dir", csv.toString(),
                "--label-column", "species", "--out", run.toString());
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("animals.csv") && refused.err().contains("range from")
                && refused.err().contains("--decoder gaussian") && refused.err().contains("--scale minmax"), refused.err());
        assertFalse(Files.exists(run), "nothing is written before the data are checked");
        // what a start killed after fitting the scaling but before config.json leaves: started again, fitted again
        Files.createDirectories(run);
        Files.writeString(run.resolve("scaler.bin"), "left by a killed start");

        AppFixture.Result r = AppFixture.run("train", "--format", "csv", "--data-dir", csv.toString(), "--label-column",
                "species", "--scale", "minmax", "--hidden", "8", "--latent", "2", "--epochs", "2", "--batch-size", "16",
                "--out", run.toString(), "--progress", "plain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("48 training images, 12 test images"), r.out());
        assertTrue(Files.isRegularFile(run.resolve("scaler.bin")));
        assertFalse(Files.exists(run.resolve("samples")), "a table has no pictures");

        AppFixture.Result e = AppFixture.run("evaluate", "--run", run.toString());
        assertEquals(0, e.exit(), e.err());
        assertTrue(Double.isFinite(((Number) AppFixture.parse(e.out()).get("elbo_loss")).doubleValue()), e.out());
        Path plot = tmp.resolve("latent.png");
        assertEquals(0, AppFixture.run("latent-plot", "--run", run.toString(), "--out", plot.toString()).exit());
        assertTrue(Files.isRegularFile(plot));
        assertFalse(Files.exists(tmp.resolve("latent-manifold.png")));
        Path anomaly = tmp.resolve("anomaly.png");
        AppFixture.Result a = AppFixture.run("anomaly", "--run", run.toString(), "--out", anomaly.toString());
        assertEquals(0, a.exit(), a.err());
        String scores = Files.readString(tmp.resolve("anomaly-scores.csv"));
        assertEquals(13, scores.lines().count(), scores);
        assertTrue(scores.contains(",horse,") && scores.contains(",cat,"), scores);
        assertFalse(Files.exists(anomaly));

        AppFixture.Result resumed = AppFixture.run("train", "--resume", run.toString(), "--epochs", "3", "--progress",
                "plain");
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("resuming after epoch 2"), resumed.out());
        assertEquals(4, Files.readAllLines(run.resolve("metrics.csv")).size());

        AppFixture.Result s = AppFixture.run("sample", "--run", run.toString(), "--out", tmp.resolve("s.png").toString());
        assertEquals(2, s.exit());
        assertTrue(s.err().lines().findFirst().orElse("").contains("table (--format csv), which has no pictures"), s.err());
    }

    @Test
    void oneByOneImagesTrainAndDrawOnePixelCells() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dots"));
        byte[] pixels = new byte[40];
        byte[] labels = new byte[40];
        for (int i = 0; i < 40; i++) {
            pixels[i] = (byte) (i * 6);
            labels[i] = (byte) (i % 2);
        }
        for (String p : new String[] {"train", "t10k"}) {
            IdxWriter.writeImages(dir.resolve(p + "-images-idx3-ubyte"), 40, 1, 1, 1, pixels, false);
            IdxWriter.writeLabels(dir.resolve(p + "-labels-idx1-ubyte"), labels, false);
        }
        Path run = tmp.resolve("run-dots");
        AppFixture.Result r = AppFixture.run("train", "--data-dir", dir.toString(), "--hidden", "4", "--latent", "1",
                "--epochs", "1", "--out", run.toString(), "--progress", "plain");
        assertEquals(0, r.exit(), r.err());
        BufferedImage recon = ImageIO.read(run.resolve("reconstructions/epoch-001.png").toFile());
        assertEquals(8 * 2 + 9 * 2, recon.getWidth());
        assertEquals(0, recon.getRaster().getSample(2, 2, 0), "the first test image is black");
        assertEquals(6, recon.getRaster().getSample(2 + 2 + 2, 2, 0), "the second is level 6");
    }

    @Test
    void badDataAndBadOptionsGetOneLine() throws Exception {
        AppFixture.Result noDir = AppFixture.run("train", "--format", "images");
        assertEquals(2, noDir.exit());
        assertTrue(noDir.err().contains("--data-dir"), noDir.err());
        AppFixture.Result conv = AppFixture.run("train", "--format", "images", "--data-dir", images.toString(), "--arch",
                "conv", "--resize", "30x30", "--out", tmp.resolve("never").toString());
        assertEquals(2, conv.exit());
        assertTrue(conv.err().contains("multiples of 4") && conv.err().contains("30x30"), conv.err());
        assertFalse(Files.exists(tmp.resolve("never")));
        AppFixture.Result resize = AppFixture.run("train", "--format", "images", "--data-dir", images.toString(),
                "--resize", "big");
        assertEquals(2, resize.exit());
        assertTrue(resize.err().contains("HEIGHTxWIDTH"), resize.err());
        Path plain = Files.writeString(tmp.resolve("plain.csv"), "0.1,0.2\n0.3,0.4\n0.5,0.6\n0.7,0.8\n0.9,0.1\n");
        AppFixture.Result cvae = AppFixture.run("train", "--format", "csv", "--data-dir", plain.toString(), "--model",
                "cvae", "--out", tmp.resolve("never").toString());
        assertEquals(2, cvae.exit());
        assertTrue(cvae.err().contains("--model cvae reads class labels, and these data have none"), cvae.err());
        AppFixture.Result format = AppFixture.run("train", "--format", "parquet", "--data-dir", images.toString());
        assertEquals(2, format.exit());
        assertTrue(format.err().contains("idx, images or csv"), format.err());
    }
}
