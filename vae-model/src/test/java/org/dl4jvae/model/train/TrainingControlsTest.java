package org.dl4jvae.model.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.samediff.SameDiffVae;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;

/** The training controls, each against its definition. */
class TrainingControlsTest {

    static ImageSet train;
    static ImageSet test;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() throws Exception {
        ImageSet all = TestData.digits(700);
        train = all.limit(500);
        test = all.select(java.util.stream.IntStream.range(500, 700).toArray());
    }

    static VaeConfig small(String model) {
        return ModelFamily.config(model).withSizes(784, 32, 4).withSeed(3);
    }

    static TrainingConfig controls(int epochs, double valSplit, Integer patience, double minDelta, LrSchedule lr,
                                   int klWarmup, double clip) {
        return new TrainingConfig(epochs, 100, 5, valSplit, patience, minDelta, lr, klWarmup, clip);
    }

    static EpochResult row(int epoch, double selection) {
        return new EpochResult(epoch, selection, 0, 0, 0, 0, 0, null, null, null);
    }

    @Test
    void settingsAFileDoesNotNameTakeTheirDefaults() throws Exception {
        TrainingConfig old = org.dl4jvae.model.ModelFamily.json().readValue(
                "{\"epochs\":3,\"batch_size\":64,\"seed\":2}", TrainingConfig.class);
        assertEquals(new TrainingConfig(3, 64, 2), old);
        assertEquals("constant", old.lrSchedule().type());
        TrainingConfig partial = org.dl4jvae.model.ModelFamily.json().readValue(
                "{\"epochs\":3,\"batch_size\":64,\"seed\":2,\"lr_schedule\":{\"type\":\"step\"}}", TrainingConfig.class);
        assertEquals(10, partial.lrSchedule().stepEpochs());
        assertEquals(old, org.dl4jvae.model.ModelFamily.json().readValue(
                org.dl4jvae.model.ModelFamily.json().writeValueAsString(old), TrainingConfig.class), "round trip");
    }

    @Test
    void schedulesFollowTheirFormulas() {
        double base = 1e-3;
        ISchedule step = new LrSchedule("step", 2, 0.5, 0, 0, 0).toSchedule(base, 100);
        assertEquals(base, step.valueAt(0, 0));
        assertEquals(base, step.valueAt(15, 1));
        assertEquals(base / 2, step.valueAt(20, 2));
        assertEquals(base / 4, step.valueAt(99, 5), 1e-15);
        ISchedule exp = new LrSchedule("exponential", 1, 0.9, 0, 0, 0).toSchedule(base, 100);
        assertEquals(base * Math.pow(0.9, 3), exp.valueAt(30, 3), 1e-15);
        ISchedule cos = new LrSchedule("cosine", 1, 1, 1e-5, 0, 0).toSchedule(base, 100);
        assertEquals(base, cos.valueAt(0, 0), 1e-15);
        assertEquals((base + 1e-5) / 2, cos.valueAt(50, 2), 1e-15);
        assertEquals(1e-5, cos.valueAt(100, 4), 1e-15);
        ISchedule warm = new LrSchedule("constant", 1, 1, 0, 10, 0).toSchedule(base, 100);
        assertEquals(base / 10, warm.valueAt(0, 0), 1e-15);
        assertEquals(base / 2, warm.valueAt(4, 0), 1e-15);
        assertEquals(base, warm.valueAt(9, 0), 1e-15);
        assertEquals(base, warm.valueAt(50, 3), 1e-15);
        assertThrows(org.dl4jvae.model.InvalidSettingException.class, () -> new LrSchedule("linear", 1, 1, 0, 0, 0));
    }

