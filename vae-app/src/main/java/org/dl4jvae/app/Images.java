package org.dl4jvae.app;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Writes image grids (rows of 28x28 digits, values in [0,1]) as PNG files, atomically. */
final class Images {

    private static final int GAP = 2;

    private Images() {
    }

    /**
     * Writes {@code images} ({@code [n, side*side]}) as a grid of {@code cols} columns, row by row, each image scaled
     * up {@code scale} times.
     */
    /** The picture commands write PNG: a name that asks for another format is refused before any work. */
    static void requirePng(Path out) {
        if (!out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            throw AppException.usage("pictures are written as PNG: name the file .png (got " + out.getFileName() + ")");
        }
    }

    static void grid(INDArray images, int cols, int side, int scale, Path out) {
        float[] px = images.castTo(DataType.FLOAT).data().asFloat();
        int n = (int) images.rows();
        int rows = (n + cols - 1) / cols;
        int cell = side * scale;
        int w = cols * cell + (cols + 1) * GAP;
        int h = rows * cell + (rows + 1) * GAP;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, 64); // dark grey frame between cells
            }
        }
        for (int i = 0; i < n; i++) {
            int x0 = GAP + (i % cols) * (cell + GAP);
            int y0 = GAP + (i / cols) * (cell + GAP);
            for (int p = 0; p < side * side; p++) {
                float v = px[i * side * side + p];
                int g = Math.round(255 * Math.max(0f, Math.min(1f, v)));
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        raster.setSample(x0 + (p % side) * scale + dx, y0 + (p / side) * scale + dy, 0, g);
                    }
                }
            }
        }
        AtomicFiles.writeAtomically(out, o -> {
            if (!ImageIO.write(img, "png", o)) {
                throw new java.io.IOException("no PNG writer");
            }
        });
    }
}
