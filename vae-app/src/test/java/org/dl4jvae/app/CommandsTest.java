package org.dl4jvae.app;

import static org.dl4jvae.app.AppFixture.run;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that use a trained model, and every kind of bad input: one line on stderr, a non-zero exit. */
class CommandsTest {

    @TempDir
    static Path tmp;
    static Path data;
    static Path run2d;

    @BeforeAll
    static void trainOnce() throws Exception {
        data = AppFixture.dataset(Files.createDirectories(tmp.resolve("data")));
        run2d = tmp.resolve("run2d");
        AppFixture.Result r = run("train", "--data-dir", data.toString(), "--hidden", "64", "--latent", "2",
                "--epochs", "3", "--exclude-class", "1", "--out", run2d.toString());
        assertEquals(0, r.exit(), r.err());
    }

    static BufferedImage png(Path p) throws Exception {
        BufferedImage img = ImageIO.read(p.toFile());
        assertNotNull(img, p + " is a readable PNG");
        return img;
    }

    static void assertOneLineError(AppFixture.Result r, int exit, String contains) {
        assertEquals(exit, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(contains), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(r.err().lines().count() <= 2, "one message (and a --help hint): " + r.err());
    }

    @Test
    void evaluatePrintsOneJsonObjectWithTheIwBoundBelowTheElbo() {
        AppFixture.Result r = run("evaluate", "--run", run2d.toString(), "--iw-samples", "20");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = AppFixture.parse(r.out().trim());
        assertEquals(List.of("images", "model", "elbo_loss", "reconstruction", "kl", "iw_nll", "iw_samples"),
                List.copyOf(json.keySet()));
        assertEquals((Double) json.get("elbo_loss"), (Double) json.get("reconstruction") + (Double) json.get("kl"), 1e-9);
        assertEquals(200L, json.get("images"));
        assertEquals(20L, json.get("iw_samples"));
        assertTrue((Double) json.get("iw_nll") < (Double) json.get("elbo_loss"), json.toString());
    }

    @Test
    void theBestCheckpointCanBeUsedInstead() {
        AppFixture.Result r = run("evaluate", "--run", run2d.toString(), "--checkpoint", "best", "--iw-samples", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals(200L, AppFixture.parse(r.out().trim()).get("images"));
    }

    @Test
    void imageCommandsWriteRealPngs() throws Exception {
        Path s = tmp.resolve("s.png");
        assertEquals(0, run("sample", "--run", run2d.toString(), "--count", "16", "--out", s.toString()).exit());
        assertEquals(4 * 56 + 5 * 2, png(s).getWidth());
        Path rec = tmp.resolve("r.png");
        assertEquals(0, run("reconstruct", "--run", run2d.toString(), "--count", "8", "--out", rec.toString()).exit());
        int cell = 56 + 2; // a 28-pixel image at twice its size, and the gap
        assertTrue(png(rec).getWidth() >= 8 * cell, "8 images in a row");
        assertTrue(png(rec).getHeight() >= 2 * cell && png(rec).getHeight() < 3 * cell, "inputs over reconstructions, "
                + "one row each, under a title: " + png(rec).getHeight());
        Path in = tmp.resolve("i.png");
        assertEquals(0, run("interpolate", "--run", run2d.toString(), "--from", "0", "--to", "5", "--steps", "7",
                "--out", in.toString()).exit());
        assertTrue(png(in).getWidth() >= 9 * cell, "the two test images and 7 steps");
        assertTrue(png(in).getHeight() < 2 * cell, "one row");
        Path lp = tmp.resolve("latent.png");
        AppFixture.Result r = run("latent-plot", "--run", run2d.toString(), "--out", lp.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(png(lp).getWidth() > 500);
        BufferedImage manifold = png(tmp.resolve("latent-manifold.png"));
        assertTrue(manifold.getWidth() >= 20 * 30 && manifold.getHeight() >= 20 * 30, "latent = 2: the 20 x 20 manifold");
        assertTrue(r.out().contains("latent-manifold.png"), "says it wrote the manifold too: " + r.out());
    }

    @Test
    void exportWritesNpzForPytorchOrNamedArraysForNd4j() throws Exception {
        Path npz = tmp.resolve("w.npz");
        assertEquals(0, run("export", "--run", run2d.toString(), "--out", npz.toString()).exit());
        List<String> names = new java.util.ArrayList<>();
        try (var zip = new java.util.zip.ZipInputStream(Files.newInputStream(npz))) {
            for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of("fc1.weight.npy", "fc1.bias.npy", "fc21.weight.npy", "fc21.bias.npy", "fc22.weight.npy",
                "fc22.bias.npy", "fc3.weight.npy", "fc3.bias.npy", "fc4.weight.npy", "fc4.bias.npy"), names);
        Path bin = tmp.resolve("w.bin");
        assertEquals(0, run("export", "--run", run2d.toString(), "--out", bin.toString()).exit());
        try (var in = Files.newInputStream(bin)) {
            assertArrayEquals(new long[] {784, 64}, org.dl4jvae.model.io.NamedArrays.read(in).get("fc1_W").shape());
        }
    }

    @Test
    void importedWeightsGiveTheSameModelInEitherEngine() throws Exception {
        Path npz = tmp.resolve("roundtrip.npz");
        assertEquals(0, run("export", "--run", run2d.toString(), "--out", npz.toString()).exit());
        for (String engine : List.of("samediff", "dl4j")) {
            Path imported = tmp.resolve("imported-" + engine);
            AppFixture.Result r = run("import", "--weights", npz.toString(), "--out", imported.toString(), "--engine",
                    engine, "--data-dir", data.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("784-64-2"), r.out());
            Map<String, Object> original = AppFixture.parse(run("evaluate", "--run", run2d.toString(), "--iw-samples", "3").out().trim());
            Map<String, Object> copy = AppFixture.parse(run("evaluate", "--run", imported.toString(), "--iw-samples", "3").out().trim());
            assertEquals((Double) original.get("elbo_loss"), (Double) copy.get("elbo_loss"), 1e-4, engine);
        }
        AppFixture.Result resumed = run("train", "--resume", tmp.resolve("imported-dl4j").toString(), "--epochs", "1");
        assertEquals(0, resumed.exit(), resumed.err());
        assertOneLineError(run("import", "--weights", data.resolve("t10k-labels-idx1-ubyte.gz").toString(), "--out",
                tmp.resolve("bad-import").toString()), 1, "cannot read weights");
        assertFalse(Files.exists(tmp.resolve("bad-import")));
    }

    @Test
    void anomalyReportsTheAurocOfTheExcludedClass() throws Exception {
        Path out = tmp.resolve("anomaly.png");
        AppFixture.Result r = run("anomaly", "--run", run2d.toString(), "--out", out.toString(), "--top", "3");
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> json = AppFixture.parse(r.out().trim());
        assertEquals(1L, json.get("excluded_class"));
        double auroc = (Double) json.get("auroc");
        assertTrue(auroc >= 0 && auroc <= 1, json.toString());
        int height = png(out).getHeight();
        assertTrue(height >= 10 * 30 && height < 11 * 30 + 10 * 20, "one row per class, each with its scores: " + height);
        java.util.List<String> scores = java.nio.file.Files.readAllLines(Path.of((String) json.get("scores")));
        assertEquals("index,label,class,log_probability", scores.get(0));
        assertEquals(201, scores.size(), "every test image's score");
    }

    @Test
    void aurocOfAPerfectAndAReversedScore() {
        byte[] labels = {0, 0, 1, 1};
        org.dl4jvae.data.ImageSet s = new org.dl4jvae.data.ImageSet(1, 1, 10, new byte[4], labels);
        assertEquals(1.0, AnomalyCommand.auroc(s, new double[] {-1, -2, -10, -20}, 1));
        assertEquals(0.0, AnomalyCommand.auroc(s, new double[] {-10, -20, -1, -2}, 1));
        assertEquals(0.5, AnomalyCommand.auroc(s, new double[] {-1, -1, -1, -1}, 1));
    }

    @Test
    void benchSweepPrintsOneJsonLinePerPointOfTheGrid() {
        AppFixture.Result r = run("bench", "--sweep", "--batch-sizes", "16,32", "--hiddens", "8,12", "--images", "64",
                "--latent", "2");
        assertEquals(0, r.exit(), r.err());
        List<Map<String, Object>> points = r.out().lines().map(AppFixture::parse).toList();
        assertEquals(4, points.size());
        assertEquals(List.of(16L, 32L, 16L, 32L), points.stream().map(p -> p.get("batch_size")).toList());
        assertEquals(List.of(8L, 8L, 12L, 12L), points.stream().map(p -> p.get("hidden")).toList());
        assertTrue(points.stream().allMatch(p -> (Long) p.get("images_per_second") > 0));
    }

    @Test
    void benchPrintsOneJsonObjectWithTheStepTime() {
        AppFixture.Result conv = run("bench", "--arch", "conv", "--batches", "2", "--warmup", "1", "--batch-size", "8",
                "--latent", "2");
        assertEquals(0, conv.exit(), conv.err());
        assertEquals("conv", AppFixture.parse(conv.out().trim()).get("arch"));
        assertEquals(16L, AppFixture.parse(conv.out().trim()).get("hidden"), "the Keras example's dense layer");
        AppFixture.Result dl4jConv = run("bench", "--arch", "conv", "--engine", "dl4j");
        assertEquals(2, dl4jConv.exit());
        assertTrue(dl4jConv.err().contains("--engine samediff"), dl4jConv.err());
        for (String engine : List.of("samediff", "dl4j")) {
            AppFixture.Result r = run("bench", "--engine", engine, "--batches", "3", "--warmup", "1",
                    "--batch-size", "32", "--hidden", "16", "--latent", "2");
            assertEquals(0, r.exit(), r.err());
            Map<String, Object> json = AppFixture.parse(r.out().trim());
            assertEquals(List.of("engine", "model", "arch", "backend", "device", "batch_size", "hidden", "products",
                    "images_per_second", "ms_per_batch", "peak_rss_mb"), List.copyOf(json.keySet()));
            assertEquals(engine, json.get("engine"));
            assertEquals("auto", json.get("products"));
            assertEquals("mlp", json.get("arch"));
            assertEquals("CPU", json.get("backend"));
            assertEquals(32L, json.get("batch_size"));
            double ips = ((Number) json.get("images_per_second")).doubleValue();
            double ms = ((Number) json.get("ms_per_batch")).doubleValue();
            assertTrue(ips > 0 && ms > 0, json.toString());
            assertEquals(32 * 1000 / ms, ips, 0.01 * ips + 1, "images/s and ms per batch describe the same time");
            assertTrue(((Number) json.get("peak_rss_mb")).longValue() > 0);
        }
        // on a dataset's own images, more of them than the training set holds (cycled)
        AppFixture.Result r = run("bench", "--dataset", "mnist", "--data-dir", data.toString(), "--batches", "8",
                "--warmup", "0", "--hidden", "16", "--latent", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals(128L, AppFixture.parse(r.out().trim()).get("batch_size"));
        assertOneLineError(run("bench", "--engine", "torch"), 2, "unknown engine");
        assertOneLineError(run("bench", "--batches", "0"), 2, "must be positive");
        assertOneLineError(run("bench", "--dataset", "cifar"), 2, "cifar");
    }

    @Test
    void usageErrorsExitWith2() {
        assertOneLineError(run("train", "--no-such-option"), 2, "Unknown option");
        assertOneLineError(run("train", "--epochs", "zero"), 2, "--epochs");
        assertOneLineError(run("train", "--epochs", "0", "--data-dir", data.toString()), 2, "--epochs must be positive");
        assertOneLineError(run("train", "--engine", "torch"), 2, "unknown engine");
        assertOneLineError(run("frobnicate"), 2, "Unmatched argument");
        assertOneLineError(run("evaluate"), 2, "--run");
        assertOneLineError(run(), 2, "a command is required");
        assertOneLineError(run("evaluate", "--run", run2d.toString(), "--checkpoint", "first"), 2, "last or best");
    }

    @Test
    void missingOrWrongRunDirectories() throws Exception {
        assertOneLineError(run("evaluate", "--run", tmp.resolve("nope").toString()), 1, "does not exist");
        assertOneLineError(run("evaluate", "--run", data.toString()), 1, "is not a training run");

        Path other = tmp.resolve("other-engine");
        copyRun(run2d, other);
        Path config = other.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"engine\" : \"samediff\"", "\"engine\" : \"dl4j\""));
        assertOneLineError(run("evaluate", "--run", other.toString()), 1, "holds a vae model of the samediff engine");

        Path broken = tmp.resolve("broken-model");
        copyRun(run2d, broken);
        Files.writeString(broken.resolve("checkpoints/last.zip"), "not a zip");
        assertOneLineError(run("sample", "--run", broken.toString(), "--out", tmp.resolve("x.png").toString()), 1,
                "not a dl4j-vae model file");
    }

    static void copyRun(Path from, Path to) throws Exception {
        Files.createDirectories(to.resolve("checkpoints"));
        Files.copy(from.resolve("config.json"), to.resolve("config.json"));
        Files.copy(from.resolve("checkpoints/last.zip"), to.resolve("checkpoints/last.zip"));
    }

    @Test
    void corruptDataFilesAreNamed() throws Exception {
        Path bad = Files.createDirectories(tmp.resolve("bad-data"));
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(data.resolve(f), bad.resolve(f));
        }
        byte[] img = Files.readAllBytes(bad.resolve("train-images-idx3-ubyte.gz"));
        Files.write(bad.resolve("train-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(img, img.length / 2));
        Path out = tmp.resolve("never");
        assertOneLineError(run("train", "--data-dir", bad.toString(), "--out", out.toString()), 1,
                "train-images-idx3-ubyte.gz");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void noDataAndNoNetworkSaysWhatToDoAndWritesNothing() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        System.setProperty("vae.mirrors", "http://127.0.0.1:" + closed + "/");
        try {
            Path empty = Files.createDirectories(tmp.resolve("empty"));
            Path out = tmp.resolve("never2");
            AppFixture.Result r = run("train", "--data-dir", empty.toString(), "--out", out.toString());
            assertOneLineError(r, 1, "could not download");
            assertTrue(r.err().contains("t10k-labels-idx1-ubyte.gz") && r.err().contains(empty.toString()), r.err());
            assertFalse(Files.exists(out));
            try (var files = Files.list(empty)) {
                assertEquals(0, files.count(), "no partial download left");
            }
        } finally {
            System.clearProperty("vae.mirrors");
        }
    }

    @Test
    void unwritableOutputIsOneLineAndLeavesNothing() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        AppFixture.Result r = run("sample", "--run", run2d.toString(), "--out", file.resolve("x.png").toString());
        assertOneLineError(r, 1, "cannot write");
        AppFixture.Result t = run("train", "--data-dir", data.toString(), "--out", file.resolve("run").toString());
        assertEquals(1, t.exit(), t.err());
        assertTrue(t.err().contains("cannot create run directory"), t.err());
    }
}
