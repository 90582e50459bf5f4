package org.dl4jvae.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.dl4jvae.app.AppException;

/**
 * Data on a Hadoop file system ({@code hdfs://}, {@code s3a://}, {@code file://}, whatever the cluster's Hadoop
 * configuration can open): the driver and every executor copy it once per application to their own disk, into
 * Spark's directory for the application's files ({@code SparkFiles.getRootDirectory()}, under {@code spark.local.dir},
 * removed with the application), and read that copy with the app's readers. The copy is made under a temporary name
 * and renamed, so a killed copy is never taken for data.
 */
final class Staging {

    private Staging() {
    }

    /** The local copy of {@code uri} (a directory or a file), made now if there is none. */
    static Path local(String uri, Configuration hadoop) {
        Path root = Path.of(org.apache.spark.SparkFiles.getRootDirectory(), "dl4j-vae-data");
        URI u = URI.create(uri);
        String name = new org.apache.hadoop.fs.Path(u).getName();
        Path target = root.resolve(hash(uri)).resolve(name.isEmpty() ? "data" : name);
        synchronized (Staging.class) {
            if (Files.exists(target)) {
                return target;
            }
            try {
                Files.createDirectories(target.getParent());
                Path partial = Files.createTempDirectory(target.getParent(), ".copy-");
                FileSystem fs = FileSystem.get(u, hadoop);
                fs.copyToLocalFile(false, new org.apache.hadoop.fs.Path(u),
                        new org.apache.hadoop.fs.Path(partial.resolve(name.isEmpty() ? "data" : name).toUri()), true);
                Files.move(partial.resolve(name.isEmpty() ? "data" : name), target);
                Files.delete(partial);
                return target;
            } catch (IOException | IllegalArgumentException e) {
                throw AppException.failure("cannot copy " + uri + " to " + target + ": " + e.getMessage());
            }
        }
    }

    private static String hash(String uri) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(uri.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
