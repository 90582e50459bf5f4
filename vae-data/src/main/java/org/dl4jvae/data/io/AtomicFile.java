package org.dl4jvae.data.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Files that appear whole or not at all: content goes to a hidden temporary name in the target's directory and is
 * renamed over the target only when complete, so a crash or a kill never leaves a half-written file under the real
 * name. The one place the toolkit writes files this way (data files, downloads, model files, run directories).
 */
public final class AtomicFile {

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Produces a file at a temporary path (a download, for example). */
    @FunctionalInterface
    public interface Producer<T> {
        T produce(Path tmp) throws IOException;
    }

    private AtomicFile() {
    }

    /** The prefix and suffix of temporary names: {@code .<name>.<uuid>.tmp}. */
    public static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    /** Writes {@code target} from a stream, atomically. */
    public static void write(Path target, Content content) throws IOException {
        produce(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
            return null;
        });
    }

    /** Writes a UTF-8 string to {@code target}, atomically. */
    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Lets {@code producer} fill a temporary file next to {@code target} and renames it over the target when the producer
     * returns normally; if it throws, the temporary file is deleted and the target is untouched.
     */
    public static <T> T produce(Path target, Producer<T> producer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // a fresh name in the target directory (createTempFile would make it private to the owner)
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            T result = producer.produce(tmp);
            Halt.at("before-rename:" + target.getFileName());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Halt.at("after-rename:" + target.getFileName());
            return result;
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: a stray hidden .tmp never has the final name
            }
        }
    }
}
