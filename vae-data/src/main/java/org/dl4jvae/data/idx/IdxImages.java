package org.dl4jvae.data.idx;

/**
 * The images of an IDX image file: {@code count} images of {@code channels x rows x cols} unsigned bytes, stored
 * channel after channel, row-major, image after image, in {@code pixels}.
 */
public record IdxImages(int count, int channels, int rows, int cols, byte[] pixels) {

    public IdxImages {
        if ((long) count * channels * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels length " + pixels.length + " != " + count + "x" + channels + "x"
                    + rows + "x" + cols);
        }
    }

    /** Grey images. */
    public IdxImages(int count, int rows, int cols, byte[] pixels) {
        this(count, 1, rows, cols, pixels);
    }

    /** Values per image. */
    public int imageSize() {
        return channels * rows * cols;
    }
}
