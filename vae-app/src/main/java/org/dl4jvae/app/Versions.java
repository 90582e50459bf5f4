package org.dl4jvae.app;

/** Versions recorded in config.json and bench output. */
final class Versions {
    static final String DL4J = "1.0.0-M2.1";

    static String toolkit() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private Versions() {
    }
}
