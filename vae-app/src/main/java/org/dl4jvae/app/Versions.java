package org.dl4jvae.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts fixed at build time (vae-app.properties, filtered by Maven): versions and the backend flavour. */
final class Versions {

    private static final Properties BUILD = load();

    /** The Deeplearning4j/ND4J version the app was built against. */
    static final String DL4J = BUILD.getProperty("dl4j.version", "unknown");

    private Versions() {
    }

    static String toolkit() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** {@code cpu} or {@code cuda}: the Maven profile the app was built with. */
    static String flavour() {
        return BUILD.getProperty("build.flavour", "cpu");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/vae-app.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // defaults apply
        }
        return p;
    }
}
