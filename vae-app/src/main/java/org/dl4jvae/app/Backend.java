package org.dl4jvae.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What ND4J runs on, read from the backend's own environment report, so that no code names a backend class:
 * the backend (CPU or CUDA) and the device (the CPU model, or the GPU's name and memory).
 */
record Backend(String name, String device) {

    /**
     * Loads ND4J's backend, turning a failure (no GPU driver for the CUDA build, a missing native library) into one
     * clear message instead of ND4J's stack traces.
     */
    static void start() {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        Throwable failure = null;
        try {
            Nd4j.getBackend();
            Nd4j.scalar(1.0f).addi(1); // the first op loads the native libraries
        } catch (Throwable t) {
            failure = t;
        } finally {
            System.setErr(err);
        }
        String log = captured.toString();
        if (failure == null) {
            err.print(log);
            refuseUnsupportedGpu();
            return;
        }
        java.util.regex.Matcher missing = java.util.regex.Pattern
                .compile("(\\S+\\.so[.0-9]*): cannot open shared object file").matcher(log);
        String cause = missing.find() ? "missing native library " + missing.group(1) : rootMessage(failure);
        throw AppException.failure("the ND4J " + Versions.flavour().toUpperCase(java.util.Locale.ROOT)
                + " backend could not start (" + cause + ")" + (Versions.flavour().equals("cuda")
                ? "; this build needs an NVIDIA GPU with its driver, use vae-app.jar on machines without one" : ""));
    }

    /** Stops before any training on a GPU the CUDA backend has no kernels for (see {@link GpuSupport}). */
    private static void refuseUnsupportedGpu() {
        Object devices = Nd4j.getExecutioner().getEnvironmentInformation().get("cuda.devicesInformation");
        if (devices instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> gpu) {
            String refusal = GpuSupport.refusal(gpu);
            if (refusal != null) {
                throw AppException.failure(refusal);
            }
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @SuppressWarnings("unchecked")
    static Backend current() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(env.getOrDefault("backend", "unknown"));
        Object devices = env.get("cuda.devicesInformation");
        if (devices instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> gpu) {
            Object name = gpu.get("cuda.deviceName");
            Object mem = gpu.get("cuda.totalMemory");
            String memory = mem instanceof Number n ? String.format(" (%.1f GiB)", n.doubleValue() / (1L << 30)) : "";
            return new Backend(backend, name + memory);
        }
        return new Backend(backend, cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the architecture will do
        }
        return System.getProperty("os.arch");
    }

    /** Peak resident memory of this process in MiB (Linux), or -1. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }
}
