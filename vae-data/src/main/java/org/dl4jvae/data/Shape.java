package org.dl4jvae.data;

/**
 * The shape of one example: {@code channels x rows x cols} values, stored channel after channel, each channel row by
 * row (channel-first, the layout of PyTorch and of ND4J's convolutions). A table's row of {@code n} features is
 * {@code 1 x 1 x n}.
 */
public record Shape(int channels, int rows, int cols) {

    public Shape {
        if (channels <= 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("shape " + channels + "x" + rows + "x" + cols + " is not positive");
        }
    }

    /** A grey image. */
    public static Shape grey(int rows, int cols) {
        return new Shape(1, rows, cols);
    }

    /** A row of {@code n} features. */
    public static Shape features(int n) {
        return new Shape(1, 1, n);
    }

    /** Values per example. */
    public int size() {
        return channels * rows * cols;
    }

    /** {@code 3x32x32}: channels x rows x cols. */
    @Override
    public String toString() {
        return channels + "x" + rows + "x" + cols;
    }
}
