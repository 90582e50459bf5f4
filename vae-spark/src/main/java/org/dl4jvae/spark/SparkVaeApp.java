package org.dl4jvae.spark;

import org.dl4jvae.app.VaeApp;

/**
 * {@code java -jar vae-spark.jar <command> [options]}: the app, with {@code train} running its epochs on Spark
 * ({@code --master}, {@code --workers}, {@code --averaging-frequency}); every other command is the app's own. Also the
 * class for {@code spark-submit --class org.dl4jvae.spark.SparkVaeApp}.
 */
public final class SparkVaeApp {

    private SparkVaeApp() {
    }

    public static void main(String[] args) {
        VaeApp.launch(args, new SparkSite());
    }
}