    @Test
    void klWarmupRaisesTheWeightLinearlyOverItsEpochs() throws Exception {
        TrainingConfig c = controls(6, 0, null, 0, null, 4, 0);
        assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0, 1.0),
                java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(c::klWeight).toList());
        Trainer t = Trainer.start(SameDiffVae.create(small("vae")), c.withEpochs(3), dir);
        List<EpochResult> h = t.fit(train, test, Trainer.Listener.NONE);
        assertEquals(List.of(0.0, 0.25, 0.5), h.stream().map(EpochResult::klWeight).toList());
        assertThrows(UnsupportedOperationException.class, () -> SameDiffVae.create(small("ae")).setKlWeight(0.5));
    }

    @Test
    void earlyStoppingAndPlateauCountEpochsWithoutImprovement() throws Exception {
        List<EpochResult> h = new ArrayList<>();
        double[] losses = {5.0, 4.0, 4.5, 3.95, 4.2, 4.1};
        for (int i = 0; i < losses.length; i++) {
            h.add(row(i + 1, losses[i]));
        }
        assertEquals(2, Trainer.epochsWithoutImprovement(h, 0.0), "best 3.95 at epoch 4, then two worse");
        assertEquals(4, Trainer.epochsWithoutImprovement(h, 0.1), "3.95 is not better than 4.0 by more than 0.1");
        assertEquals(2, Trainer.plateauDecays(h, new LrSchedule("plateau", 1, 0.5, 0, 0, 2), 0.1));
        assertEquals(0, Trainer.plateauDecays(h, LrSchedule.constant(), 0.1));

        // a learning rate too small to improve by 1 nat: the run stops after its patience
        VaeEngine vae = SameDiffVae.create(small("vae").withLearningRate(1e-9));
        Trainer t = Trainer.start(vae, controls(20, 0.2, 2, 1.0, null, 0, 0), dir);
        List<EpochResult> run = t.fit(train, test, Trainer.Listener.NONE);
        assertEquals(3, run.size());
        assertTrue(t.stopped().contains("early stopping") && t.stopped().contains("validation"), t.stopped());
        Trainer again = Trainer.resume(controls(20, 0.2, 2, 1.0, null, 0, 0), dir);
        assertEquals(t.stopped(), again.stopped(), "the reason is kept in the checkpoint");
        assertEquals(3, again.fit(train, test, Trainer.Listener.NONE).size(), "a stopped run stays stopped");
    }

    @Test
    void freeBitsStopTheKlGradientOfDimensionsBelowTheFloor() {
        // a floor far above any dimension's KL: the KL term is a constant and only the reconstruction trains
        VaeEngine floored = SameDiffVae.create(small("vae").with("free_bits", 1000.0));
        VaeEngine noKl = SameDiffVae.create(small("vae"));
        noKl.setKlWeight(0);
        INDArray x = MinibatchIterator.builder(train).batchSize(50).shuffle(false).build().next().getFeatures();
        for (int step = 0; step < 3; step++) {
            Nd4j.getRandom().setSeed(40 + step);
            double a = floored.trainStep(x);
            Nd4j.getRandom().setSeed(40 + step);
            double b = noKl.trainStep(x);
            assertEquals(b + 1000.0 * 50 * 4, a, 1e-3 * Math.abs(a), "the floor: 1000 nats x 50 images x 4 dimensions");
        }
        Map<String, INDArray> wa = floored.weights();
        Map<String, INDArray> wb = noKl.weights();
        for (String k : wa.keySet()) {
            assertTrue(wa.get(k).equalsWithEps(wb.get(k), 1e-6), k + ": the same gradients, so the same steps");
        }
        // with a floor of 0 the free-bits form is the KL itself
        assertThrows(org.dl4jvae.model.InvalidSettingException.class, () -> small("ae").with("free_bits", 1.0));
    }

    @Test
    void aResumedRunMidScheduleEndsWithTheSameNumbers() throws Exception {
        TrainingConfig c = controls(4, 0.2, null, 0, new LrSchedule("cosine", 1, 1, 1e-5, 3, 0), 2, 50.0);
        Trainer whole = Trainer.start(SameDiffVae.create(small("beta-vae")), c, dir.resolve("whole"));
        List<EpochResult> expected = whole.fit(train, test, Trainer.Listener.NONE);

        Trainer first = Trainer.start(SameDiffVae.create(small("beta-vae")), c, dir.resolve("parts"));
        class Interrupted extends RuntimeException { }
        assertThrows(Interrupted.class, () -> first.fit(train, test, new Trainer.Listener() {
            @Override
            public void onEpochStart(int epoch, int epochs, int images) {
                if (epoch == 3) {
                    throw new Interrupted(); // after epoch 2's checkpoint, as a kill would
                }
            }
        }));
        Trainer rest = Trainer.resume(c, dir.resolve("parts"));
        List<EpochResult> got = rest.fit(train, test, Trainer.Listener.NONE);
        assertEquals(4, got.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(expected.get(i).trainLoss(), got.get(i).trainLoss(), 0.0, "epoch " + (i + 1));
            assertEquals(expected.get(i).valLoss(), got.get(i).valLoss(), "epoch " + (i + 1));
            assertEquals(expected.get(i).lr(), got.get(i).lr(), "epoch " + (i + 1));
            assertEquals(expected.get(i).klWeight(), got.get(i).klWeight(), "epoch " + (i + 1));
        }
        assertTrue(expected.get(3).lr() < expected.get(0).lr(), "the cosine came down");
        assertEquals(whole.model().weights().get("fc4_W"), rest.model().weights().get("fc4_W"));
    }

    @Test
    void theTestSetNeverChoosesTheBestCheckpoint() throws Exception {
        TrainingConfig c = controls(4, 0.2, null, 0, null, 0, 0);
        ImageSet otherTest = TestData.synthetic(200, 9);
        Trainer a = Trainer.start(SameDiffVae.create(small("vae")), c, dir.resolve("a"));
        Trainer b = Trainer.start(SameDiffVae.create(small("vae")), c, dir.resolve("b"));
        List<EpochResult> ha = a.fit(train, test, Trainer.Listener.NONE);
        List<EpochResult> hb = b.fit(train, otherTest, Trainer.Listener.NONE);
        assertNotEquals(ha.get(0).testLoss(), hb.get(0).testLoss(), "the test sets differ");
        assertEquals(a.bestEpoch(), b.bestEpoch());
        assertEquals(VaeEngines.load(Trainer.best(dir.resolve("a"))).engine().weights().get("fc1_W"),
                VaeEngines.load(Trainer.best(dir.resolve("b"))).engine().weights().get("fc1_W"));
        double bestVal = ha.stream().mapToDouble(EpochResult::valLoss).min().orElseThrow();
        assertEquals(bestVal, ha.get(a.bestEpoch() - 1).valLoss());
    }
}
