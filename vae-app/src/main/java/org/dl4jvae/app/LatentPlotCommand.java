package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dimensionalityreduction.PCA;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Test-set latent means coloured by label; for a 2-d latent space also the decoded manifold. */
@Command(name = "latent-plot", mixinStandardHelpOptions = true,
        description = "Scatter the test set's latent means by label (first two principal components when latent > 2);"
                + " with latent = 2 also write FILE-manifold.png, the decoded grid over z.")
final class LatentPlotCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "the PNG to write (and FILE-manifold.png for a 2-d latent space)")
    Path out;

    /**
     * The points (rows) projected on their first {@code k} principal components: ND4J's {@code PCA.pca_factor} on the
     * centred points, which are then projected here. Not {@code PCA.pca}: LAPACK's SVD overwrites the matrix it is
     * given, and {@code pca} projects that overwritten matrix (ND4J 1.0.0-M2.1).
     */
    static double[][] principalComponents(double[][] points, int k) {
        INDArray data = Nd4j.create(points);
        INDArray centred = data.subRowVector(data.mean(0));
        INDArray factor = PCA.pca_factor(centred.dup('f'), k, false);
        return centred.mmul(factor).toDoubleMatrix();
    }

    @Override
    public Integer call() {
        Images.requirePng(out);
        TrainedRun.Loaded r = trained.load();
        ImageSet test = r.testSet();
        List<INDArray> parts = new ArrayList<>();
        MinibatchIterator it = DataSets.inOrder(test, r.vae().evaluationBatch(1000));
        while (it.hasNext()) {
            org.nd4j.linalg.dataset.DataSet b = it.next();
            parts.add(r.vae().encode(b.getFeatures(), b.getLabels()).mu());
        }
        double[][] mu = Nd4j.vstack(parts.toArray(INDArray[]::new)).castTo(DataType.DOUBLE).toDoubleMatrix();
        int latent = mu[0].length;
        double[][] xy = latent == 2 ? mu : principalComponents(mu, 2);
        int classes = Math.max(1, test.numClasses()); // unlabelled data: one colour
        List<String> known = test.labelled() ? r.classNames(test) : List.of("all");
        List<List<double[]>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < xy.length; i++) {
            byClass.get(test.label(i)).add(xy[i]);
        }
        double[][] xs = new double[classes][];
        double[][] ys = new double[classes][];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            xs[c] = byClass.get(c).stream().mapToDouble(p -> p[0]).toArray();
            ys[c] = byClass.get(c).stream().mapToDouble(p -> p[1]).toArray();
            names.add(c < known.size() ? known.get(c) : Integer.toString(c));
        }
        String axis = latent == 2 ? "z" : "PC";
        Charts.scatter(xs, ys, names, "test-set latent means (" + r.settings().data().dataset() + ", latent " + latent + ")",
                axis + "1", axis + "2", out);
        boolean manifold = latent == 2 && r.settings().data().images(); // a table's decoded rows are no picture
        if (manifold) {
            int n = 20;
            INDArray z = Nd4j.create(DataType.FLOAT, (long) n * n, 2);
            for (int row = 0; row < n; row++) {
                for (int col = 0; col < n; col++) {
                    z.putScalar(new long[] {row * n + col, 0}, -2.5 + 5.0 * col / (n - 1));
                    z.putScalar(new long[] {row * n + col, 1}, 2.5 - 5.0 * row / (n - 1));
                }
            }
            String name = out.getFileName().toString().replaceFirst("\\.png$", "");
            // a conditional model draws the manifold of class 0
            INDArray labels = r.vae().classes() > 0
                    ? Nd4j.zeros(DataType.FLOAT, (long) n * n, r.vae().classes()).putiColumnVector(
                            Nd4j.ones(DataType.FLOAT, (long) n * n, 1)) : null;
            List<String> columns = new ArrayList<>();
            List<String> rowsOfZ = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                columns.add(i % 4 == 0 || i == n - 1 ? String.format(java.util.Locale.ROOT, "%.1f", -2.5 + 5.0 * i / (n - 1)) : "");
                rowsOfZ.add(String.format(java.util.Locale.ROOT, "z2=%.2f", 2.5 - 5.0 * i / (n - 1)));
            }
            Images.labeled(r.vae().decode(z, labels), n, r.view("latent-plot"), 1, "decoder means over the latent plane: z1 across "
                    + "(values above), z2 down" + (labels != null ? " (class " + names.get(0) + ")" : ""), rowsOfZ,
                    columns, List.of(), out.resolveSibling(name + "-manifold.png"));
        }
        spec.commandLine().getOut().println("wrote " + out + (manifold ? " and " + out.resolveSibling(
                out.getFileName().toString().replaceFirst("\\.png$", "") + "-manifold.png") : ""));
        return 0;
    }
}
