package org.dl4jvae.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes arrays as a NumPy {@code .npz} archive (float32, C order), so that weights reach NumPy and PyTorch:
 * {@code np.load(file)} gives a dict of arrays.
 */
public final class Npz {

    private Npz() {
    }

    /**
     * The weights under PyTorch's {@code state_dict} names of the reference model: {@code fc1.weight}
     * ({@code [out, in]}, the transpose of {@code fc1_W}) and {@code fc1.bias}, for every layer.
     */
    public static Map<String, INDArray> pytorchStateDict(Map<String, INDArray> weights) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String layer : org.dl4jvae.model.VaeEngine.LAYERS) {
            out.put(layer + ".weight", weights.get(layer + "_W").transpose().dup('c'));
            out.put(layer + ".bias", weights.get(layer + "_b").reshape(weights.get(layer + "_b").length()));
        }
        return out;
    }

    /** Writes one {@code <name>.npy} entry per array. */
    public static void write(Map<String, INDArray> arrays, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
            zip.write(npy(e.getValue()));
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    /** One array in the .npy format, version 1.0. */
    static byte[] npy(INDArray array) {
        INDArray a = array.castTo(DataType.FLOAT).dup('c');
        StringBuilder shape = new StringBuilder("(");
        for (long d : a.shape()) {
            shape.append(d).append(", ");
        }
        if (a.rank() > 1) {
            shape.setLength(shape.length() - 2);
        } else if (a.rank() == 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        float[] data = a.data().asFloat();
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream(10 + header.length() + data.length * 4);
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >> 8);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body.array());
        return out.toByteArray();
    }
}
