package org.dl4jvae.data.idx;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not a valid unsigned-byte IDX file; {@link #defect()} says which check failed. */
public final class IdxFormatException extends IOException {

    /** The checks an IDX file or an image/label pair can fail. */
    public enum Defect {
        BAD_MAGIC, BAD_DIMENSIONS, LENGTH_MISMATCH, COUNT_MISMATCH, LABEL_OUT_OF_RANGE, CORRUPT_GZIP, UNREADABLE
    }

    private final Path file;
    private final Defect defect;

    public IdxFormatException(Path file, Defect defect, String what) {
        super(file + ": " + what);
        this.file = file;
        this.defect = defect;
    }

    public IdxFormatException(Path file, Defect defect, String what, Throwable cause) {
        this(file, defect, what);
        initCause(cause);
    }

    public Path file() {
        return file;
    }

    public Defect defect() {
        return defect;
    }
}
