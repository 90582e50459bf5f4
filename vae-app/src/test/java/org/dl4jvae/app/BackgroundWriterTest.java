package org.dl4jvae.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background writes run one at a time, in order, off the caller's thread, and their failures reach the caller. */
class BackgroundWriterTest {

    @Test
    void tasksRunInOrderOnAnotherThreadAndAreDoneAtClose(@TempDir Path dir) {
        List<String> log = new CopyOnWriteArrayList<>();
        try (BackgroundWriter writer = new BackgroundWriter()) {
            for (int i = 0; i < 5; i++) {
                int n = i;
                writer.submit(() -> {
                    sleep(20);
                    AtomicFiles.writeString(dir.resolve("f" + n), "x");
                    log.add(n + " " + (Thread.currentThread().getName()));
                });
            }
        }
        assertEquals(List.of("0 vae-writer", "1 vae-writer", "2 vae-writer", "3 vae-writer", "4 vae-writer"), log);
        for (int i = 0; i < 5; i++) {
            assertTrue(Files.isRegularFile(dir.resolve("f" + i)));
        }
    }

    @Test
    void aFailureIsRethrownByTheNextSubmitOrByClose(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        BackgroundWriter writer = new BackgroundWriter();
        writer.submit(() -> AtomicFiles.writeString(file.resolve("under-a-file.png"), "x"));
        AppException next = assertThrows(AppException.class, () -> writer.submit(() -> { }));
        assertTrue(next.getMessage().startsWith("cannot write " + file.resolve("under-a-file.png")), next.getMessage());
        assertEquals(AppException.FAILURE, next.exitCode());

        BackgroundWriter other = new BackgroundWriter();
        other.submit(() -> {
            throw new IllegalStateException("broken");
        });
        AppException atClose = assertThrows(AppException.class, other::close);
        assertTrue(atClose.getMessage().contains("broken"), atClose.getMessage());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
