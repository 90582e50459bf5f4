package org.dl4jvae.app;

import static org.dl4jvae.app.AppFixture.run;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model family through the command line: every variant, a variant the app has never heard of, old runs. */
class ModelFamilyAppTest {

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = AppFixture.dataset(tmp.resolve("data"));
    }

    static AppFixture.Result train(Path out, String... extra) {
        String[] base = {"train", "--data-dir", data.toString(), "--epochs", "1", "--hidden", "32", "--latent", "4",
                "--batch-size", "100", "--progress", "plain", "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return run(args);
    }

    static void assertUsage(AppFixture.Result r, String text) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(text), r.err());
    }

    @Test
    void aVariantRegisteredOutsideTheAppTrainsThroughTheSamePath() throws Exception {
        AppFixture.Result help = run("train", "--help");
        assertTrue(help.out().contains("toy") && help.out().contains("--toy-gain"), help.out());
        Path out = tmp.resolve("toy");
        AppFixture.Result r = train(out, "--model", "toy", "--toy-gain", "0.5");
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> model = (Map<?, ?>) AppFixture.parse(Files.readString(out.resolve("config.json"))).get("model");
        assertEquals("toy", model.get("model"));
        assertEquals(0.5, model.get("toy_gain"));
        AppFixture.Result eval = run("evaluate", "--run", out.toString(), "--iw-samples", "5");
        assertEquals(0, eval.exit(), eval.err());
        assertEquals("toy", AppFixture.parse(eval.out().trim()).get("model"));
        assertUsage(train(tmp.resolve("toy-bad"), "--model", "toy", "--toy-gain", "-1"), "--toy-gain must be a positive number, got -1.0");
    }

    @Test
    void everyBuiltInVariantTrainsAndTheCommandsThatApplyWork() throws Exception {
        for (String model : new String[] {"beta-vae", "iwae", "cvae", "ae", "dae"}) {
            Path out = tmp.resolve("m-" + model);
            AppFixture.Result r = train(out, "--model", model);
            assertEquals(0, r.exit(), model + ": " + r.err());
            assertTrue(r.out().contains("model " + model), r.out());
            AppFixture.Result eval = run("evaluate", "--run", out.toString());
            assertEquals(0, eval.exit(), eval.err());
            Map<String, Object> json = AppFixture.parse(eval.out().trim());
            boolean probabilistic = !model.equals("ae") && !model.equals("dae");
            assertEquals(probabilistic, json.containsKey("iw_nll"), model + ": " + json);
            assertEquals(!probabilistic, json.containsKey("reconstruction_loss"), model + ": " + json);
            Path png = tmp.resolve(model + "-rec.png");
            assertEquals(0, run("reconstruct", "--run", out.toString(), "--out", png.toString()).exit());
            assertEquals(0, run("interpolate", "--run", out.toString(), "--from", "0", "--to", "1", "--out",
                    tmp.resolve(model + "-int.png").toString()).exit());
            AppFixture.Result sample = run("sample", "--run", out.toString(), "--out", tmp.resolve(model + ".png").toString());
            if (probabilistic) {
                assertEquals(0, sample.exit(), sample.err());
                assertTrue(Files.isRegularFile(out.resolve("samples/epoch-001.png")));
            } else {
                assertUsage(sample, "sample does not apply to --model " + model);
                assertFalse(Files.exists(out.resolve("samples")), "no samples from a model without a prior");
                assertUsage(run("evaluate", "--run", out.toString(), "--iw-samples", "5"), "--iw-samples does not apply");
            }
        }
        Path cvae = tmp.resolve("m-cvae");
        assertEquals(10L, ((Map<?, ?>) AppFixture.parse(Files.readString(cvae.resolve("config.json"))).get("model"))
                .get("classes"), "the number of classes comes from the data");
        AppFixture.Result three = run("sample", "--run", cvae.toString(), "--label", "3", "--count", "4", "--out",
                tmp.resolve("three.png").toString());
        assertEquals(0, three.exit(), three.err());
        assertUsage(run("sample", "--run", cvae.toString(), "--label", "10", "--out", tmp.resolve("x.png").toString()),
                "--label must be a class in 0..9");
        assertUsage(run("sample", "--run", tmp.resolve("m-beta-vae").toString(), "--label", "3", "--out",
                tmp.resolve("x.png").toString()), "--label applies to conditional models");
    }

    @Test
    void settingsThatDoNotFitTheModelAreUsageErrors() {
        assertUsage(train(tmp.resolve("u1"), "--beta", "4"), "--beta does not apply to --model vae (it is a setting of beta-vae)");
        assertUsage(train(tmp.resolve("u2"), "--model", "iwae", "--iw-k", "0"), "--iw-k must be in [1, 256], got 0");
        assertUsage(train(tmp.resolve("u3"), "--model", "dae", "--corruption", "x"), "--corruption cannot be 'x'");
        assertUsage(train(tmp.resolve("u4"), "--model", "gan"), "--model must be one of vae, beta-vae");
        assertUsage(train(tmp.resolve("u5"), "--model", "iwae", "--engine", "dl4j"), "runs on the samediff engine");
        assertUsage(train(tmp.resolve("u6"), "--lr", "0"), "--lr must be a positive number");
        for (String u : new String[] {"u1", "u2", "u3", "u4", "u5", "u6"}) {
            assertFalse(Files.exists(tmp.resolve(u)), "nothing written for a usage error");
        }
    }

    /** A run directory as the toolkit wrote it before the model family: flat config.json, properties header. */
    @Test
    void runsFromBeforeTheFamilyStillLoadAndResume() throws Exception {
        Path run = tmp.resolve("old");
        assertEquals(0, train(run).exit());
        Map<?, ?> now = AppFixture.parse(Files.readString(run.resolve("config.json")));
        Files.writeString(run.resolve("config.json"), "{\"engine\":\"samediff\",\"dataset\":\"mnist\",\"data_dir\":\""
                + ((Map<?, ?>) now.get("data")).get("data_dir") + "\",\"epochs\":1,\"batch_size\":100,\"hidden\":32,"
                + "\"latent\":4,\"lr\":0.001,\"beta\":1.0,\"seed\":1,\"limit\":null,\"exclude_class\":null,"
                + "\"decoder\":\"bernoulli\",\"init\":\"pytorch\",\"dl4j_version\":\"1.0.0-M2.1\"}\n");
        Path last = run.resolve("checkpoints/last.zip");
        byte[] payload = null;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(last))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals("model.bin")) {
                    payload = zip.readAllBytes();
                }
            }
        }
        Properties p = new Properties();
        Map.of("engine", "samediff", "format", "1", "inputSize", "784", "hidden", "32", "latent", "4",
                "decoder", "BERNOULLI", "init", "PYTORCH", "learningRate", "0.001", "beta", "1.0", "seed", "1")
                .forEach(p::setProperty);
        p.setProperty("meta.epoch", "1");
        p.setProperty("meta.best_test_loss", "500.0");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(last))) {
            zip.putNextEntry(new ZipEntry("vae.properties"));
            p.store(zip, "dl4j-vae model");
            zip.putNextEntry(new ZipEntry("model.bin"));
            zip.write(payload);
        }
        AppFixture.Result eval = run("evaluate", "--run", run.toString(), "--iw-samples", "5");
        assertEquals(0, eval.exit(), eval.err());
        AppFixture.Result resumed = run("train", "--resume", run.toString(), "--epochs", "2", "--progress", "plain");
        assertEquals(0, resumed.exit(), resumed.err());
        assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size(), "epoch 1 from metrics.csv, epoch 2 new");
        assertEquals("vae", ((Map<?, ?>) AppFixture.parse(Files.readString(run.resolve("config.json"))).get("model"))
                .get("model"));
    }
}
