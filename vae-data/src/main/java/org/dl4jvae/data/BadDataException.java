package org.dl4jvae.data;

import java.io.IOException;
import java.nio.file.Path;

/** Data that cannot be used as it is: the message names the file (or folder) and says what is wrong with it. */
public final class BadDataException extends IOException {

    private final transient Path file;

    public BadDataException(Path file, String what) {
        super(file + ": " + what);
        this.file = file;
    }

    public BadDataException(Path file, String what, Throwable cause) {
        this(file, what);
        initCause(cause);
    }

    /** The file or folder at fault. */
    public Path file() {
        return file;
    }
}
