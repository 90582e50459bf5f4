package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Scores test images by reconstruction log-probability (An and Cho, Monte Carlo, as DL4J's VAE anomaly example),
 * saves the most and least typical images of each class, and with a run trained with {@code --exclude-class C}
 * reports how well the score detects class C (AUROC).
 */
@Command(name = "anomaly", mixinStandardHelpOptions = true,
        description = "Score test images by reconstruction log-probability; write each class's most typical (left)"
                + " and least typical (right) images; print JSON (with the AUROC of the excluded class, if any).")
final class AnomalyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin
    TrainedRun trained;
    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "the PNG to write: per class, the most and least typical test images")
    Path out;
    @Option(names = "--top", defaultValue = "10", description = "images per class and side")
    int top;
    @Option(names = "--samples", defaultValue = "16", description = "Monte-Carlo samples of z per image")
    int samples;
    @Option(names = "--seed", defaultValue = "1", description = "seeds the Monte-Carlo samples of z")
    long seed;
    @CommandLine.Mixin
    NativeOptions natives;

    @Override
    public Integer call() {
        Images.requirePng(out);
        if (top < 1 || top > 100 || samples < 1 || samples > EvaluateCommand.MAX_SAMPLES) {
            throw AppException.usage("--top must be in 1..100 and --samples in 1.." + EvaluateCommand.MAX_SAMPLES);
        }
        natives.apply();
        TrainedRun.Loaded r = trained.load();
        ImageSet test = r.testSet();
        boolean pictures = r.settings().data().images(); // a table gets its scores only
        int classes = Math.max(1, test.numClasses()); // unlabelled data are one class
        List<String> names = test.labelled() ? r.classNames(test) : List.of("all");
        Nd4j.getRandom().setSeed(seed);
        double[] logp = new double[test.size()];
        MinibatchIterator it = DataSets.inOrder(test, r.vae().evaluationBatch(500));
        int at = 0;
        while (it.hasNext()) {
            org.nd4j.linalg.dataset.DataSet b = it.next();
            double[] batch = r.vae().reconstructionLogProbability(b.getFeatures(), b.getLabels(), samples).toDoubleVector();
            System.arraycopy(batch, 0, logp, at, batch.length);
            at += batch.length;
        }
        if (pictures) {
            picture(r, test, logp, classes, names);
        }
        Path csv = out.resolveSibling(out.getFileName().toString().replaceFirst("(?i)\\.png$", "") + "-scores.csv");
        StringBuilder table = new StringBuilder("index,label,class,log_probability\n");
        for (int i = 0; i < test.size(); i++) {
            int label = test.label(i);
            table.append(i).append(',').append(label).append(',')
                    .append(label < names.size() ? names.get(label).replace(",", " ") : Integer.toString(label))
                    .append(',').append(String.format(java.util.Locale.ROOT, "%.4f", logp[i])).append('\n');
        }
        AtomicFiles.writeString(csv, table.toString());

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("images", test.size());
        result.put("picture", pictures ? out.toString() : null);
        result.put("scores", csv.toString());
        result.put("mean_log_probability", Arrays.stream(logp).average().orElse(Double.NaN));
        Integer excluded = r.settings().data().excludeClass();
        if (excluded != null) {
            result.put("excluded_class", excluded);
            result.put("auroc", auroc(test, logp, excluded));
        }
        spec.commandLine().getOut().println(Json.write(result));
        return 0;
    }

    /** Per class, the most and the least typical test images, with their scores. */
    private void picture(TrainedRun.Loaded r, ImageSet test, double[] logp, int classes, List<String> names) {
        Images.View view = r.view("anomaly");
        List<Integer> picked = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int cls = c;
            Integer[] idx = IntStream.range(0, test.size()).filter(i -> test.label(i) == cls).boxed()
                    .sorted(Comparator.comparingDouble(i -> -logp[i])).toArray(Integer[]::new);
            for (int j = 0; j < top; j++) {
                picked.add(idx.length == 0 ? 0 : idx[Math.min(j, idx.length - 1)]);
            }
            for (int j = 0; j < top; j++) {
                picked.add(idx.length == 0 ? 0 : idx[Math.max(0, idx.length - 1 - j)]);
            }
        }
        ImageSet grid = test.select(picked.stream().mapToInt(Integer::intValue).toArray());
        org.nd4j.linalg.api.ndarray.INDArray images = DataSets.inOrder(grid, grid.size()).next().getFeatures();
        // each class row: the most typical images, an empty cell, the least typical ones
        List<org.nd4j.linalg.api.ndarray.INDArray> rows = new ArrayList<>();
        org.nd4j.linalg.api.ndarray.INDArray blank = Nd4j.zeros(images.dataType(), 1, images.columns());
        for (int c = 0; c < classes; c++) {
            rows.add(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2L * c * top, 2L * c * top + top),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()));
            rows.add(blank);
            rows.add(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2L * c * top + top, 2L * (c + 1) * top),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()));
        }
        List<String> captions = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < 2 * top; j++) {
                if (j == top) {
                    captions.add("");
                }
                captions.add(String.format(java.util.Locale.ROOT, "%.0f", logp[picked.get(2 * c * top + j)]));
            }
        }
        List<String> rowNames = IntStream.range(0, classes)
                .mapToObj(c -> c < names.size() ? names.get(c) : Integer.toString(c)).toList();
        Images.labeled(Nd4j.vstack(rows.toArray(org.nd4j.linalg.api.ndarray.INDArray[]::new)), 2 * top + 1, view, 1,
                "per class: the " + top + " most typical (left) and least typical (right) test images; under each, "
                        + "log p(x) by reconstruction (nats, higher = more typical)", rowNames, List.of(), captions, out);
    }

    /** Area under the ROC curve of the score -log p for "label == positive", by the rank-sum formula (ties halved). */
    static double auroc(ImageSet test, double[] logp, int positive) {
        Integer[] order = IntStream.range(0, logp.length).boxed()
                .sorted(Comparator.comparingDouble(i -> -logp[i])).toArray(Integer[]::new); // ascending score
        double rankSum = 0;
        long pos = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && logp[order[j + 1]] == logp[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) {
                if (test.label(order[t]) == positive) {
                    rankSum += rank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = logp.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
