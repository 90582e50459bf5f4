package org.dl4jvae.data.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.dl4jvae.data.io.AtomicFile;

/**
 * Downloads dataset files from a list of mirrors, tried in turn. Each file goes to a temporary file in the target
 * directory, is checked against its expected MD5 and only then renamed to its final name, so an interrupted or
 * corrupted transfer never leaves a file that looks complete.
 */
public final class Downloader {

    private final List<URI> mirrors;
    private final Map<String, String> md5;
    private final HttpClient http;
    private final Duration timeout;

    /** Environment variable (or system property {@code vae.mirrors}): comma-separated base URLs replacing the mirrors. */
    public static final String ENV_MIRRORS = "VAE_MIRRORS";

    /**
     * A downloader for one dataset's official checksums and mirrors; a site mirror (or a local server) can replace
     * the mirrors through {@value #ENV_MIRRORS} or the system property {@code vae.mirrors}.
     */
    public static Downloader forDataset(Dataset dataset) {
        String custom = System.getProperty("vae.mirrors", System.getenv(ENV_MIRRORS));
        List<URI> mirrors = custom == null || custom.isBlank() ? dataset.mirrors()
                : java.util.Arrays.stream(custom.split(",")).map(String::trim).filter(m -> !m.isEmpty())
                        .map(m -> URI.create(m.endsWith("/") ? m : m + "/")).toList();
        String hint = dataset == Dataset.MNIST ? "Without network, Debian's dataset-fashion-mnist package gives "
                + "Fashion-MNIST: apt-get install dataset-fashion-mnist, then --dataset fashion-mnist" : null;
        return new Downloader(mirrors, dataset.md5(), Duration.ofSeconds(20), Duration.ofMinutes(5), hint);
    }

    /** What else a user can do when nothing can be downloaded (null: nothing). */
    private final String hint;

    /**
     * @param mirrors base URLs; a file's URL is the base followed by the file name
     * @param md5 expected MD5 (lower-case hex) of every file this downloader may fetch
     */
    public Downloader(List<URI> mirrors, Map<String, String> md5, Duration connectTimeout, Duration timeout) {
        this(mirrors, md5, connectTimeout, timeout, null);
    }

    private Downloader(List<URI> mirrors, Map<String, String> md5, Duration connectTimeout, Duration timeout,
                       String hint) {
        this.hint = hint;
        this.mirrors = List.copyOf(mirrors);
        this.md5 = Map.copyOf(md5);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * Fetches every named file into {@code dir}. Files already fetched stay when a later one fails.
     *
     * @throws DataUnavailableException naming the files that could not be had and where to put them by hand
     */
    public void fetch(List<String> files, Path dir) throws DataUnavailableException {
        List<String> failed = new ArrayList<>();
        java.util.Set<String> reasons = new java.util.LinkedHashSet<>();
        boolean created = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot create data directory " + dir + ": " + e.getMessage());
        }
        for (String file : files) {
            List<String> why = fetchOne(file, dir);
            if (!why.isEmpty()) {
                failed.add(file);
                reasons.addAll(why);
            }
        }
        if (!failed.isEmpty()) {
            if (created && failed.size() == files.size()) {
                deleteQuietly(dir); // leave no empty directory behind when nothing could be fetched
            }
            StringBuilder checksums = new StringBuilder();
            for (String f : failed) {
                checksums.append(checksums.length() == 0 ? "" : ", ").append(f).append(" (MD5 ").append(md5.get(f)).append(')');
            }
            throw new DataUnavailableException("could not download " + String.join(", ", failed) + "; every mirror "
                    + "was tried: " + String.join("; ", reasons) + ". Put the files (gzip or not) in " + dir
                    + ", or point --data-dir (or, without it, VAE_DATA_DIR) at a directory that has them: " + checksums
                    + (hint == null ? "" : ". " + hint));
        }
    }

    /** Returns no reasons on success, else what every mirror answered (host and reason). */
    private List<String> fetchOne(String file, Path dir) {
        String expected = md5.get(file);
        if (expected == null) {
            return List.of("no checksum known for " + file);
        }
        List<String> reasons = new ArrayList<>();
        if (mirrors.isEmpty()) {
            return List.of("no mirror configured");
        }
        for (URI mirror : mirrors) {
            URI url = mirror.resolve(file);
            try {
                AtomicFile.produce(dir.resolve(file), tmp -> {
                    String actual = download(url, tmp);
                    if (!actual.equals(expected)) {
                        throw new ChecksumMismatch("checksum mismatch (got " + actual + ", expected " + expected + ")");
                    }
                    return null;
                });
                return List.of();
            } catch (ChecksumMismatch e) {
                reasons.add(mirror + ": " + e.getMessage());
            } catch (Interrupted e) {
                Thread.currentThread().interrupt();
                return List.of(url + ": interrupted");
            } catch (IOException e) {
                reasons.add(mirror + ": " + describe(e));
            }
        }
        return reasons;
    }

    /** A download that arrived whole but is not the expected file. */
    private static final class ChecksumMismatch extends IOException {
        private static final long serialVersionUID = 1L;

        ChecksumMismatch(String message) {
            super(message);
        }
    }

    /** The thread was interrupted while waiting for a mirror. */
    private static final class Interrupted extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private String download(URI url, Path to) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            throw new Interrupted();
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            MessageDigest digest = md5Digest();
            long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
            long got = 0;
            byte[] buf = new byte[1 << 16];
            try (OutputStream out = Files.newOutputStream(to)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, n);
                    out.write(buf, 0, n);
                    got += n;
                }
            }
            if (declared >= 0 && got != declared) {
                throw new IOException("transfer ended after " + got + " of " + declared + " bytes");
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides MD5", e);
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a stray .part file is harmless: it never has a final name
            }
        }
    }
}
