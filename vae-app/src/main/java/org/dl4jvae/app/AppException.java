package org.dl4jvae.app;

/** An error to report to the user as one line on stderr, with the process exit code to use. */
public final class AppException extends RuntimeException {

    /** Exit code for runtime failures (data, files, models). */
    public static final int FAILURE = 1;
    /** Exit code for usage errors (picocli's convention). */
    public static final int USAGE = 2;
    /** Exit code when training diverged (NaN or infinite loss). */
    public static final int DIVERGED = 3;

    private final int exitCode;

    public AppException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public static AppException usage(String message) {
        return new AppException(message, USAGE);
    }

    public static AppException failure(String message) {
        return new AppException(message, FAILURE);
    }

    public int exitCode() {
        return exitCode;
    }
}
