package org.dl4jvae.app;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import org.dl4jvae.model.NativeMemory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command-line application: {@code java -jar vae-app.jar <command> [options]}. */
@Command(name = "vae-app", mixinStandardHelpOptions = true, versionProvider = VaeApp.Version.class,
        description = "Train and use variational autoencoders on MNIST-style images (Deeplearning4j).",
        subcommands = {TrainCommand.class, EvaluateCommand.class, SampleCommand.class, ReconstructCommand.class,
                InterpolateCommand.class, LatentPlotCommand.class, AnomalyCommand.class, BenchCommand.class,
                BenchDataCommand.class, ExportCommand.class, ImportCommand.class, CommandLine.HelpCommand.class})
public final class VaeApp implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        launch(args, null);
    }

    /**
     * The app as {@code main} runs it, {@code train} training at {@code site} (null: on this machine): the JVM's
     * settings for ND4J, the command, then {@code System.exit} with its code.
     */
    public static void launch(String[] args, TrainingSite site) {
        // ND4J's own error logs (for example of an op that failed) are for debugging; the user gets one line
        if (System.getenv("VAE_DEBUG") == null) {
            defaultProperty("org.slf4j.simpleLogger.log.org.nd4j", "off");
        }
        // ND4J's native buffers are freed by the garbage collector; without a bound a 784-400-20 run on CPU grows to
        // 3 GB of resident memory before the collector runs. The bound on ND4J's buffers does that (measured: 0.74 GB
        // peak, same speed); the bound on the whole process's resident memory only keeps it clear of the machine's
        // limit, as convolutions over larger images need GBs (64 x 64 RGB at batch 128: 3.1-3.6 GB). These apply to the
        // CPU build unless the user sets them with -D; the CUDA build maps GBs of CUDA libraries instead.
        if (Versions.flavour().equals("cpu")) {
            defaultProperty("org.bytedeco.javacpp.maxbytes", "700M");
            if (System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
                // checked before each training step rather than by JavaCPP at every native allocation (NativeMemory);
                // a bound the user sets is JavaCPP's, as before
                System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", "0");
                NativeMemory.boundResident(physicalBound() << 20);
            }
            NativeMemory.keepFreedMemory(); // the convolutions' native buffers are reused, not mapped afresh each step
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), site));
    }

    /** Three quarters of the machine's (or container's) memory, at least 1300 MB, in MB. */
    static long physicalBound() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return Math.max(1300, total / 4 * 3 >> 20);
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Runs a command line and returns the exit code; for tests and embedding. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, null);
    }

    /**
     * Runs a command line whose {@code train} trains its epochs at {@code site} (with the site's options), or on this
     * machine when it is null; returns the exit code.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, TrainingSite site) {
        System.setProperty("java.awt.headless", "true");
        CommandLine cl = new CommandLine(new VaeApp());
        CommandLine train = cl.getSubcommands().get("train");
        TrainCommand trainCommand = (TrainCommand) train.getCommand();
        trainCommand.modelOptions = ModelOptions.addTo(train.getCommandSpec());
        if (site != null) {
            trainCommand.site = site;
            if (site.options() != null) {
                train.getCommandSpec().addMixin("site", CommandLine.Model.CommandSpec.forAnnotatedObject(site.options()));
            }
        }
        showDefaults(cl);
        train.getCommandSpec().usageMessage().footer(modelList());
        cl.setOut(out);
        cl.setErr(err);
        cl.registerConverter(java.nio.file.Path.class, text -> {
            try {
                return java.nio.file.Path.of(text);
            } catch (java.nio.file.InvalidPathException e) {
                throw new CommandLine.TypeConversionException("the path cannot be used here: " + e.getReason()
                        + " (names outside ASCII need a UTF-8 locale, for example LANG=C.UTF-8)");
            }
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof AppException app) {
                err.println("error: " + app.getMessage());
                if (app.exitCode() == AppException.USAGE) {
                    err.println("try: vae-app " + line.getCommandName() + " --help");
                }
                return app.exitCode();
            }
            if (ex instanceof UnsupportedOperationException) { // a command that does not apply to the model
                err.println("error: " + ex.getMessage());
                return AppException.USAGE;
            }
            String message = String.valueOf(ex.getMessage());
            if (message.contains("bad_alloc") || message.contains("Allocation failed")) { // ND4J's native allocator
                err.println("error: out of memory: ND4J could not allocate an array (" + message + "); make the model "
                        + "or the batch smaller (--hidden, --latent, --batch-size), or give ND4J more memory "
                        + "(-Dorg.bytedeco.javacpp.maxbytes, -Dorg.bytedeco.javacpp.maxphysicalbytes)");
                return AppException.FAILURE;
            }
            if (ex instanceof java.nio.file.InvalidPathException p) {
                err.println("error: the path '" + p.getInput() + "' cannot be used here: " + p.getReason()
                        + " (names outside ASCII need a UTF-8 locale, for example LANG=C.UTF-8)");
                return AppException.USAGE;
            }
            // anything unexpected still gets one line, not a stack trace; VAE_DEBUG=1 shows the trace
            if (System.getenv("VAE_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.println("error: " + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
            return AppException.FAILURE;
        });
        cl.setExecutionStrategy(parsed -> {
            if (CommandLine.printHelpIfRequested(parsed)) {
                return 0;
            }
            try {
                Backend.start();
            } catch (AppException e) {
                err.println("error: " + e.getMessage());
                return e.exitCode();
            }
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (OutOfMemoryError e) { // an Error, so picocli's exception handler never sees it
                err.println("error: out of memory: " + e.getMessage() + " (raise -Dorg.bytedeco.javacpp.maxbytes and "
                        + "-Dorg.bytedeco.javacpp.maxphysicalbytes for ND4J's memory, -Xmx for the heap)");
                return AppException.FAILURE;
            }
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            err.println("try: vae-app " + (ex.getCommandLine().getCommandName().equals("vae-app") ? ""
                    : ex.getCommandLine().getCommandName() + " ") + "--help");
            return AppException.USAGE;
        });
        return cl.execute(args);
    }

    /** Every option's help states its default. */
    private static void showDefaults(CommandLine cl) {
        cl.getCommandSpec().usageMessage().showDefaultValues(true);
        cl.getSubcommands().values().forEach(VaeApp::showDefaults);
    }

    /** The help text's list of models, from the registry. */
    private static String[] modelList() {
        java.util.List<String> lines = new java.util.ArrayList<>();
        lines.add("%nModels (--model):");
        for (org.dl4jvae.model.Variant v : org.dl4jvae.model.ModelFamily.variants()) {
            String text = v.summary().replace("%", "%%") + " [engines: "
                    + String.join(", ", new java.util.TreeSet<>(v.engines())) + "]";
            StringBuilder line = new StringBuilder(String.format("  %-9s", v.name()));
            for (String word : text.split(" ")) { // wrapped under the text, not under the name
                if (line.length() + 1 + word.length() > 79) {
                    lines.add(line.toString());
                    line = new StringBuilder(" ".repeat(11));
                }
                line.append(' ').append(word);
            }
            lines.add(line.toString());
        }
        return lines.toArray(String[]::new);
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = VaeApp.class.getPackage().getImplementationVersion();
            return new String[] {"dl4j-vae " + (v == null ? "dev" : v) + " (Deeplearning4j " + Versions.DL4J + ")"};
        }
    }
}
