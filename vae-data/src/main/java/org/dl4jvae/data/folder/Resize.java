package org.dl4jvae.data.folder;

/** Bilinear resizing of byte planes, pixel centres aligned (OpenCV's INTER_LINEAR, which DataVec's image loader uses). */
final class Resize {

    private Resize() {
    }

    static byte[] bilinear(byte[] src, int channels, int h, int w, int rows, int cols) {
        byte[] out = new byte[channels * rows * cols];
        double sy = (double) h / rows;
        double sx = (double) w / cols;
        for (int c = 0; c < channels; c++) {
            int plane = c * h * w;
            for (int y = 0; y < rows; y++) {
                double fy = Math.max(0, (y + 0.5) * sy - 0.5);
                int y0 = Math.min((int) fy, h - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                double dy = fy - y0;
                for (int x = 0; x < cols; x++) {
                    double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                    int x0 = Math.min((int) fx, w - 1);
                    int x1 = Math.min(x0 + 1, w - 1);
                    double dx = fx - x0;
                    double v = (1 - dy) * ((1 - dx) * at(src, plane + y0 * w + x0) + dx * at(src, plane + y0 * w + x1))
                            + dy * ((1 - dx) * at(src, plane + y1 * w + x0) + dx * at(src, plane + y1 * w + x1));
                    out[c * rows * cols + y * cols + x] = (byte) Math.round(v);
                }
            }
        }
        return out;
    }

    private static int at(byte[] a, int i) {
        return a[i] & 0xff;
    }
}
