package org.dl4jvae.model.dl4j;

import static org.junit.jupiter.api.Assertions.*;

import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jvae.model.VaeEngine;
import org.dl4jvae.model.VaeEngines;
import org.dl4jvae.model.io.ModelFile;
import org.dl4jvae.model.io.NamedArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.model.TestData;
import org.dl4jvae.model.VaeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The engine's training step is DL4J's own pretraining step for the layer (with this toolkit's Adam). */
class Dl4jLayerVaeTest {

    @Test
    void stepsMatchDl4jsPretrainLayer() throws Exception {
        VaeConfig config = VaeConfig.defaults().withSizes(784, 64, 8).withSeed(4);
        Dl4jLayerVae ours = Dl4jLayerVae.create(config);
        Dl4jLayerVae dl4j = Dl4jLayerVae.create(config);
        MinibatchIterator batches = MinibatchIterator.builder(TestData.digits(640)).batchSize(128).seed(2).build();
        int step = 0;
        while (batches.hasNext()) {
            INDArray x = batches.next().getFeatures();
            Nd4j.getRandom().setSeed(100 + step);
            double loss = ours.trainStep(x);
            Nd4j.getRandom().setSeed(100 + step);
            dl4j.network().pretrainLayer(0, x);
            double reference = dl4j.network().getLayer(0).score() * x.rows();
            assertEquals(reference, loss, 1e-5 * reference, "loss of step " + step);
            step++;
        }
        assertEquals(5, step);
        Map<String, INDArray> a = ours.weights();
        Map<String, INDArray> b = dl4j.weights();
        for (String k : a.keySet()) {
            double scale = b.get(k).amaxNumber().doubleValue();
            double diff = a.get(k).sub(b.get(k)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-4 * scale, k + ": weights differ by " + diff + " (scale " + scale + ")");
        }
        assertNotEquals(Dl4jLayerVae.create(config).weights().get("fc1_W"), a.get("fc1_W")); // it did train
    }

    @Test
    void encoderMeanIsDl4jsOwnForwardPass() throws Exception {
        VaeConfig config = VaeConfig.defaults().withSizes(784, 64, 8).withSeed(5);
        Dl4jLayerVae vae = Dl4jLayerVae.create(config);
        MinibatchIterator batches = MinibatchIterator.builder(TestData.digits(256)).batchSize(128).seed(3).build();
        vae.trainStep(batches.next().getFeatures()); // weights away from their initialisation
        INDArray x = batches.next().getFeatures();
        INDArray dl4jMean = vae.network().output(x, false);
        INDArray mu = vae.encode(x).mu();
        assertArrayEquals(dl4jMean.shape(), mu.shape());
        assertTrue(dl4jMean.equalsWithEps(mu, 1e-5), "mu differs from DL4J's activate");
        assertFalse(mu.equalsWithEps(vae.encode(x).logvar(), 1e-3)); // the two heads are not the same
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(VaeConfig.Decoder.class)
    void decoderIsDl4jsOwnDecoderPass(VaeConfig.Decoder decoder) throws Exception {
        VaeConfig config = VaeConfig.defaults().withSizes(784, 64, 8).withSeed(7).withDecoder(decoder);
        Dl4jLayerVae vae = Dl4jLayerVae.create(config);
        MinibatchIterator batches = MinibatchIterator.builder(TestData.digits(128)).batchSize(128).seed(3).build();
        vae.trainStep(batches.next().getFeatures()); // weights away from their initialisation
        INDArray z = Nd4j.randn(DataType.FLOAT, 50, 8);
        var layer = (org.deeplearning4j.nn.layers.variational.VariationalAutoencoder) vae.network().getLayer(0);
        java.lang.reflect.Method dl4jDecoder = layer.getClass().getDeclaredMethod("decodeGivenLatentSpaceValues",
                INDArray.class, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.class);
        dl4jDecoder.setAccessible(true);
        INDArray expected = (INDArray) dl4jDecoder.invoke(layer, z,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray preOutput = vae.decoderPreOutput(z);
        assertArrayEquals(expected.shape(), preOutput.shape()); // Gaussian: mean and log-variance halves
        assertTrue(expected.equalsWithEps(preOutput, 1e-5), "pre-output differs from DL4J's decoder");
        assertTrue(layer.generateAtMeanGivenZ(z).equalsWithEps(vae.decode(z), 1e-5), "mean differs from DL4J's");
    }

    @Test
    void readsModelFilesOfTheEarlierModelSerializerPayload(@TempDir Path dir) throws Exception {
        VaeConfig config = VaeConfig.defaults().withSizes(784, 32, 4).withSeed(6);
        Dl4jLayerVae vae = Dl4jLayerVae.create(config);
        MinibatchIterator batches = MinibatchIterator.builder(TestData.digits(128)).batchSize(128).seed(3).build();
        vae.trainStep(batches.next().getFeatures());
        Path current = dir.resolve("current.zip");
        vae.save(current, Map.of("epoch", "1"));
        // the payload as files before the JSON payload held it: length, ModelSerializer zip, named arrays
        Path earlier = dir.resolve("earlier.zip");
        Map<String, INDArray> extra = new java.util.LinkedHashMap<>();
        extra.put("pretrain_updater_state", Nd4j.linspace(DataType.FLOAT, 1, 2 * vae.network().numParams(), 1)
                .reshape(1, -1));
        extra.put("adam_iteration", Nd4j.scalar(1));
        ModelFile.write(earlier, "dl4j", config, Map.of("epoch", "1"), out -> {
            java.io.ByteArrayOutputStream model = new java.io.ByteArrayOutputStream();
            ModelSerializer.writeModel(vae.network(), model, false);
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(model.size());
            model.writeTo(data);
            NamedArrays.write(extra, data);
        });
        for (Path file : new Path[] {current, earlier}) {
            VaeEngine loaded = VaeEngines.load(file).engine();
            Map<String, INDArray> w = loaded.weights();
            vae.weights().forEach((k, v) -> assertEquals(v, w.get(k), file + ": " + k));
        }
        Path broken = dir.resolve("broken.zip");
        ModelFile.write(broken, "dl4j", config, Map.of(), out -> new DataOutputStream(out).writeInt(-7));
        assertThrows(java.io.IOException.class, () -> VaeEngines.load(broken));
    }
}
