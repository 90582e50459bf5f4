package org.dl4jvae.app;

import java.io.PrintWriter;
import java.util.Locale;
import org.dl4jvae.model.VaeEngine;

/**
 * Training progress: on a terminal a bar redrawn in place (images/s, running loss, ETA); in a batch job only one
 * plain line per epoch, so logs stay readable.
 */
final class Progress implements VaeEngine.StepListener {

    private final PrintWriter out;
    private final boolean bar;
    private int epoch;
    private int epochs;
    private long total;
    private long seen;
    private double lossSum;
    private long start;
    private long lastDraw;

    Progress(PrintWriter out, boolean bar) {
        this.out = out;
        this.bar = bar;
    }

    void startEpoch(int epoch, int epochs, long images) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.total = images;
        this.seen = 0;
        this.lossSum = 0;
        this.start = System.nanoTime();
        this.lastDraw = 0;
    }

    @Override
    public void onStep(int images, double loss) {
        seen += images;
        lossSum += loss;
        long now = System.nanoTime();
        if (bar && (now - lastDraw > 200_000_000L || seen == total)) {
            lastDraw = now;
            double secs = (now - start) / 1e9;
            double rate = seen / Math.max(secs, 1e-9);
            int width = 30;
            int filled = (int) (width * seen / Math.max(total, 1));
            out.printf(Locale.ROOT, "\repoch %d/%d [%s%s] %3d%% %,8.0f img/s  loss %8.2f  ETA %4.0fs ", epoch, epochs,
                    "#".repeat(filled), ".".repeat(width - filled), 100 * seen / Math.max(total, 1), rate,
                    lossSum / seen, (total - seen) / Math.max(rate, 1e-9));
            out.flush();
        }
    }

    /** Ends the epoch with its summary line. */
    void endEpoch(double trainLoss, double testLoss, double seconds, double imagesPerSecond) {
        if (bar) {
            out.print("\r" + " ".repeat(100) + "\r");
        }
        out.printf(Locale.ROOT, "epoch %d/%d  train %.4f  test %.4f  %.1f s  %.0f img/s%n", epoch, epochs, trainLoss,
                testLoss, seconds, imagesPerSecond);
        out.flush();
    }
}
