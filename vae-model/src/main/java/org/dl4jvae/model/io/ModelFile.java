package org.dl4jvae.model.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dl4jvae.data.io.AtomicFile;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;

/**
 * The on-disk model format shared by both engines: a zip holding {@code vae.json} (format, engine, the model's
 * configuration as {@link ModelFamily} writes it, the caller's metadata) and {@code model.bin} (the engine's own
 * serialisation, weights and optimiser state). Files are written to a temporary name and renamed
 * ({@link AtomicFile}), so a crash never leaves a half-written model. Files from before the model family carry
 * {@code vae.properties} instead and still load.
 */
public final class ModelFile {

    private static final String HEADER = "vae.json";
    private static final String LEGACY_HEADER = "vae.properties";
    private static final int FORMAT = 2;
    private static final String PAYLOAD = "model.bin";
    private static final String META = "meta.";

    /** What a model file holds; {@code metadata} is what the caller stored with the model (epoch, losses...). */
    public record Contents(String engine, VaeConfig config, Map<String, String> metadata, byte[] payload) {
    }

    /** Writes the engine's payload. */
    @FunctionalInterface
    public interface PayloadWriter {
        void write(OutputStream out) throws IOException;
    }

    private ModelFile() {
    }

    public static void write(Path file, String engine, VaeConfig config, Map<String, String> metadata,
                             PayloadWriter payload) throws IOException {
        ObjectNode header = ModelFamily.json().createObjectNode();
        header.put("format", FORMAT);
        header.put("engine", engine);
        header.set("config", ModelFamily.toJson(config));
        header.set("metadata", ModelFamily.json().valueToTree(new TreeMap<>(metadata)));
        AtomicFile.write(file, target -> {
            ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(target));
            zip.putNextEntry(new ZipEntry(HEADER));
            zip.write(ModelFamily.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(header));
            zip.closeEntry();
            // float weights barely compress (by an eighth) and deflating them took longer than the rest of a
            // checkpoint: the arrays are stored as they are
            Bytes bytes = new Bytes();
            payload.write(bytes);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes.buf, 0, bytes.count);
            ZipEntry entry = new ZipEntry(PAYLOAD);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(bytes.count);
            entry.setCompressedSize(bytes.count);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(bytes.buf, 0, bytes.count);
            zip.closeEntry();
            zip.close();
        });
    }

    /**
     * A growable byte buffer without locks: ND4J serialises arrays one number at a time through
     * {@code DataOutputStream}, four single-byte writes per float, and the synchronized writes of
     * {@code BufferedOutputStream} and {@code ByteArrayOutputStream} took half of a checkpoint's time (SameDiff engine:
     * 55 ms against 28 ms).
     */
    private static final class Bytes extends OutputStream {
        byte[] buf = new byte[1 << 20];
        int count;

        @Override
        public void write(int b) {
            if (count == buf.length) {
                grow(1);
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (buf.length - count < len) {
                grow(len);
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void grow(int needed) {
            buf = java.util.Arrays.copyOf(buf, Math.toIntExact(Math.max(2L * buf.length, (long) count + needed)));
        }
    }

    /** Reads a model file; a file that is missing or is not one gets an IOException saying so. */
    public static Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such model file");
        }
        JsonNode header = null;
        Properties legacy = null;
        byte[] payload = null;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals(HEADER)) {
                    header = ModelFamily.json().readTree(zip.readAllBytes());
                } else if (e.getName().equals(LEGACY_HEADER)) {
                    legacy = new Properties();
                    legacy.load(zip); // reads to the end of this entry only
                } else if (e.getName().equals(PAYLOAD)) {
                    payload = zip.readAllBytes();
                }
            }
        } catch (java.util.zip.ZipException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a dl4j-vae model file (" + e.getMessage() + ")", e);
        }
        if (payload == null || (header == null && legacy == null)) {
            throw new IOException(file + ": not a dl4j-vae model file");
        }
        try {
            if (header != null) {
                Map<String, String> metadata = new TreeMap<>();
                header.path("metadata").fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                if (!header.path("engine").isTextual()) {
                    throw new IllegalArgumentException("no engine named");
                }
                return new Contents(header.get("engine").asText(), ModelFamily.fromJson(header.get("config")), metadata,
                        payload);
            }
            return legacy(legacy, payload);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** A file from before the model family: its header is {@code vae.properties}. */
    private static Contents legacy(Properties header, byte[] payload) {
        if (header.getProperty("engine") == null) {
            throw new IllegalArgumentException("not a dl4j-vae model file");
        }
        Map<String, String> metadata = new TreeMap<>();
        for (String k : header.stringPropertyNames()) {
            if (k.startsWith(META)) {
                metadata.put(k.substring(META.length()), header.getProperty(k));
            }
        }
        return new Contents(header.getProperty("engine"), ModelFamily.fromLegacyProperties(header), metadata, payload);
    }
}
