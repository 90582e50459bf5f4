package org.dl4jvae.data.idx;

/**
 * The images of an IDX image file: {@code count} images of {@code rows x cols} unsigned bytes, stored row-major,
 * image after image, in {@code pixels}.
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {

    public IdxImages {
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels length " + pixels.length + " != " + count + "x" + rows + "x" + cols);
        }
    }

    /** Pixels per image. */
    public int imageSize() {
        return rows * cols;
    }
}
