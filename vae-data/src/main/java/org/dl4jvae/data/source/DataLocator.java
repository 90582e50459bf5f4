package org.dl4jvae.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dl4jvae.data.ImageSet;

/**
 * Finds a dataset's files on disk, and downloads them when they are nowhere. An explicit directory is the only place
 * looked in (the files directly in it, or in its {@code <dataset>} subdirectory): a user who names one means that
 * copy, and a mistyped name must not train on another copy without a word. Without one, directories are searched in
 * order: {@code $VAE_DATA_DIR/<dataset>}, the per-user cache {@code ${XDG_CACHE_HOME:-~/.cache}/dl4j-vae/<dataset>},
 * then system directories such as Debian's {@code /usr/share/datasets/fashion-mnist}. Each file may be gzip-compressed
 * or raw.
 */
public final class DataLocator {

    /** Environment variable naming a directory with one subdirectory per dataset. */
    public static final String ENV_DATA_DIR = "VAE_DATA_DIR";

    private final Path explicitDir;
    private final Map<String, String> env;

    /**
     * @param explicitDir a directory given by the user, or null
     * @param env the environment to read {@value #ENV_DATA_DIR}, {@code XDG_CACHE_HOME} and {@code HOME} from
     */
    public DataLocator(Path explicitDir, Map<String, String> env) {
        this.explicitDir = explicitDir;
        this.env = Map.copyOf(env);
    }

    /** A locator reading the process environment. */
    public static DataLocator of(Path explicitDir) {
        return new DataLocator(explicitDir, System.getenv());
    }

    /** The directories searched for {@code dataset}, in order. */
    public List<Path> searchPath(Dataset dataset) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        if (explicitDir != null) {
            dirs.add(explicitDir);
            dirs.add(explicitDir.resolve(dataset.id()));
            return new ArrayList<>(dirs);
        }
        String envDir = env.get(ENV_DATA_DIR);
        if (envDir != null && !envDir.isBlank()) {
            dirs.add(Path.of(envDir).resolve(dataset.id()));
        }
        dirs.add(cacheDir(dataset));
        for (String d : dataset.systemDirs()) {
            dirs.add(Path.of(d));
        }
        return new ArrayList<>(dirs);
    }

    /** Where downloads go: the explicit directory when given, else the per-user cache. */
    public Path downloadDir(Dataset dataset) {
        return explicitDir != null ? explicitDir : cacheDir(dataset);
    }

    /** The per-user cache directory of {@code dataset}. */
    public Path cacheDir(Dataset dataset) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".cache");
        return base.resolve("dl4j-vae").resolve(dataset.id());
    }

    /** The first directory that holds all four files of the dataset. */
    public Optional<Path> find(Dataset dataset) {
        for (Path dir : searchPath(dataset)) {
            if (missingFiles(dir).isEmpty()) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /**
     * The directory holding the dataset; when no directory has all four files, the missing ones are downloaded
     * into {@link #downloadDir} (or, with a null downloader, the exception says where to put them).
     */
    public Path locate(Dataset dataset, Downloader downloader) throws DataUnavailableException {
        Optional<Path> found = find(dataset);
        if (found.isPresent()) {
            return found.get();
        }
        Path target = downloadDir(dataset);
        List<String> missing = missingFiles(target);
        if (downloader == null) {
            throw new DataUnavailableException(dataset.id() + " not found (looked in " + searchPath(dataset)
                    + "). Put " + String.join(", ", missing) + " in " + target + ".");
        }
        downloader.fetch(missing, target);
        return target;
    }

    /** Reads one split (10 classes, as every supported dataset) from {@code dir}. */
    public static ImageSet read(Path dir, Dataset.Split split) throws IOException {
        return read(dir, split, 10);
    }

    /** Reads one split whose labels are below {@code numClasses}; images with channels may be named {@code idx4}. */
    public static ImageSet read(Path dir, Dataset.Split split, int numClasses) throws IOException {
        String idx4 = split.imagesFile().replace("idx3", "idx4");
        Path images = file(dir, split.imagesFile()).or(() -> file(dir, idx4))
                .orElseThrow(() -> missing(dir, split.imagesFile()));
        Path labels = file(dir, split.labelsFile()).orElseThrow(() -> missing(dir, split.labelsFile()));
        return ImageSet.read(images, labels, numClasses);
    }

    private static List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (Dataset.Split s : Dataset.Split.values()) {
            for (String f : List.of(s.imagesFile(), s.labelsFile())) {
                if (file(dir, f).isEmpty()) {
                    missing.add(f);
                }
            }
        }
        return missing;
    }

    /** {@code name} (a .gz name) in {@code dir}, or the same name without .gz. */
    private static Optional<Path> file(Path dir, String name) {
        Path gz = dir.resolve(name);
        if (Files.isRegularFile(gz)) {
            return Optional.of(gz);
        }
        Path raw = dir.resolve(name.substring(0, name.length() - ".gz".length()));
        return Files.isRegularFile(raw) ? Optional.of(raw) : Optional.empty();
    }

    private static DataUnavailableException missing(Path dir, String name) {
        return new DataUnavailableException(name + " not found in " + dir);
    }
}
