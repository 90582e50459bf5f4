package org.dl4jvae.data.io;

/**
 * Named points where a process can be made to stop dead, as a kill would stop it, for tests of what survives a kill:
 * with the environment variable {@code VAE_HALT_AT} set to a point's name the process halts there (exit status 137, no
 * shutdown hooks, no finally blocks). Without it, {@link #at} does nothing.
 */
public final class Halt {

    private static final String POINT = System.getenv("VAE_HALT_AT");

    private Halt() {
    }

    /** Halts the process if {@code VAE_HALT_AT} names this point. */
    public static void at(String point) {
        if (point.equals(POINT)) {
            Runtime.getRuntime().halt(137);
        }
    }
}
