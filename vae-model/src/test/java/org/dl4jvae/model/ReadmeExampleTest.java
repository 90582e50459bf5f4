package org.dl4jvae.model;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.source.Dataset;
import org.dl4jvae.model.example.QuickStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example is this build's QuickStart, word for word, and it runs. */
class ReadmeExampleTest {

    static final Path SOURCE = Path.of("src/test/java/org/dl4jvae/model/example/QuickStart.java");

    @Test
    void theReadmeShowsTheExampleAsItIs() throws Exception {
        String source = Files.readString(SOURCE);
        String body = source.substring(source.indexOf("import ")); // the README leaves out the package line
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(body), "README.md must contain " + SOURCE + " from its first import on");
    }

    @Test
    void theExampleRuns(@TempDir Path tmp) throws Exception {
        ImageSet digits = TestData.digits(700);
        Path data = tmp.resolve("mnist");
        digits.select(java.util.stream.IntStream.range(0, 500).toArray()).write(
                data.resolve(Dataset.Split.TRAIN.imagesFile()), data.resolve(Dataset.Split.TRAIN.labelsFile()), true);
        digits.select(java.util.stream.IntStream.range(500, 700).toArray()).write(
                data.resolve(Dataset.Split.TEST.imagesFile()), data.resolve(Dataset.Split.TEST.labelsFile()), true);
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            QuickStart.main(new String[] {data.toString(), "2", tmp.resolve("run").toString()});
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString();
        assertTrue(printed.contains("epoch 2: train"), printed);
        assertTrue(printed.contains("2 epochs, IW-NLL") && printed.contains("64 samples"), printed);
        assertTrue(printed.contains("\"model\":\"beta-vae\"") && printed.contains("\"beta\":4.0"), printed);
        assertTrue(Files.isRegularFile(tmp.resolve("run/last.zip")));
    }
}
