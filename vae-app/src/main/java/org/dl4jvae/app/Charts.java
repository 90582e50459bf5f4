package org.dl4jvae.app;

import java.nio.file.Path;
import java.util.List;
import org.dl4jvae.model.train.EpochResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Plots drawn with XChart and saved as PNG, atomically. */
final class Charts {

    /**
     * Tableau's ten categorical colours (Tableau 10, as matplotlib's tab10): made to be told apart, class by class
     * (XChart's default palette has near twins among its first ten).
     */
    static final java.awt.Color[] CATEGORICAL = {new java.awt.Color(0x1f77b4), new java.awt.Color(0xff7f0e),
        new java.awt.Color(0x2ca02c), new java.awt.Color(0xd62728), new java.awt.Color(0x9467bd),
        new java.awt.Color(0x8c564b), new java.awt.Color(0xe377c2), new java.awt.Color(0x7f7f7f),
        new java.awt.Color(0xbcbd22), new java.awt.Color(0x17becf)};

    private Charts() {
    }

    /** Train and test loss per epoch. */
    static void lossCurves(List<EpochResult> rows, String title, Path out) {
        double[] epoch = rows.stream().mapToDouble(EpochResult::epoch).toArray();
        double[] train = rows.stream().mapToDouble(EpochResult::trainLoss).toArray();
        double[] test = rows.stream().mapToDouble(EpochResult::testLoss).toArray();
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("epoch").yAxisTitle("loss (nats per image)").build();
        chart.getStyler().setMarkerSize(6);
        chart.addSeries("train", epoch, train);
        if (rows.stream().anyMatch(r -> r.valLoss() != null && !r.valLoss().isNaN())) {
            chart.addSeries("validation", epoch, rows.stream().mapToDouble(r -> r.valLoss() == null ? Double.NaN
                    : r.valLoss()).toArray());
        }
        chart.addSeries("test", epoch, test);
        save(chart, out);
    }

    /** Points coloured by class: {@code xs[c]}, {@code ys[c]} are the coordinates of class c. */
    static void scatter(double[][] xs, double[][] ys, List<String> classNames, String title, String xTitle,
                        String yTitle, Path out) {
        XYChart chart = new XYChartBuilder().width(900).height(800).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setSeriesColors(CATEGORICAL);
        for (int c = 0; c < xs.length; c++) {
            if (xs[c].length > 0) {
                chart.addSeries(classNames.get(c), xs[c], ys[c]).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        save(chart, out);
    }

    private static void save(XYChart chart, Path out) {
        AtomicFiles.writeAtomically(out, o -> BitmapEncoder.saveBitmap(chart, o, BitmapEncoder.BitmapFormat.PNG));
    }
}
