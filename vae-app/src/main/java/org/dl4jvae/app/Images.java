package org.dl4jvae.app;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dl4jvae.data.Scaling;
import org.dl4jvae.data.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes image grids as PNG files, atomically: images of any height, width and channel count (grey or RGB), given as
 * the model sees them and drawn in the data's own units (the run's scaling undone, values in [0, 1]).
 */
final class Images {

    /** How a run's model values become pictures: the images' shape and the data's scaling. */
    record View(Shape shape, Scaling scaling) {
        int rows() {
            return shape.rows();
        }

        int cols() {
            return shape.cols();
        }

        /** The values of {@code images} ({@code [n, size]}) in the data's units. */
        float[] pixels(INDArray images) {
            return scaling.revert(images).data().asFloat();
        }

        /** The colour of pixel (y, x) of image i: grey, or red, green and blue from the three planes. */
        int rgb(float[] px, int i, int y, int x) {
            int plane = shape.rows() * shape.cols();
            int at = i * shape.size() + y * shape.cols() + x;
            if (grey()) {
                int v = level(px[at]);
                return v << 16 | v << 8 | v;
            }
            return level(px[at]) << 16 | level(px[at + plane]) << 8 | level(px[at + 2 * plane]);
        }

        /** Fewer than three channels are drawn as the first one's grey levels. */
        boolean grey() {
            return shape.channels() < 3;
        }
    }

    private static int level(float v) {
        return Math.round(255 * Math.max(0f, Math.min(1f, v)));
    }

    private static final int GAP = 2;

    private Images() {
    }

    /** The picture commands write PNG: a name that asks for another format is refused before any work. */
    static void requirePng(Path out) {
        if (!out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            throw AppException.usage("pictures are written as PNG: name the file .png (got " + out.getFileName() + ")");
        }
    }

    /**
     * Writes {@code images} ({@code [n, rows*cols]} of the given shape) as a grid of {@code cols} columns, row by row,
     * each image scaled up {@code scale} times.
     */
    static void grid(INDArray images, int cols, View shape, int scale, Path out) {
        float[] px = shape.pixels(images);
        int n = (int) images.rows();
        int rows = (n + cols - 1) / cols;
        int cellW = shape.cols() * scale;
        int cellH = shape.rows() * scale;
        int w = cols * cellW + (cols + 1) * GAP;
        int h = rows * cellH + (rows + 1) * GAP;
        // grey pictures are written as grey PNGs: a third of RGB's size
        BufferedImage img = new BufferedImage(w, h, shape.grey() ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        var raster = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                setPixel(img, raster, x, y, 64 << 16 | 64 << 8 | 64); // dark grey frame between cells
            }
        }
        for (int i = 0; i < n; i++) {
            int x0 = GAP + (i % cols) * (cellW + GAP);
            int y0 = GAP + (i / cols) * (cellH + GAP);
            for (int r = 0; r < shape.rows(); r++) {
                for (int c = 0; c < shape.cols(); c++) {
                    int rgb = shape.rgb(px, i, r, c);
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            setPixel(img, raster, x0 + c * scale + dx, y0 + r * scale + dy, rgb);
                        }
                    }
                }
            }
        }
        write(img, out);
    }

    /** Sets a pixel: a grey image's raster takes the level itself (setRGB would convert it between colour spaces). */
    private static void setPixel(BufferedImage img, java.awt.image.WritableRaster raster, int x, int y, int rgb) {
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            raster.setSample(x, y, 0, rgb & 0xff);
        } else {
            img.setRGB(x, y, rgb);
        }
    }

    private static void write(BufferedImage img, Path out) {
        AtomicFiles.writeAtomically(out, o -> {
            if (!ImageIO.write(img, "png", o)) {
                throw new java.io.IOException("no PNG writer");
            }
        });
    }

    /**
     * A grid with words: a title above, a label left of each row, optionally a label above each column and a caption
     * under each image. {@code images} is {@code [n, rows*cols]}, laid out row by row in {@code cols} columns; a row
     * label, column label or caption may be empty.
     */
    static void labeled(INDArray images, int cols, View shape, int scale, String title, List<String> rowLabels,
                        List<String> columnLabels, List<String> captions, Path out) {
        float[] px = shape.pixels(images);
        int n = (int) images.rows();
        int rows = (n + cols - 1) / cols;
        int cell = shape.cols() * scale;
        int cellH = shape.rows() * scale;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        FontMetrics fm = probe.createGraphics().getFontMetrics(font);
        int line = fm.getHeight();
        int left = 6 + rowLabels.stream().mapToInt(fm::stringWidth).max().orElse(0) + 6;
        int top = line + 8 + (columnLabels.isEmpty() ? 0 : line + 2);
        int captionHeight = captions.isEmpty() ? 0 : line;
        int rowHeight = cellH + GAP + captionHeight;
        int w = Math.max(left + cols * (cell + GAP) + GAP, fm.stringWidth(title) + 12);
        int h = top + rows * rowHeight + GAP;
        BufferedImage img = new BufferedImage(w, h, shape.grey() ? BufferedImage.TYPE_BYTE_GRAY // a third of RGB's size
                : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(font);
        g.setColor(Color.BLACK);
        g.drawString(title, 6, 4 + fm.getAscent());
        for (int c = 0; c < columnLabels.size() && c < cols; c++) {
            String t = columnLabels.get(c);
            g.drawString(t, left + c * (cell + GAP) + (cell - fm.stringWidth(t)) / 2, line + 8 + fm.getAscent());
        }
        for (int r = 0; r < rows; r++) {
            String label = r < rowLabels.size() ? rowLabels.get(r) : "";
            g.drawString(label, 6, top + r * rowHeight + (cellH + fm.getAscent()) / 2);
        }
        for (int i = 0; i < n; i++) {
            int x0 = left + (i % cols) * (cell + GAP);
            int y0 = top + (i / cols) * rowHeight;
            for (int r = 0; r < shape.rows(); r++) {
                for (int c = 0; c < shape.cols(); c++) {
                    g.setColor(new Color(shape.rgb(px, i, r, c)));
                    g.fillRect(x0 + c * scale, y0 + r * scale, scale, scale);
                }
            }
            if (i < captions.size() && !captions.get(i).isEmpty()) {
                String t = captions.get(i);
                g.setColor(Color.DARK_GRAY);
                g.drawString(t, x0 + (cell - fm.stringWidth(t)) / 2, y0 + cellH + fm.getAscent());
            }
        }
        g.dispose();
        write(img, out);
    }
}
