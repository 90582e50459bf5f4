package org.dl4jvae.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The test-set negative ELBO that {@code train} computes after every epoch: 10,000 images in batches of 1,000 (one
 * refilled buffer, as {@code train} iterates) through an untrained 784-400-20 model of either engine; random pixels, as
 * the cost does not depend on the values.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class ElboBenchmark extends HotPiece {

    @Param({"samediff", "dl4j"})
    String engine;

    private VaeEngine vae;
    private MinibatchIterator testSet;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        vae = VaeEngines.create(engine, VaeConfig.defaults());
        byte[] pixels = new byte[10_000 * 784];
        new SplittableRandom(1).nextBytes(pixels);
        ImageSet images = new ImageSet(28, 28, 10, pixels, new byte[10_000]);
        testSet = MinibatchIterator.builder(images).batchSize(1000).shuffle(false).releasePrevious(true).build();
    }

    @Benchmark
    public double negativeElbo() {
        return vae.negativeElbo(testSet, 7).loss();
    }
}
