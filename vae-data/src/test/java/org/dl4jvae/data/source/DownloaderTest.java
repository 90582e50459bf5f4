package org.dl4jvae.data.source;

import static org.dl4jvae.data.TestIdx.*;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dl4jvae.data.ImageSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a real HTTP server on 127.0.0.1 serving good, truncated and corrupted files. */
class DownloaderTest {

    @TempDir
    Path dir;

    HttpServer server;
    byte[] images = gzip(images(40, 28, 28));
    byte[] labels = gzip(labels(40));

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/good/", ex -> {
            byte[] body = ex.getRequestURI().getPath().endsWith("images.gz") ? images : labels;
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/truncated/", ex -> {
            // announces the full length, then the connection drops halfway
            ex.sendResponseHeaders(200, images.length);
            OutputStream out = ex.getResponseBody();
            out.write(Arrays.copyOf(images, images.length / 2));
            out.flush();
            ex.getHttpContext().getServer();
            ex.close();
        });
        server.createContext("/corrupt/", ex -> {
            byte[] body = images.clone();
            body[body.length / 2] ^= 1;
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/missing/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI base(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + path + "/");
    }

    Downloader downloader(String... paths) throws Exception {
        Map<String, String> md5 = Map.of("images.gz", md5(images), "labels.gz", md5(labels));
        return new Downloader(Stream.of(paths).map(this::base).toList(), md5, Duration.ofSeconds(5), Duration.ofSeconds(20));
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    List<String> leftovers() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void goodMirrorGivesCheckedFiles() throws Exception {
        downloader("good").fetch(List.of("images.gz", "labels.gz"), dir);
        assertArrayEquals(images, Files.readAllBytes(dir.resolve("images.gz")));
        assertEquals(40, ImageSet.read(dir.resolve("images.gz"), dir.resolve("labels.gz"), 10).size());
        assertEquals(List.of("images.gz", "labels.gz"), leftovers());
    }

    @Test
    void badMirrorsAreSkippedInTurn() throws Exception {
        downloader("missing", "truncated", "corrupt", "good").fetch(List.of("images.gz"), dir);
        assertArrayEquals(images, Files.readAllBytes(dir.resolve("images.gz")));
        assertEquals(List.of("images.gz"), leftovers(), "no temporary file left behind");
    }

    @Test
    void truncatedDownloadLeavesNothing() throws Exception {
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> downloader("truncated").fetch(List.of("images.gz"), dir));
        assertTrue(e.getMessage().contains("images.gz"), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void corruptDownloadIsRejectedByChecksum() throws Exception {
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> downloader("corrupt").fetch(List.of("images.gz"), dir));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void noNetworkGivesOneMessageNamingFilesAndPlace() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Downloader d = new Downloader(List.of(URI.create("http://127.0.0.1:" + closedPort + "/")),
                Map.of("images.gz", md5(images), "labels.gz", md5(labels)), Duration.ofSeconds(2), Duration.ofSeconds(5));
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> d.fetch(List.of("images.gz", "labels.gz"), dir));
        assertTrue(e.getMessage().contains("images.gz, labels.gz"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertEquals(List.of(), leftovers());
        Path fresh = dir.resolve("new/sub");
        assertThrows(DataUnavailableException.class, () -> d.fetch(List.of("images.gz"), fresh));
        assertFalse(java.nio.file.Files.exists(fresh), "a directory made for the download is removed again");
    }

    @Test
    void everyMirrorsAnswerTheChecksumsAndTheWayOutAreNamed() throws Exception {
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> downloader("missing", "corrupt").fetch(List.of("images.gz", "labels.gz"), dir));
        String m = e.getMessage();
        assertTrue(m.contains(base("missing") + ": ") && m.contains("HTTP 404"), m);
        assertTrue(m.contains(base("corrupt") + ": checksum mismatch"), m);
        assertTrue(m.contains("images.gz (MD5 " + md5(images) + ")") && m.contains("labels.gz (MD5 " + md5(labels) + ")"), m);
        assertFalse(m.contains("\n"), "one line");
        System.setProperty("vae.mirrors", base("missing").toString());
        String hint;
        try {
            hint = assertThrows(DataUnavailableException.class, () -> Downloader.forDataset(Dataset.MNIST)
                    .fetch(List.of("t10k-labels-idx1-ubyte.gz"), dir)).getMessage();
        } finally {
            System.clearProperty("vae.mirrors");
        }
        assertTrue(hint.contains("apt-get install dataset-fashion-mnist") && hint.contains("--dataset fashion-mnist"), hint);
    }

    @Test
    void realMnistFilesPassTheOfficialChecksums() throws Exception {
        Path shared = sharedMnist().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(shared != null, "../shared/data/mnist not present");
        HttpServer real = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        real.createContext("/", ex -> {
            Path f = shared.resolve(ex.getRequestURI().getPath().substring(1));
            byte[] body = Files.readAllBytes(f);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        real.start();
        try {
            URI mirror = URI.create("http://127.0.0.1:" + real.getAddress().getPort() + "/");
            Dataset.Split test = Dataset.Split.TEST;
            new Downloader(List.of(mirror), Dataset.MNIST.md5(), Duration.ofSeconds(5), Duration.ofSeconds(30))
                    .fetch(List.of(test.imagesFile(), test.labelsFile()), dir);
            assertEquals(10_000, DataLocator.read(dir, test).size());
        } finally {
            real.stop(0);
        }
    }
}
