package org.dl4jvae.data.source;

import java.io.IOException;

/** The dataset's files are not on disk and could not be downloaded; the message says what to do. */
public final class DataUnavailableException extends IOException {
    public DataUnavailableException(String message) {
        super(message);
    }
}
