package org.dl4jvae.spark;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dl4jvae.app.VaeApp;

/**
 * {@code java -jar vae-spark.jar <command> [options]}: the app, with {@code train} running its epochs on Spark
 * ({@code --master}, {@code --workers}, {@code --averaging-frequency}); every other command is the app's own. Also the
 * class for {@code spark-submit --class org.dl4jvae.spark.SparkVaeApp}, where the cluster's Spark is on the class path.
 * Started with {@code java -jar}, Spark is not (a cluster brings its own, so the jar's manifest names only the app's
 * libraries): the app then runs in a class loader that adds {@code spark-lib/} beside the jar.
 */
public final class SparkVaeApp {

    /** The class path the app runs on when it added Spark itself, for executors started on this machine. */
    static final String CLASS_PATH = "dl4jvae.class.path";

    private SparkVaeApp() {
    }

    public static void main(String[] args) throws Exception {
        if (sparkPresent(SparkVaeApp.class.getClassLoader())) {
            VaeApp.launch(args, new SparkSite());
            return;
        }
        Path jar = Path.of(SparkVaeApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path sparkLib = jar.resolveSibling("spark-lib");
        if (!Files.isDirectory(sparkLib)) {
            System.err.println("error: Spark is not on the class path and " + sparkLib + " is missing: run with "
                    + "spark-submit, or keep spark-lib/ (built by mvn -Pspark package) beside " + jar.getFileName());
            System.exit(1);
        }
        List<Path> entries = new ArrayList<>();
        entries.add(jar);
        entries.addAll(jars(jar.resolveSibling("lib")));
        entries.addAll(jars(sparkLib));
        List<URL> urls = new ArrayList<>();
        for (Path p : entries) {
            urls.add(p.toUri().toURL());
        }
        System.setProperty(CLASS_PATH, String.join(java.io.File.pathSeparator, entries.stream().map(Path::toString).toList()));
        ClassLoader withSpark = new URLClassLoader("dl4j-vae", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(withSpark);
        withSpark.loadClass(SparkVaeApp.class.getName()).getMethod("main", String[].class).invoke(null, (Object) args);
    }

    private static boolean sparkPresent(ClassLoader loader) {
        try {
            Class.forName("org.apache.spark.SparkConf", false, loader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static List<Path> jars(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }
}
