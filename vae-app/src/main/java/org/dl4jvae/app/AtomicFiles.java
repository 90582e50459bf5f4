package org.dl4jvae.app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Atomic file output: everything the app writes goes to a temporary file first and is renamed when complete. */
final class AtomicFiles {

    /** Writes the content of a stream. */
    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    static void writeAtomically(Path target, Writer writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = dir.resolve("." + target.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw AppException.failure("cannot write " + target + ": " + describe(e));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray hidden .tmp never has the final name
                }
            }
        }
    }

    static void writeString(Path target, String content) {
        writeAtomically(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        String kind = switch (e.getClass().getSimpleName()) {
            case "AccessDeniedException" -> "permission denied";
            case "NoSuchFileException" -> "no such file or directory";
            case "FileSystemException" -> "file system error";
            case "NotDirectoryException" -> "not a directory";
            default -> e.getClass().getSimpleName();
        };
        return m == null ? kind : kind + " (" + m + ")";
    }
}
