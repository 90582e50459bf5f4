package org.dl4jvae.app;

import static org.dl4jvae.app.AppFixture.run;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.io.Npz;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The run directory survives a kill at any point, refuses what disagrees with its checkpoint, and is held by one
 * process at a time. Kills are real: a second JVM halts itself at a named point ({@code VAE_HALT_AT}).
 */
class RunDirectoryTest {

    @TempDir
    static Path tmp;
    static Path data;
    static Path reference;

    static final int EPOCHS = 3;

    @BeforeAll
    static void referenceRun() throws Exception {
        data = AppFixture.dataset(tmp.resolve("data"));
        reference = tmp.resolve("reference");
        assertEquals(0, run(trainArgs(reference)).exit());
    }

    static String[] trainArgs(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--hidden", "32", "--latent", "4", "--batch-size", "100", "--progress", "plain",
                "--out", out.toString()));
        a.addAll(List.of(extra));
        if (!a.contains("--epochs")) {
            a.addAll(List.of("--epochs", Integer.toString(EPOCHS)));
        }
        return a.toArray(String[]::new);
    }

    /** The app in a JVM of its own; returns its exit status. */
    static Process start(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), VaeApp.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        return pb.start();
    }

    static int runOutside(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the app ended");
        return p.exitValue();
    }

    /** Every file under a run directory (but its lock) with its content, for comparison. */
    static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = dir.relativize(p).toString();
                if (!name.equals(".lock")) {
                    out.put(name, Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    /** metrics.csv without its timing columns. */
    static List<String> losses(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("metrics.csv")).stream()
                .map(l -> String.join(",", List.of(l.split(",")).subList(0, 3))).toList();
    }

    static void assertSameWeights(Path a, Path b) throws Exception {
        Map<String, INDArray> wa = VaeEngines.load(a).engine().weights();
        Map<String, INDArray> wb = VaeEngines.load(b).engine().weights();
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) {
            assertEquals(wa.get(k), wb.get(k), a + " vs " + b + ": " + k);
        }
    }

    @Test
    void aKillAtAnyPointIsRepairedByResumeToTheUninterruptedDirectory() throws Exception {
        String[] points = {"epoch-shown", "before-rename:last.zip", "after-rename:last.zip", "before-rename:best.zip",
                "after-rename:best.zip", "before-rename:metrics.csv", "after-rename:metrics.csv",
                "before-rename:epoch-002.png", "before-rename:loss.png", "before-rename:config.json"};
        Map<String, byte[]> expected = files(reference);
        for (String point : points) {
            Path dir = tmp.resolve("killed-" + point.replace(':', '-'));
            int status = runOutside(Map.of("VAE_HALT_AT", point), trainArgs(dir));
            assertEquals(137, status, point + ": the run was halted there");
            // before its settings are written a run is not one yet: it is started again
            AppFixture.Result resumed = Files.exists(dir.resolve("config.json"))
                    ? run("train", "--resume", dir.toString(), "--progress", "plain") : run(trainArgs(dir));
            assertEquals(0, resumed.exit(), point + ": " + resumed.err());
            Map<String, byte[]> got = files(dir);
            assertEquals(expected.keySet(), got.keySet(), point + ": the same files");
            assertEquals(losses(reference), losses(dir), point + ": the same numbers");
            assertSameWeights(reference.resolve("checkpoints/last.zip"), dir.resolve("checkpoints/last.zip"));
            assertSameWeights(reference.resolve("checkpoints/best.zip"), dir.resolve("checkpoints/best.zip"));
            for (String name : expected.keySet()) {
                if (name.endsWith(".png") && !name.equals("loss.png")) {
                    assertArrayEquals(expected.get(name), got.get(name), point + ": " + name);
                }
            }
        }
    }

    @Test
    void aRunStoppedBeforeItsFirstEpochResumesFromEpochZero() throws Exception {
        Path dir = tmp.resolve("no-epoch");
        assertEquals(137, runOutside(Map.of("VAE_HALT_AT", "before-rename:last.zip"), trainArgs(dir)));
        assertFalse(Files.exists(dir.resolve("checkpoints/last.zip")));
        AppFixture.Result eval = run("evaluate", "--run", dir.toString());
        assertEquals(1, eval.exit());
        assertTrue(eval.err().contains("no epoch has completed") && eval.err().contains("--resume"), eval.err());
        AppFixture.Result resumed = run("train", "--resume", dir.toString(), "--progress", "plain");
        assertEquals(0, resumed.exit(), resumed.err());
        assertEquals(losses(reference), losses(dir));
    }

    @Test
    void configJsonMustAgreeWithTheCheckpointAndStaysAsItWasWhenItDoesNot() throws Exception {
        Path dir = tmp.resolve("edited");
        assertEquals(0, run(trainArgs(dir, "--epochs", "1")).exit());
        Path config = dir.resolve("config.json");
        String edited = Files.readString(config).replace("\"hidden\" : 32", "\"hidden\" : 64");
        Files.writeString(config, edited);
        AppFixture.Result r = run("train", "--resume", dir.toString(), "--epochs", "2");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("says hidden 64") && r.err().contains("holds hidden 32"), r.err());
        assertEquals(edited, Files.readString(config), "a failed resume changes nothing");
        assertEquals(2, Files.readAllLines(dir.resolve("metrics.csv")).size());

        Files.writeString(config, edited.replace("\"hidden\" : 64", "\"hidden\" : 32")
                .replace("\"batch_size\" : 100", "\"batch_size\" : 64.9"));
        r = run("train", "--resume", dir.toString(), "--epochs", "2");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("config.json is not a valid run configuration"), r.err());
        Files.writeString(config, edited.replace("\"hidden\" : 64", "\"hidden\" : 32"));
        r = run("train", "--resume", dir.toString(), "--epochs", "2", "--progress", "plain");
        assertEquals(0, r.exit(), "a failed command leaves the run unlocked: " + r.err());
    }

    @Test
    void resumingOnImagesOfAnotherShapeIsRefusedAndChangesNothing() throws Exception {
        Path dir = tmp.resolve("other-shape");
        assertEquals(0, run(trainArgs(dir, "--epochs", "1")).exit());
        Path other = tmp.resolve("data64");
        byte[] pixels = new byte[300 * 64 * 64];
        new java.util.SplittableRandom(2).nextBytes(pixels);
        org.dl4jvae.data.ImageSet big = new org.dl4jvae.data.ImageSet(64, 64, 10, pixels, new byte[300]);
        for (org.dl4jvae.data.source.Dataset.Split split : org.dl4jvae.data.source.Dataset.Split.values()) {
            big.write(other.resolve(split.imagesFile()), other.resolve(split.labelsFile()), true);
        }
        String config = Files.readString(dir.resolve("config.json"));
        Map<String, byte[]> before = files(dir);
        AppFixture.Result r = run("train", "--resume", dir.toString(), "--epochs", "2", "--data-dir", other.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("reads 784 values per image") && r.err().contains("4096"), r.err());
        assertEquals(config, Files.readString(dir.resolve("config.json")), "config.json as it was");
        assertEquals(before.keySet(), files(dir).keySet());
    }

    @Test
    void picturesTakeTheImagesOwnHeightAndWidth() throws Exception {
        Path wide = tmp.resolve("data20x36");
        byte[] pixels = new byte[300 * 20 * 36];
        for (int i = 0; i < 300; i++) { // a bright vertical bar at column i % 36
            for (int r = 0; r < 20; r++) {
                pixels[i * 720 + r * 36 + i % 36] = (byte) 255;
            }
        }
        org.dl4jvae.data.ImageSet set = new org.dl4jvae.data.ImageSet(20, 36, 10, pixels, new byte[300]);
        for (org.dl4jvae.data.source.Dataset.Split split : org.dl4jvae.data.source.Dataset.Split.values()) {
            set.write(wide.resolve(split.imagesFile()), wide.resolve(split.labelsFile()), true);
        }
        Path dir = tmp.resolve("wide-run");
        AppFixture.Result r = run("train", "--data-dir", wide.toString(), "--epochs", "1", "--hidden", "16",
                "--latent", "2", "--batch-size", "100", "--progress", "plain", "--out", dir.toString());
        assertEquals(0, r.exit(), r.err());
        java.awt.image.BufferedImage samples = javax.imageio.ImageIO.read(dir.resolve("samples/epoch-001.png").toFile());
        assertEquals(8 * 72 + 9 * 2, samples.getWidth(), "8 images 36 pixels wide, twice their size");
        assertEquals(8 * 40 + 9 * 2, samples.getHeight(), "8 images 20 pixels high");
        Map<?, ?> data = (Map<?, ?>) AppFixture.parse(Files.readString(dir.resolve("config.json"))).get("data");
        assertEquals(20L, data.get("image_rows"));
        assertEquals(36L, data.get("image_cols"));
        Path png = tmp.resolve("wide-sample.png");
        assertEquals(0, run("sample", "--run", dir.toString(), "--count", "4", "--out", png.toString()).exit());
        assertEquals(2 * 72 + 3 * 2, javax.imageio.ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void theLearningRateMayChangeOnResume() throws Exception {
        Path dir = tmp.resolve("new-lr");
        assertEquals(0, run(trainArgs(dir, "--epochs", "1")).exit());
        AppFixture.Result r = run("train", "--resume", dir.toString(), "--epochs", "2", "--lr", "5e-4");
        assertEquals(0, r.exit(), r.err());
        assertEquals(5e-4, VaeEngines.load(dir.resolve("checkpoints/last.zip")).engine().config().learningRate());
        Map<?, ?> model = (Map<?, ?>) AppFixture.parse(Files.readString(dir.resolve("config.json"))).get("model");
        assertEquals(5e-4, model.get("lr"));
        AppFixture.Result other = run("train", "--resume", dir.toString(), "--epochs", "3", "--hidden", "8");
        assertEquals(2, other.exit());
        assertTrue(other.err().contains("--hidden cannot change on --resume"), other.err());
    }

    @Test
    void aSecondProcessOnTheSameRunIsRefused() throws Exception {
        Path dir = tmp.resolve("locked");
        assertEquals(0, run(trainArgs(dir, "--epochs", "1")).exit());
        Process other = start(Map.of(), "train", "--resume", dir.toString(), "--epochs", "500", "--progress", "plain");
        try {
            Path lock = dir.resolve(".lock");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(lock) && Files.readString(lock).trim().equals(Long.toString(other.pid())))) {
                assertTrue(System.nanoTime() < deadline && other.isAlive(), "the other process took the lock");
                Thread.sleep(50);
            }
            AppFixture.Result r = run("train", "--resume", dir.toString(), "--epochs", "2");
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("in use by another process (pid " + other.pid() + ")"), r.err());
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void weightsThatAreNotFiniteAreRefused() throws Exception {
        VaeEngine vae = VaeEngines.load(reference.resolve("checkpoints/last.zip")).engine();
        Map<String, INDArray> w = vae.weights();
        w.get("fc1_b").putScalar(0, Double.NaN);
        Path npz = tmp.resolve("nan.npz");
        try (var out = Files.newOutputStream(npz)) {
            Npz.write(Npz.pytorchStateDict(w), out);
        }
        AppFixture.Result r = run("import", "--weights", npz.toString(), "--out", tmp.resolve("nan-run").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("fc1_b") && r.err().contains("not finite"), r.err());
        assertFalse(Files.exists(tmp.resolve("nan-run/checkpoints/last.zip")));
    }

    @Test
    void aCutOrEmptyMetricsFileIsRewrittenFromTheCheckpoint() throws Exception {
        for (String broken : new String[] {"epoch,train_loss,test_loss\n1,300.12", ""}) {
            Path dir = tmp.resolve("metrics-" + broken.length());
            assertEquals(0, run(trainArgs(dir, "--epochs", "2")).exit());
            Files.writeString(dir.resolve("metrics.csv"), broken);
            AppFixture.Result r = run("train", "--resume", dir.toString(), "--epochs", "3", "--progress", "plain");
            assertEquals(0, r.exit(), r.err());
            assertEquals(losses(reference), losses(dir));
        }
    }

    @Test
    void aPathTheLocaleCannotNameIsOneClearLine() throws Exception {
        Process p = start(Map.of("LANG", "C", "LC_ALL", "C"), "train", "--data-dir", data.toString(), "--epochs", "1",
                "--out", tmp.resolve("r\u00e9sultat").toString());
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        if (p.exitValue() == 0) {
            return; // this JVM names such paths whatever the locale (file.encoding and sun.jnu.encoding UTF-8)
        }
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("cannot be used here") && out.contains("UTF-8") && !out.contains("\tat "), out);
    }

    @Test
    void seedZeroIsReproducible() throws Exception {
        Path a = tmp.resolve("seed0-a");
        Path b = tmp.resolve("seed0-b");
        assertEquals(0, run(trainArgs(a, "--epochs", "1", "--seed", "0")).exit());
        assertEquals(0, run(trainArgs(b, "--epochs", "1", "--seed", "0")).exit());
        assertEquals(losses(a), losses(b));
    }

    @Test
    void boundsOnPicturesAndSamples() {
        String r = reference.toString();
        assertEquals(2, run("interpolate", "--run", r, "--from", "0", "--to", "1", "--steps", "100000", "--out",
                tmp.resolve("x.png").toString()).exit());
        assertEquals(2, run("evaluate", "--run", r, "--iw-samples", "100000").exit());
        AppFixture.Result s = run("sample", "--run", r, "--count", "1000000", "--out", tmp.resolve("y.png").toString());
        assertEquals(2, s.exit());
        assertTrue(s.err().contains("--count must be in 1..10000") && s.err().contains("--help"), s.err());
        AppFixture.Result jpg = run("sample", "--run", r, "--out", tmp.resolve("lp.jpg").toString());
        assertEquals(2, jpg.exit());
        assertTrue(jpg.err().contains("name the file .png"), jpg.err());
        assertFalse(Files.exists(tmp.resolve("lp.jpg")));
        AppFixture.Result png = run("sample", "--run", r, "--count", "4", "--out", tmp.resolve("four.png").toString());
        assertEquals("wrote " + tmp.resolve("four.png"), png.out().trim(), "a command says what it wrote");
        AppFixture.Result b = run("bench", "--batch-size", "100000000", "--batches", "3");
        assertEquals(2, b.exit());
        assertTrue(b.err().contains("must stay below"), b.err());
    }
}
