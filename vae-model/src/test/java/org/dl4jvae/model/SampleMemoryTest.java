package org.dl4jvae.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicLong;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Many-sample estimates keep one sample's temporaries at a time: the scratch memory they leave behind does not grow
 * with the number of samples (it once grew past a gigabyte for {@code evaluate}'s 100 samples).
 */
class SampleMemoryTest {

    @ParameterizedTest
    @ValueSource(strings = {"samediff", "dl4j"})
    void scratchMemoryDoesNotGrowWithTheNumberOfSamples(String kind) throws Exception {
        VaeEngine vae = VaeEngines.create(kind, VaeConfig.defaults().withSizes(784, 64, 8));
        ImageSet data = TestData.synthetic(200, 5);
        long few = scratchBytesAfter(() -> vae.importanceWeightedNll(batches(data), 2, 1));
        long many = scratchBytesAfter(() -> vae.importanceWeightedNll(batches(data), 40, 1));
        assertTrue(few > 0, "the estimate runs in the scratch workspaces");
        assertTrue(many < 3 * few, "scratch bytes: " + few + " with 2 samples, " + many + " with 40");

        // a caller may hold a scratch scope open around it, as the estimates above do
        long recFew = scratchBytesAfter(() -> reconstructionInScratch(vae, data, 2));
        long recMany = scratchBytesAfter(() -> reconstructionInScratch(vae, data, 40));
        assertTrue(recFew > 0);
        // what may grow: the [rows, samples] log-probabilities and log-mean-exp's temporaries of that size
        long perSample = 4L * 100 * Double.BYTES;
        assertTrue(recMany < 3 * recFew + 40 * perSample, "reconstruction probability: " + recFew + " vs " + recMany);
    }

    private static void reconstructionInScratch(VaeEngine vae, ImageSet data, int samples) {
        INDArray x = batches(data).next().getFeatures();
        try (MemoryWorkspace ws = VaeMath.scratch()) {
            vae.reconstructionLogProbability(x, samples);
        }
    }

    private static MinibatchIterator batches(ImageSet data) {
        return MinibatchIterator.builder(data).batchSize(100).shuffle(false).build();
    }

    /** Workspaces belong to a thread: a fresh thread starts with none, so its sizes are this run's alone. */
    private static long scratchBytesAfter(Runnable estimate) throws InterruptedException {
        AtomicLong bytes = new AtomicLong();
        Thread t = new Thread(() -> {
            estimate.run();
            long sum = 0;
            for (String id : new String[] {VaeMath.SCRATCH_ID, VaeMath.SAMPLE_SCRATCH_ID}) {
                if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)) {
                    sum += Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(id).getCurrentSize();
                }
            }
            bytes.set(sum);
            Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        });
        t.start();
        t.join();
        return bytes.get();
    }
}
