package org.dl4jvae.app;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CUDA build's decision on a GPU, from device descriptions as ND4J's CUDA backend reports them. */
class GpuSupportTest {

    static Map<String, Object> gpu(String name, long major, long minor) {
        return Map.of("cuda.deviceName", name, "cuda.deviceMajor", major, "cuda.deviceMinor", minor,
                "cuda.totalMemory", 80L << 30);
    }

    @Test
    void keplerThroughAdaRunHopperAndLaterStopWithOneLine() {
        assertNull(GpuSupport.refusal(gpu("Tesla K80", 3, 7)));
        assertNull(GpuSupport.refusal(gpu("Tesla V100-SXM2-16GB", 7, 0)));
        assertNull(GpuSupport.refusal(gpu("NVIDIA A100-SXM4-80GB", 8, 0)));
        assertNull(GpuSupport.refusal(gpu("NVIDIA GeForce RTX 3090", 8, 6)));
        assertNull(GpuSupport.refusal(gpu("NVIDIA GeForce RTX 4090", 8, 9)), "Ada runs the sm_86 code");
        String h200 = GpuSupport.refusal(gpu("NVIDIA H200", 9, 0));
        assertTrue(h200.contains("NVIDIA H200") && h200.contains("9.0") && h200.contains("3.7 to 8.x")
                && h200.contains("vae-app.jar"), h200);
        assertNotNull(GpuSupport.refusal(gpu("NVIDIA B200", 10, 0)));
        assertNotNull(GpuSupport.refusal(gpu("Tesla K40", 3, 5)), "sm_35 is not in the library");
        assertNull(GpuSupport.refusal(Map.of("cuda.deviceName", "unknown")), "no capability: let ND4J try");
    }
}
