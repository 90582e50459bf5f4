package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dl4jvae.model.io.NamedArrays;
import org.dl4jvae.model.io.Npz;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Exports a trained model's weights for NumPy/PyTorch (.npz under state_dict names) or as ND4J named arrays. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the weights: FILE.npz gets PyTorch state_dict names (fc1.weight [out, in], fc1.bias, ...)"
                + " for np.load / model.load_state_dict; any other name gets ND4J named arrays (fc1_W [in, out], ...).")
final class ExportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "FILE.npz for NumPy/PyTorch, any other name for ND4J named arrays")
    Path out;

    @Override
    public Integer call() {
        TrainedRun.Loaded r = trained.load();
        var weights = r.vae().weights();
        if (out.getFileName().toString().endsWith(".npz")) {
            AtomicFiles.writeAtomically(out, o -> Npz.write(Npz.pytorchStateDict(weights), o));
        } else {
            AtomicFiles.writeAtomically(out, o -> NamedArrays.write(weights, o));
        }
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }
}
