package org.dl4jvae.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.dl4j.Dl4jLayerVae;
import org.dl4jvae.model.samediff.SameDiffVae;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Weight export and import as named arrays, across engines, and refusal of files that are not model files. */
class NamedArraysTest {

    @TempDir
    Path dir;

    @Test
    void exportedWeightsImportIntoEitherEngine() throws IOException {
        VaeConfig c = VaeConfig.defaults().withSizes(784, 32, 4).withSeed(3);
        SameDiffVae source = SameDiffVae.create(c);
        Path file = dir.resolve("weights.bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            NamedArrays.write(source.weights(), out);
        }
        Map<String, INDArray> read;
        try (InputStream in = Files.newInputStream(file)) {
            read = NamedArrays.read(in);
        }
        assertEquals(List.copyOf(source.weights().keySet()), List.copyOf(read.keySet()), "names and order kept");
        Dl4jLayerVae target = Dl4jLayerVae.create(c.withSeed(8));
        target.setWeights(read);
        INDArray z = Nd4j.randn(DataType.FLOAT, 5, 4);
        assertTrue(source.decode(z).equalsWithEps(target.decode(z), 1e-5));
    }

    @Test
    void garbageIsNotAModelFile() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.zip"), "not a zip at all");
        IOException e = assertThrows(IOException.class, () -> ModelFile.read(junk));
        assertTrue(e.getMessage().contains("not a dl4j-vae model file"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> ModelFile.read(dir.resolve("none.zip")));
        assertTrue(missing.getMessage().contains("no such model file"), missing.getMessage());
        assertThrows(IOException.class, () -> NamedArrays.read(Files.newInputStream(junk)));
    }
}
