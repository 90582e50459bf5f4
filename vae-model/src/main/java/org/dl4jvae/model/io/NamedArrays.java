package org.dl4jvae.model.io;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A stream of named arrays (ND4J's binary array format, each preceded by its name): how weights are exported and
 * imported, and how model files store weights and optimiser state.
 */
public final class NamedArrays {

    private static final int MAGIC = 0x56414541; // "VAEA"

    private NamedArrays() {
    }

    public static void write(Map<String, INDArray> arrays, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(arrays.size());
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            data.writeUTF(e.getKey());
            Nd4j.write(e.getValue(), data);
        }
        data.flush();
    }

    /** Reads what {@link #write} wrote, in the same order. */
    public static Map<String, INDArray> read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a named-array stream");
        }
        int n = data.readInt();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = data.readUTF();
            out.put(name, Nd4j.read(data));
        }
        return out;
    }
}
