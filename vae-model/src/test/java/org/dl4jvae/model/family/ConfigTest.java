package org.dl4jvae.model.family;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Properties;
import org.dl4jvae.model.InvalidSettingException;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;
import org.junit.jupiter.api.Test;

/** Configurations: immutable, per-variant classes, JSON through Jackson, validation in one place. */
class ConfigTest {

    @Test
    void everyVariantRoundTripsThroughJson() {
        for (String name : ModelFamily.names()) {
            VaeConfig c = ModelFamily.config(name).withSizes(100, 30, 5).withSeed(9);
            ObjectNode json = ModelFamily.toJson(c);
            assertEquals(name, json.get("model").asText());
            VaeConfig back = ModelFamily.fromJson(json);
            assertEquals(c, back);
            assertSame(c.getClass(), back.getClass());
        }
    }

    @Test
    void theReferenceDefaultsAreThePyTorchExample() {
        ObjectNode json = ModelFamily.toJson(VaeConfig.defaults());
        assertEquals("{\"model\":\"vae\",\"arch\":\"mlp\",\"input_size\":784,\"channels\":1,\"image_rows\":28,"
                + "\"image_cols\":28,\"hidden\":400,\"latent\":20,\"decoder\":\"bernoulli\","
                + "\"init\":\"pytorch\",\"lr\":0.001,\"seed\":1,\"rng\":\"nd4j\",\"free_bits\":0.0}", json.toString());
    }

    @Test
    void withersCopyAndKeepTheClass() {
        BetaVae.Config c = (BetaVae.Config) ModelFamily.config("beta-vae");
        BetaVae.Config changed = c.with("beta", 2);
        assertEquals(4.0, ModelFamily.toJson(c).get("beta").asDouble(), "the original is unchanged");
        assertEquals(2.0, ModelFamily.toJson(changed).get("beta").asDouble());
        VaeConfig resized = changed.withSizes(10, 5, 2);
        assertSame(BetaVae.Config.class, resized.getClass());
        assertEquals(2.0, ModelFamily.toJson(resized).get("beta").asDouble());
    }

    @Test
    void badSettingsNameTheSetting() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ModelFamily.config("iwae", Map.of("iw_k", "0")));
        assertEquals("iw_k", e.setting());
        e = assertThrows(InvalidSettingException.class, () -> ModelFamily.config("vae", Map.of("hidden", "64.9")));
        assertEquals("hidden", e.setting());
        assertTrue(e.getMessage().contains("whole number"), e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> ModelFamily.config("vae", Map.of("beta", "2")));
        assertEquals("beta", e.setting());
        assertTrue(e.getMessage().contains("not a setting of model vae"), e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> ModelFamily.config("vae", Map.of("decoder", "poisson")));
        assertTrue(e.getMessage().contains("bernoulli, gaussian"), e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> ModelFamily.config("gan"));
        assertEquals("model", e.setting());
        assertThrows(InvalidSettingException.class, () -> ModelFamily.config("dae", Map.of("corruption", 1.0)));
        assertThrows(InvalidSettingException.class, () -> VaeConfig.defaults().withLearningRate(0));
    }

    @Test
    void settingsFromTextAsACommandLineGivesThem() {
        Dae.Config c = (Dae.Config) ModelFamily.config("dae", Map.of("corruption", "0.25", "decoder", "GAUSSIAN"));
        assertEquals(0.25, ModelFamily.toJson(c).get("corruption").asDouble());
        assertEquals(VaeConfig.Decoder.GAUSSIAN, c.decoder());
        var settings = ModelFamily.settings(ModelFamily.variant("cvae"));
        assertTrue(settings.stream().anyMatch(s -> s.name().equals("classes") && s.fromData()));
        assertTrue(settings.stream().anyMatch(s -> s.name().equals("hidden") && !s.fromData()
                && s.defaultValue().equals("400") && s.description().contains("fc1")));
    }

    @Test
    void modelFilesFromBeforeTheFamilyNameTheirVariantByBeta() {
        Properties p = new Properties();
        p.setProperty("inputSize", "784");
        p.setProperty("hidden", "64");
        p.setProperty("latent", "8");
        p.setProperty("decoder", "BERNOULLI");
        p.setProperty("init", "PYTORCH");
        p.setProperty("learningRate", "0.001");
        p.setProperty("beta", "1.0");
        p.setProperty("seed", "4");
        VaeConfig vae = ModelFamily.fromLegacyProperties(p);
        assertEquals("vae", vae.model());
        assertEquals(64, vae.hidden());
        p.setProperty("beta", "0.5");
        VaeConfig beta = ModelFamily.fromLegacyProperties(p);
        assertEquals("beta-vae", beta.model());
        assertEquals(0.5, ModelFamily.toJson(beta).get("beta").asDouble());
    }
}
