package org.dl4jvae.model.train;

/** Training produced a loss that is not a finite number; the last checkpoint is the last good epoch's. */
public final class DivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int epoch;

    public DivergedException(int epoch, String why) {
        super("training diverged in epoch " + epoch + " (" + why + ")");
        this.epoch = epoch;
    }

    /** The epoch (1-based) in which the loss stopped being finite. */
    public int epoch() {
        return epoch;
    }
}
