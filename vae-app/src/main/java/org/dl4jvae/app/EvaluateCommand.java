package org.dl4jvae.app;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.model.ElboEstimate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints the test-set negative ELBO and importance-weighted NLL of a trained model as one JSON object. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Test-set negative ELBO (with its reconstruction and KL parts) and importance-weighted -log p(x), "
                + "nats per image, as JSON; for a plain or denoising autoencoder the reconstruction loss.")
final class EvaluateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--dataset", description = "default: the run's dataset")
    String dataset;
    @Option(names = "--iw-samples", defaultValue = "100", description = "K for the importance-weighted bound")
    int k;
    @Option(names = "--seed", defaultValue = "1", description = "seeds the samples of z")
    long seed;
    @CommandLine.Mixin
    NativeOptions natives;

    /** A bound on the importance samples: 10,000 takes hours on a CPU for a 10,000-image test set. */
    static final int MAX_SAMPLES = 10_000;

    @Override
    public Integer call() {
        if (k < 1 || k > MAX_SAMPLES) {
            throw AppException.usage("--iw-samples must be in 1.." + MAX_SAMPLES + ", got " + k);
        }
        natives.apply();
        TrainedRun.Loaded r = trained.load();
        ImageSet test = r.testSet(dataset);
        ElboEstimate elbo = r.vae().negativeElbo(withProgress(DataSets.inOrder(test, r.vae().evaluationBatch(500)), "ELBO", test.size()), seed);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("images", elbo.images());
        out.put("model", r.vae().config().model());
        if (!r.vae().probabilistic()) { // no prior: the reconstruction loss at the code is all there is
            if (spec.commandLine().getParseResult().hasMatchedOption("--iw-samples")) {
                throw AppException.usage("--iw-samples does not apply to --model " + r.vae().config().model()
                        + ": a plain autoencoder has no likelihood bound");
            }
            out.put("reconstruction_loss", elbo.reconstruction());
            return print(out);
        }
        double iw = r.vae().importanceWeightedNll(withProgress(DataSets.inOrder(test, r.vae().evaluationBatch(500)), "IW-NLL, " + k + " samples",
                test.size()), k, seed);
        out.put("elbo_loss", elbo.loss());
        out.put("reconstruction", elbo.reconstruction());
        out.put("kl", elbo.kl());
        out.put("iw_nll", iw);
        out.put("iw_samples", k);
        return print(out);
    }

    /** On a terminal, a line on stderr redrawn as the batches go by (a 10,000-sample bound takes hours). */
    private static org.dl4jvae.data.MinibatchIterator withProgress(org.dl4jvae.data.MinibatchIterator it, String what,
                                                                  int images) {
        if (System.console() != null) {
            long[] seen = {0};
            it.setPreProcessor(batch -> {
                seen[0] += batch.numExamples();
                System.err.printf("\r%s: %d/%d images", what, seen[0], images);
                if (seen[0] >= images) {
                    System.err.print("\r" + " ".repeat(60) + "\r");
                }
                System.err.flush();
            });
        }
        return it;
    }

    private int print(Map<String, Object> out) {
        for (Map.Entry<String, Object> e : out.entrySet()) { // a number that is not finite is a failure, not a result
            if (e.getValue() instanceof Double d && !Double.isFinite(d)) {
                throw AppException.failure("the model gives " + e.getKey() + " = " + d + " on this data (its weights or "
                        + "the data are broken); nothing to report");
            }
        }
        spec.commandLine().getOut().println(Json.write(out));
        return 0;
    }
}
