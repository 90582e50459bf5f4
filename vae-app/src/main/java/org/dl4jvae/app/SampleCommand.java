package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Decodes images from z ~ N(0, I) into a PNG grid. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Draw images from the prior into a PNG grid.")
final class SampleCommand implements Callable<Integer> {

    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--count", defaultValue = "64")
    int count;
    @Option(names = "--out", required = true, paramLabel = "FILE.png")
    Path out;
    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Override
    public Integer call() {
        if (count < 1) {
            throw AppException.usage("--count must be at least 1");
        }
        TrainedRun.Loaded r = trained.load();
        int cols = (int) Math.ceil(Math.sqrt(count));
        Images.grid(r.vae().sample(count, seed), cols, 28, 2, out);
        return 0;
    }
}
