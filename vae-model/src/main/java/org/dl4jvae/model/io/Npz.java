package org.dl4jvae.model.io;

import java.io.IOException;
import java.io.OutputStream;
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
 * float32 C-order arrays ({@code np.load(file)} gives a dict), reads the arrays {@code np.savez(file, **state_dict)}
 * writes. Each {@code .npy} entry goes through ND4J's npy codec; this class adds the zip and PyTorch's names.
 */
public final class Npz {

    private Npz() {
    }

    /**
     * The weights under PyTorch's {@code state_dict} names: {@code fc1.weight} ({@code [out, in]}, the transpose of
     * {@code fc1_W}) and {@code fc1.bias} for every layer {@code <layer>_W}, {@code <layer>_b} (any model of the family).
     * A convolution's kernel {@code [kh, kw, in, out]} becomes Conv2d's {@code [out, in, kh, kw]}; a transposed
     * convolution's {@code [kh, kw, out, in]} (ND4J's deconv2d layout) becomes ConvTranspose2d's {@code [in, out, kh, kw]}:
     * the same permutation.
     */
    public static Map<String, INDArray> pytorchStateDict(Map<String, INDArray> weights) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            if (name.endsWith("_W")) {
                out.put(layer(name) + ".weight", (w.rank() == 4 ? w.permute(3, 2, 0, 1) : w.transpose()).dup('c'));
            } else if (name.endsWith("_b")) {
                out.put(layer(name) + ".bias", w.reshape(w.length()));
            } else {
                throw new IllegalArgumentException("not a layer weight: " + name);
            }
        });
        return out;
    }

    private static String layer(String weight) {
        return weight.substring(0, weight.length() - 2);
    }

    /**
     * The inverse of {@link #pytorchStateDict}: {@code fc1.weight [out, in]} back to {@code fc1_W [in, out]}, etc. The
     * reference model's five layers must be there.
     */
    public static Map<String, INDArray> fromPytorchStateDict(Map<String, INDArray> stateDict) throws IOException {
        for (String layer : org.dl4jvae.model.VaeEngine.LAYERS) {
            INDArray w = stateDict.get(layer + ".weight");
            if (w == null || !stateDict.containsKey(layer + ".bias") || w.rank() != 2) {
                throw new IOException("not a state_dict of the reference VAE: " + layer + ".weight/.bias missing or malformed");
            }
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : stateDict.entrySet()) {
            String name = e.getKey();
            INDArray v = e.getValue();
            if (name.endsWith(".weight") && v.rank() == 2) {
                out.put(name.substring(0, name.length() - 7) + "_W", v.transpose().dup('c'));
            } else if (name.endsWith(".bias")) {
                out.put(name.substring(0, name.length() - 5) + "_b", v.reshape(v.length()));
            } else {
                throw new IOException("not a state_dict of linear layers: " + name + " " + java.util.Arrays.toString(v.shape()));
            }
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

    /** One .npy array through ND4J's npy codec (any of NumPy's numeric dtypes), as float32. */
    private static INDArray parseNpy(String name, byte[] b) throws IOException {
        if (b.length < 10 || (b[0] & 0xff) != 0x93 || !new String(b, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IOException(name + ": not a .npy array");
        }
        String header = new String(b, 10, Math.min(b.length - 10, 256), StandardCharsets.US_ASCII);
        if (header.contains("'fortran_order': True")) { // ND4J's codec would read the values in the wrong order
            throw new IOException(name + ": Fortran-ordered arrays are not supported (save with np.ascontiguousarray)");
        }
        try {
            return Nd4j.createNpyFromByteArray(b).castTo(DataType.FLOAT);
        } catch (RuntimeException e) {
            throw new IOException(name + ": unreadable .npy array (" + e.getMessage() + ")", e);
        }
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

    /** One array in the .npy format (ND4J's codec), float32 in C order. */
    static byte[] npy(INDArray array) {
        return Nd4j.toNpyByteArray(array.castTo(DataType.FLOAT).dup('c'));
    }
}
