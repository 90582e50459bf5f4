package org.dl4jvae.app;

import java.util.Map;

/**
 * Which GPUs the CUDA build can run on. ND4J 1.0.0-M2.1's {@code libnd4jcuda.so} (nd4j-cuda-11.6) carries machine code
 * for sm_37, 50, 52, 60, 61, 70, 75, 80 and 86 and no PTX, so no driver can compile its kernels for a newer
 * architecture: it runs on compute capability 3.7 through 8.x (a cubin runs on later minor versions of its major one:
 * Ada's 8.9 runs the 8.6 code) and not on Hopper (9.0) or later.
 */
final class GpuSupport {

    /**
     * The architectures ({@code sm_XY} as XY) whose machine code {@code libnd4jcuda.so} carries; {@code CudaKernelsTest}
     * reads them from the jar the CUDA build depends on, so this list follows the dependency.
     */
    static final java.util.List<Integer> ARCHITECTURES = java.util.List.of(37, 50, 52, 60, 61, 70, 75, 80, 86);
    static final int OLDEST = ARCHITECTURES.get(0);
    static final int NEWEST_MAJOR = ARCHITECTURES.get(ARCHITECTURES.size() - 1) / 10;

    private GpuSupport() {
    }

    /**
     * Null when ND4J's device description (its {@code cuda.devicesInformation} entry: {@code cuda.deviceName},
     * {@code cuda.deviceMajor}, {@code cuda.deviceMinor}) names a GPU this build runs on, else one line saying why not
     * and what to do.
     */
    static String refusal(Map<?, ?> device) {
        Object name = device.get("cuda.deviceName");
        if (!(device.get("cuda.deviceMajor") instanceof Number major)
                || !(device.get("cuda.deviceMinor") instanceof Number minor)) {
            return null; // no capability reported: let the backend try
        }
        int capability = major.intValue() * 10 + minor.intValue();
        if (capability >= OLDEST && major.intValue() <= NEWEST_MAJOR) {
            return null;
        }
        return "the GPU " + name + " has compute capability " + major + "." + minor + ", but the CUDA backend of "
                + "ND4J 1.0.0-M2.1 has kernels for 3.7 to 8.x only (Kepler to Ada; no PTX for newer GPUs): use "
                + "vae-app.jar (the CPU build) on this machine";
    }
}
