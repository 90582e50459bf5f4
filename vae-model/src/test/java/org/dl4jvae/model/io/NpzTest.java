package org.dl4jvae.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.samediff.SameDiffVae;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The .npz export: NumPy's file format, byte for byte, under PyTorch's state_dict names and layouts. */
class NpzTest {

    static Map<String, byte[]> entries(byte[] zip) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    @Test
    void npyHeaderAndLittleEndianFloatData() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Npz.write(Map.of("a", Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}})), bytes);
        byte[] npy = entries(bytes.toByteArray()).get("a.npy");
        assertEquals((byte) 0x93, npy[0]);
        assertEquals("NUMPY", new String(npy, 1, 5, StandardCharsets.US_ASCII));
        int headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes as NumPy writes it");
        String header = new String(npy, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith("\n"));
        ByteBuffer data = ByteBuffer.wrap(npy, 10 + headerLength, 24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 6; i++) {
            assertEquals(i, data.getFloat());
        }
    }

    @Test
    void roundTripThroughNpzAndStateDictNames() throws Exception {
        SameDiffVae a = SameDiffVae.create(VaeConfig.defaults().withSizes(784, 16, 3).withSeed(1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Npz.write(Npz.pytorchStateDict(a.weights()), bytes);
        SameDiffVae b = SameDiffVae.create(VaeConfig.defaults().withSizes(784, 16, 3).withSeed(2));
        b.setWeights(Npz.fromPytorchStateDict(Npz.read(new ByteArrayInputStream(bytes.toByteArray()))));
        assertEquals(a.weights(), b.weights());
        assertThrows(java.io.IOException.class, () -> Npz.read(new ByteArrayInputStream("junk".getBytes())));
    }

    @Test
    void stateDictNamesAndPytorchLayouts() throws Exception {
        SameDiffVae vae = SameDiffVae.create(VaeConfig.defaults().withSizes(784, 16, 3));
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> sd = Npz.pytorchStateDict(vae.weights());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc21.weight", "fc21.bias", "fc22.weight", "fc22.bias",
                "fc3.weight", "fc3.bias", "fc4.weight", "fc4.bias"), List.copyOf(sd.keySet()));
        assertArrayEquals(new long[] {16, 784}, sd.get("fc1.weight").shape(), "nn.Linear stores [out, in]");
        assertEquals(vae.weights().get("fc1_W").getFloat(5, 7), sd.get("fc1.weight").getFloat(7, 5));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Npz.write(sd, bytes);
        byte[] bias = entries(bytes.toByteArray()).get("fc1.bias.npy");
        String header = new String(bias, 10, (bias[8] & 0xff) | (bias[9] & 0xff) << 8, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'shape': (16,)"), header);
    }

    @Test
    void convolutionKernelsTakePytorchsLayout() {
        INDArray k = Nd4j.linspace(DataType.FLOAT, 0, 72, 1).reshape(3, 3, 2, 4);
        INDArray w = Npz.pytorchStateDict(Map.of("conv1_W", k)).get("conv1.weight");
        assertArrayEquals(new long[] {4, 2, 3, 3}, w.shape());
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                for (int i = 0; i < 2; i++) {
                    for (int o = 0; o < 4; o++) {
                        assertEquals(k.getFloat(ky, kx, i, o), w.getFloat(o, i, ky, kx));
                    }
                }
            }
        }
    }
}
