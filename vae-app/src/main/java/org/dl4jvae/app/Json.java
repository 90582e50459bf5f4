package org.dl4jvae.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dl4jvae.model.ModelFamily;

/** The one-line JSON results of commands, written by Jackson; numbers that are not finite become null. */
final class Json {

    private Json() {
    }

    static String write(Map<String, ?> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v instanceof Double d && !Double.isFinite(d) ? null : v));
        try {
            return ModelFamily.json().writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
