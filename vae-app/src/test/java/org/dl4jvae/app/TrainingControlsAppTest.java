package org.dl4jvae.app;

import static org.dl4jvae.app.AppFixture.concat;
import static org.dl4jvae.app.AppFixture.run;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training controls through the command line: recorded, shown, refused where they do not apply. */
class TrainingControlsAppTest {

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = AppFixture.dataset(tmp.resolve("data"));
    }

    @Test
    void aResearchRunRecordsItsControlsAndShowsValidation() throws Exception {
        Path out = tmp.resolve("research");
        AppFixture.Result r = run("train", "--data-dir", data.toString(), "--model", "beta-vae", "--beta", "2",
                "--hidden", "32", "--latent", "4", "--batch-size", "100", "--epochs", "4", "--val-split", "0.2",
                "--patience", "5", "--lr-schedule", "cosine", "--lr-warmup-steps", "4", "--kl-warmup", "2",
                "--free-bits", "0.1", "--clip-norm", "1000", "--progress", "plain", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("480 training images"), "the validation images are held out: " + r.out());
        Map<String, Object> config = AppFixture.parse(Files.readString(out.resolve("config.json")));
        Map<?, ?> training = (Map<?, ?>) config.get("training");
        assertEquals(0.2, training.get("val_split"));
        assertEquals(2L, training.get("kl_warmup"));
        assertEquals("cosine", ((Map<?, ?>) training.get("lr_schedule")).get("type"));
        assertEquals(0.1, ((Map<?, ?>) config.get("model")).get("free_bits"));
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,test_loss,train_seconds,images_per_second,val_loss,test_reconstruction,test_kl,"
                + "lr,beta", metrics.get(0));
        String[] first = metrics.get(1).split(",", -1);
        String[] last = metrics.get(4).split(",", -1);
        assertFalse(first[5].isEmpty(), "a validation loss every epoch");
        assertEquals("0.0000", first[9], "the KL weight starts at 0");
        assertEquals("2.0000", last[9], "then it is the model's beta");
        assertTrue(Double.parseDouble(last[8]) < Double.parseDouble(first[8]), "the cosine came down");
        assertEquals(Double.parseDouble(first[2]), Double.parseDouble(first[6]) + Double.parseDouble(first[7]), 1e-5);

        AppFixture.Result more = run("train", "--resume", out.toString(), "--epochs", "5", "--lr", "2e-4",
                "--progress", "plain");
        assertEquals(0, more.exit(), more.err());
        List<?> changes = (List<?>) AppFixture.parse(Files.readString(out.resolve("config.json"))).get("changes");
        assertEquals(Map.of("from_epoch", 5L, "setting", "lr", "value", "2.0E-4"), changes.get(0));
        AppFixture.Result newSchedule = run("train", "--resume", out.toString(), "--epochs", "6", "--lr-schedule",
                "step", "--lr-step-epochs", "1", "--lr-gamma", "0.5", "--progress", "plain");
        assertEquals(0, newSchedule.exit(), newSchedule.err());
        Map<String, Object> after = AppFixture.parse(Files.readString(out.resolve("config.json")));
        assertEquals("step", ((Map<?, ?>) ((Map<?, ?>) after.get("training")).get("lr_schedule")).get("type"));
        Map<?, ?> second = (Map<?, ?>) ((List<?>) after.get("changes")).get(1);
        assertEquals(6L, second.get("from_epoch"));
        assertEquals("lr_schedule", second.get("setting"));
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        double lr6 = Double.parseDouble(rows.get(6).split(",", -1)[8]);
        assertEquals(2e-4 * Math.pow(0.5, 5), lr6, 1e-12, "the step schedule from the new base, at epoch index 5");
        AppFixture.Result partial = run("train", "--resume", out.toString(), "--epochs", "7", "--lr-gamma", "0.1");
        assertEquals(2, partial.exit());
        assertTrue(partial.err().contains("name it with --lr-schedule"), partial.err());
        AppFixture.Result refused = run("train", "--resume", out.toString(), "--epochs", "6", "--kl-warmup", "3");
        assertEquals(2, refused.exit());
        assertTrue(refused.err().contains("--kl-warmup cannot change on --resume"), refused.err());
    }

    @Test
    void controlsThatDoNotApplyAreUsageErrors() {
        String[] base = {"train", "--data-dir", data.toString(), "--epochs", "1", "--out"};
        AppFixture.Result dl4j = run(concat(base, tmp.resolve("c1").toString(), "--engine", "dl4j", "--kl-warmup", "2"));
        assertEquals(2, dl4j.exit());
        assertTrue(dl4j.err().contains("need --engine samediff"), dl4j.err());
        AppFixture.Result ae = run(concat(base, tmp.resolve("c2").toString(), "--model", "ae", "--free-bits", "1"));
        assertEquals(2, ae.exit());
        assertTrue(ae.err().contains("--free-bits does not apply to model ae"), ae.err());
        AppFixture.Result split = run(concat(base, tmp.resolve("c3").toString(), "--val-split", "1.5"));
        assertEquals(2, split.exit());
        assertTrue(split.err().contains("--val-split must be in [0, 1)"), split.err());
        AppFixture.Result sched = run(concat(base, tmp.resolve("c4").toString(), "--lr-schedule", "linear"));
        assertEquals(2, sched.exit());
        assertTrue(sched.err().contains("--lr-schedule must be one of constant, step"), sched.err());
        AppFixture.Result rng = run(concat(base, tmp.resolve("c5").toString(), "--engine", "dl4j", "--rng", "pytorch"));
        assertEquals(2, rng.exit());
        assertTrue(rng.err().contains("--rng pytorch needs --engine samediff"), rng.err());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("c5")), "nothing written");
    }
}
