package org.dl4jvae.app;

import static org.dl4jvae.app.AppFixture.concat;
import static org.dl4jvae.app.AppFixture.run;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train command end to end on a small real dataset: the run directory, resume, and divergence. */
class TrainCommandTest {

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void prepare() throws Exception {
        data = AppFixture.dataset(Files.createDirectories(tmp.resolve("data")));
    }

    static String[] train(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data-dir", data.toString(), "--hidden", "32",
                "--latent", "4", "--batch-size", "64", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    static BufferedImage png(Path p) throws Exception {
        BufferedImage img = ImageIO.read(p.toFile());
        assertNotNull(img, p + " is a readable PNG");
        return img;
    }

    @Test
    void writesTheWholeRunDirectory() throws Exception {
        Path out = tmp.resolve("run");
        AppFixture.Result r = run(train(out, "--epochs", "2"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("engine samediff"), r.out());
        assertTrue(r.out().contains("backend CPU"), r.out());
        assertTrue(r.out().contains("600 training images, 200 test images"), r.out());
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("epoch ")).count(), "one plain line per epoch");

        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertTrue(metrics.get(0).startsWith("epoch,train_loss,test_loss,train_seconds,images_per_second,"), metrics.get(0));
        assertEquals(3, metrics.size());
        String[] last = metrics.get(2).split(",");
        assertEquals("2", last[0]);
        assertTrue(Double.parseDouble(last[2]) > 0 && Double.parseDouble(last[2]) < 600, metrics.toString());

        Map<String, Object> config = AppFixture.parse(Files.readString(out.resolve("config.json")));
        assertEquals("samediff", config.get("engine"));
        Map<?, ?> model = (Map<?, ?>) config.get("model");
        assertEquals("vae", model.get("model"));
        assertEquals(32L, model.get("hidden"));
        assertEquals(784L, model.get("input_size"));
        assertEquals(2L, ((Map<?, ?>) config.get("training")).get("epochs"));
        Map<?, ?> environment = (Map<?, ?>) config.get("environment");
        assertEquals("CPU", environment.get("backend"));
        assertEquals("1.0.0-M2.1", environment.get("dl4j_version"));
        assertEquals("auto", environment.get("products"));

        assertEquals(8 * 56 + 9 * 2, png(out.resolve("samples/epoch-002.png")).getWidth(), "8x8 grid of 2x digits");
        BufferedImage rec = png(out.resolve("reconstructions/epoch-001.png"));
        assertEquals(2 * 56 + 3 * 2, rec.getHeight(), "8 test images above their reconstructions");
        assertTrue(png(out.resolve("loss.png")).getWidth() >= 400);
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/last.zip")));
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/best.zip")));
        try (var files = Files.walk(out)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    /**
     * {@code --products onednn} moves a batch of 100 rows of small layers (OpenBLAS's by default) to oneDNN: the run
     * records it and ends at nearly the same losses; a value it does not know is a usage error.
     */
    @Test
    void productsInOneDnnAreRecordedAndTrainAlike() throws Exception {
        Path auto = tmp.resolve("products-auto");
        Path onednn = tmp.resolve("products-onednn");
        // batches of 100 rows (the fixture's are 64, which oneDNN takes on one thread either way)
        String[] batch100 = {"train", "--data-dir", data.toString(), "--hidden", "32", "--latent", "4", "--epochs", "1",
            "--batch-size", "100", "--seed", "2", "--out"};
        assertEquals(0, run(concat(batch100, auto.toString())).exit());
        AppFixture.Result r = run(concat(batch100, onednn.toString(), "--products", "onednn"));
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> environment = (Map<?, ?>) AppFixture.parse(Files.readString(onednn.resolve("config.json")))
                .get("environment");
        assertEquals("onednn", environment.get("products"));
        double a = Double.parseDouble(Files.readAllLines(auto.resolve("metrics.csv")).get(1).split(",")[2]);
        double b = Double.parseDouble(Files.readAllLines(onednn.resolve("metrics.csv")).get(1).split(",")[2]);
        assertEquals(a, b, 1e-3 * a, "test loss, products in OpenBLAS and in oneDNN");

        AppFixture.Result bad = run(train(tmp.resolve("products-bad"), "--products", "mkl"));
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--products must be auto or onednn"), bad.err());
        assertFalse(Files.exists(tmp.resolve("products-bad")), "no run directory for a usage error");
    }

    @Test
    void resumedRunEndsExactlyLikeAnUninterruptedOne() throws Exception {
        Path straight = tmp.resolve("straight");
        Path split = tmp.resolve("split");
        assertEquals(0, run(train(straight, "--epochs", "3", "--engine", "dl4j")).exit());
        assertEquals(0, run(train(split, "--epochs", "1", "--engine", "dl4j")).exit());
        AppFixture.Result r = run("train", "--resume", split.toString(), "--epochs", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("resuming after epoch 1"), r.out());
        List<String> a = Files.readAllLines(straight.resolve("metrics.csv"));
        List<String> b = Files.readAllLines(split.resolve("metrics.csv"));
        assertEquals(4, b.size());
        for (int i = 1; i < 4; i++) {
            // epoch, train loss and test loss agree to the last printed digit; timings differ
            assertEquals(List.of(a.get(i).split(",")).subList(0, 3), List.of(b.get(i).split(",")).subList(0, 3));
        }
        // the model-using commands read the engine from config.json: a dl4j run works like a samediff one
        AppFixture.Result eval = run("evaluate", "--run", split.toString(), "--iw-samples", "5");
        assertEquals(0, eval.exit(), eval.err());
        assertEquals(200L, AppFixture.parse(eval.out().trim()).get("images"));
        Path png = tmp.resolve("dl4j-samples.png");
        assertEquals(0, run("sample", "--run", split.toString(), "--out", png.toString()).exit());
        assertEquals(8 * 56 + 9 * 2, png(png).getWidth());

        AppFixture.Result again = run("train", "--resume", split.toString(), "--epochs", "3");
        assertEquals(0, again.exit());
        assertTrue(again.out().contains("nothing to do"), again.out());
    }

    @Test
    void samediffResumeIsExactToo() throws Exception {
        Path straight = tmp.resolve("sd-straight");
        Path split = tmp.resolve("sd-split");
        assertEquals(0, run(train(straight, "--epochs", "2")).exit());
        assertEquals(0, run(train(split, "--epochs", "1")).exit());
        assertEquals(0, run("train", "--resume", split.toString(), "--epochs", "2").exit());
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).get(2).split(",")[2],
                Files.readAllLines(split.resolve("metrics.csv")).get(2).split(",")[2]);
    }

    @Test
    void divergenceStopsWithAClearMessageAndExitCode3() {
        Path out = tmp.resolve("nan");
        AppFixture.Result r = run(train(out, "--epochs", "3", "--lr", "1e30"));
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("training diverged"), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    }

    @Test
    void resumeRefusesChangedSettingsAndNewRunRefusesAnUsedDirectory() throws Exception {
        Path out = tmp.resolve("used");
        assertEquals(0, run(train(out, "--epochs", "1")).exit());
        AppFixture.Result changed = run("train", "--resume", out.toString(), "--hidden", "64");
        assertEquals(2, changed.exit());
        assertTrue(changed.err().contains("--hidden cannot change"), changed.err());
        AppFixture.Result reused = run(train(out, "--epochs", "1"));
        assertEquals(2, reused.exit());
        assertTrue(reused.err().contains("already exists"), reused.err());
    }
}
