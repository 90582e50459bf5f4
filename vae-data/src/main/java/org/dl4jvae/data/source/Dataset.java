package org.dl4jvae.data.source;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The MNIST-format datasets the toolkit knows: their file names, official MD5 sums and download mirrors. */
public enum Dataset {
    MNIST("mnist",
            List.of("https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/",
                    "http://yann.lecun.com/exdb/mnist/"),
            Map.of("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                    "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                    "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                    "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
            List.of()),
    FASHION_MNIST("fashion-mnist",
            List.of("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            Map.of("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                    "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
                    "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                    "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
            // Debian's dataset-fashion-mnist package
            List.of("/usr/share/datasets/fashion-mnist"));

    /** The two splits every such dataset has. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public String imagesFile() {
            return prefix + "-images-idx3-ubyte.gz";
        }

        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte.gz";
        }
    }

    private final String id;
    private final List<URI> mirrors;
    private final Map<String, String> md5;
    private final List<String> systemDirs;

    Dataset(String id, List<String> mirrors, Map<String, String> md5, List<String> systemDirs) {
        this.id = id;
        this.mirrors = mirrors.stream().map(URI::create).toList();
        this.md5 = md5;
        this.systemDirs = systemDirs;
    }

    /** The name used on the command line and in directory names: {@code mnist}, {@code fashion-mnist}. */
    public String id() {
        return id;
    }

    /** Base URLs tried in turn by the downloader. */
    public List<URI> mirrors() {
        return mirrors;
    }

    /** Official MD5 of each gzip file, by file name. */
    public Map<String, String> md5() {
        return md5;
    }

    /** Directories where an operating-system package installs the files. */
    public List<String> systemDirs() {
        return systemDirs;
    }

    /** The names of the classes, by label: the digits for MNIST, the garments of Fashion-MNIST (its README's names). */
    public List<String> classNames() {
        return this == FASHION_MNIST
                ? List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                        "Ankle boot")
                : List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    /** Looks a dataset up by its {@link #id()}; case-insensitive, '_' accepted for '-'. */
    public static Dataset fromId(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        for (Dataset d : values()) {
            if (d.id.equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "' (known: mnist, fashion-mnist)");
    }

    @Override
    public String toString() {
        return id;
    }
}
