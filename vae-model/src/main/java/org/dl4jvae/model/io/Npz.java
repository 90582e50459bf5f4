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
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy {@code .npz} archives of arrays, so that weights travel between this toolkit and NumPy/PyTorch: writes
 * float32 C-order arrays ({@code np.load(file)} gives a dict), reads float32/float64 arrays as
 * {@code np.savez(file, **state_dict)} writes them.
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

    /** The inverse of {@link #pytorchStateDict}: {@code fc1.weight [out, in]} back to {@code fc1_W [in, out]}, etc. */
    public static Map<String, INDArray> fromPytorchStateDict(Map<String, INDArray> stateDict) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String layer : org.dl4jvae.model.VaeEngine.LAYERS) {
            INDArray w = stateDict.get(layer + ".weight");
            INDArray b = stateDict.get(layer + ".bias");
            if (w == null || b == null || w.rank() != 2) {
                throw new IOException("not a state_dict of the reference VAE: " + layer + ".weight/.bias missing or malformed");
            }
            out.put(layer + "_W", w.transpose().dup('c'));
            out.put(layer + "_b", b.reshape(b.length()));
        }
        return out;
    }

    /** Reads every {@code .npy} entry of an archive, by name without the extension. */
    public static Map<String, INDArray> read(java.io.InputStream in) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(in);
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
            if (e.getName().endsWith(".npy")) {
                String name = e.getName().substring(0, e.getName().length() - 4);
                out.put(name, parseNpy(name, zip.readAllBytes()));
            }
        }
        if (out.isEmpty()) {
            throw new IOException("not a .npz archive (no .npy entries)");
        }
        return out;
    }

    private static INDArray parseNpy(String name, byte[] b) throws IOException {
        if (b.length < 10 || (b[0] & 0xff) != 0x93 || !new String(b, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IOException(name + ": not a .npy array");
        }
        int major = b[6];
        int headerLength = major == 1 ? (b[8] & 0xff) | (b[9] & 0xff) << 8
                : ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int start = major == 1 ? 10 : 12;
        String header = new String(b, start, headerLength, StandardCharsets.US_ASCII);
        java.util.regex.Matcher descr = java.util.regex.Pattern.compile("'descr':\\s*'([<|=])(f[48])'").matcher(header);
        java.util.regex.Matcher shape = java.util.regex.Pattern.compile("'shape':\\s*\\(([^)]*)\\)").matcher(header);
        if (!descr.find() || !shape.find() || header.contains("'fortran_order': True")) {
            throw new IOException(name + ": only little-endian float32/float64 arrays in C order are supported (" + header.trim() + ")");
        }
        long[] dims = java.util.Arrays.stream(shape.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        ByteBuffer data = ByteBuffer.wrap(b, start + headerLength, b.length - start - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        long count = java.util.Arrays.stream(dims).reduce(1, (x, y) -> x * y);
        boolean f8 = descr.group(2).equals("f8");
        if (data.remaining() != count * (f8 ? 8 : 4)) {
            throw new IOException(name + ": data length does not match shape " + shape.group(1));
        }
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = f8 ? (float) data.getDouble() : data.getFloat();
        }
        return Nd4j.create(values, dims.length == 0 ? new long[0] : dims, 'c');
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
