package org.dl4jvae.app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import org.dl4jvae.data.io.AtomicFile;

/** The app's file output: {@link AtomicFile} with failures turned into one clear message. */
final class AtomicFiles {

    /** Writes the content of a stream. */
    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    static void writeAtomically(Path target, Writer writer) {
        try {
            AtomicFile.write(target, writer::write);
        } catch (IOException e) {
            throw AppException.failure("cannot write " + target + ": " + describe(e));
        }
    }

    static void writeString(Path target, String content) {
        writeAtomically(target, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
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
