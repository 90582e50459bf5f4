package org.dl4jvae.data.source;

import static org.dl4jvae.data.TestIdx.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLocatorTest {

    @TempDir
    Path root;

    static void fill(Path dir, boolean gz, int n) throws Exception {
        Files.createDirectories(dir);
        for (Dataset.Split s : Dataset.Split.values()) {
            String img = s.imagesFile();
            String lab = s.labelsFile();
            if (!gz) {
                img = img.replace(".gz", "");
                lab = lab.replace(".gz", "");
            }
            write(dir, img, gz ? gzip(images(n, 28, 28)) : images(n, 28, 28));
            write(dir, lab, gz ? gzip(labels(n)) : labels(n));
        }
    }

    @Test
    void searchOrderIsEnvThenCacheThenSystemAndAnExplicitDirectoryAlone() {
        Map<String, String> env = Map.of("VAE_DATA_DIR", "/env", "XDG_CACHE_HOME", "/xdg", "HOME", "/home/u");
        assertEquals(java.util.List.of(Path.of("/env/fashion-mnist"), Path.of("/xdg/dl4j-vae/fashion-mnist"),
                Path.of("/usr/share/datasets/fashion-mnist")), new DataLocator(null, env).searchPath(Dataset.FASHION_MNIST));
        DataLocator loc = new DataLocator(Path.of("/explicit"), env);
        assertEquals(java.util.List.of(Path.of("/explicit"), Path.of("/explicit/fashion-mnist")),
                loc.searchPath(Dataset.FASHION_MNIST));
        DataLocator noEnv = new DataLocator(null, Map.of("HOME", "/home/u"));
        assertEquals(java.util.List.of(Path.of("/home/u/.cache/dl4j-vae/mnist")), noEnv.searchPath(Dataset.MNIST));
    }

    @Test
    void findsTheFirstCompleteDirectoryRawOrGzip() throws Exception {
        Path env = root.resolve("env");
        Path cache = root.resolve("cache");
        fill(env.resolve("mnist"), false, 3);
        fill(cache.resolve("dl4j-vae/mnist"), true, 5);
        DataLocator loc = new DataLocator(null, Map.of("VAE_DATA_DIR", env.toString(), "XDG_CACHE_HOME", cache.toString()));
        Path dir = loc.locate(Dataset.MNIST, null);
        assertEquals(env.resolve("mnist"), dir);
        assertEquals(3, DataLocator.read(dir, Dataset.Split.TRAIN).size());

        Files.delete(env.resolve("mnist/t10k-labels-idx1-ubyte")); // incomplete: skipped
        assertEquals(cache.resolve("dl4j-vae/mnist"), loc.locate(Dataset.MNIST, null));
    }

    @Test
    void anExplicitDirectoryWithoutTheFilesIsNeverReplacedByAnotherCopy() throws Exception {
        Path env = root.resolve("env");
        fill(env.resolve("mnist"), false, 3);
        DataLocator loc = new DataLocator(root.resolve("typo"), Map.of("VAE_DATA_DIR", env.toString(),
                "XDG_CACHE_HOME", root.resolve("cache").toString()));
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> loc.locate(Dataset.MNIST, null));
        assertTrue(e.getMessage().contains(root.resolve("typo").toString()), e.getMessage());
        assertEquals(env.resolve("mnist"), new DataLocator(null, Map.of("VAE_DATA_DIR", env.toString()))
                .locate(Dataset.MNIST, null));
    }

    @Test
    void missingWithoutDownloaderSaysWhereToPutWhat() {
        DataLocator loc = new DataLocator(root.resolve("none"), Map.of("XDG_CACHE_HOME", root.toString()));
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> loc.locate(Dataset.MNIST, null));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains(root.resolve("none").toString()), e.getMessage());
    }

    @Test
    void datasetNames() {
        assertEquals(Dataset.FASHION_MNIST, Dataset.fromId("fashion-mnist"));
        assertEquals(Dataset.MNIST, Dataset.fromId("MNIST"));
        assertThrows(IllegalArgumentException.class, () -> Dataset.fromId("cifar"));
    }
}
