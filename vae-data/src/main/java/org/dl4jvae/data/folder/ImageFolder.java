package org.dl4jvae.data.folder;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.dl4jvae.data.BadDataException;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.Shape;

/**
 * A folder of PNG, JPEG or BMP images, decoded with the JDK's ImageIO: either all directly in the folder (unlabelled),
 * or one sub-folder per class, labelled by the sub-folder's name (DataVec's {@link ParentPathLabelGenerator}
 * convention; classes numbered in sorted name order). Grey when every image is grey, else RGB (grey images then fill
 * all three channels; alpha is dropped). All images must have one size, unless a size to resize to is given
 * (bilinear, as DataVec's image loader resizes).
 *
 * <p>DataVec's own {@code ImageRecordReader} decodes through OpenCV: its module would add about 51 MB of native
 * libraries (OpenCV, FFmpeg, Leptonica, HDF5 for linux-x86_64) to every build, beyond the project's download budget.
 */
public final class ImageFolder {

    /** The file name endings read as images; other files (a README, .DS_Store) are not data and are passed over. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp");

    private ImageFolder() {
    }

    /**
     * Reads every image of {@code dir}.
     *
     * @param resize the size to resize every image to, or null to require one size
     * @param classes the class names to number the sub-folders by (a training folder's, for its test folder), or null
     *     to take them from this folder
     * @param rgb force three channels (a test folder of grey images for a training folder in colour)
     */
    public static ImageSet read(Path dir, int[] resize, List<String> classes, boolean rgb) throws IOException {
        List<Path> files = imageFiles(dir);
        if (files.isEmpty()) {
            throw new BadDataException(dir, "no PNG, JPEG or BMP images in the folder or its class sub-folders");
        }
        boolean top = files.stream().anyMatch(f -> f.getParent().equals(dir));
        boolean nested = files.stream().anyMatch(f -> !f.getParent().equals(dir));
        if (top && nested) {
            throw new BadDataException(dir, "has images both directly in it and in sub-folders: put every image in a "
                    + "class sub-folder, or none");
        }
        List<String> names = classes;
        if (nested && names == null) {
            ParentPathLabelGenerator labeller = new ParentPathLabelGenerator();
            names = files.stream().map(f -> labeller.getLabelForPath(f.toString()).toString()).distinct().sorted().toList();
            if (names.size() > ImageSet.MAX_CLASSES) {
                throw new BadDataException(dir, names.size() + " class folders; at most " + ImageSet.MAX_CLASSES
                        + " are supported");
            }
        }
        // decoded one at a time into three planes (a grey image fills all three), kept as one plane if all are grey
        int rows = -1;
        int cols = -1;
        boolean colour = rgb;
        byte[] rgbPixels = null;
        byte[] labels = new byte[files.size()];
        for (int i = 0; i < files.size(); i++) {
            BufferedImage img = decode(files.get(i));
            if (i == 0) {
                rows = resize != null ? resize[0] : img.getHeight();
                cols = resize != null ? resize[1] : img.getWidth();
                rgbPixels = new byte[Math.multiplyExact(files.size(), 3 * rows * cols)];
            }
            if (resize == null && (img.getHeight() != rows || img.getWidth() != cols)) {
                throw new BadDataException(files.get(i), "is " + img.getHeight() + "x" + img.getWidth() + " (rows x "
                        + "columns) but " + files.get(0).getFileName() + " is " + rows + "x" + cols + ": give every image "
                        + "one size, or resize them all with --resize " + rows + "x" + cols);
            }
            colour |= img.getColorModel().getNumColorComponents() > 1;
            byte[] planes = planes(img, 3);
            if (resize != null) {
                planes = Resize.bilinear(planes, 3, img.getHeight(), img.getWidth(), rows, cols);
            }
            System.arraycopy(planes, 0, rgbPixels, i * 3 * rows * cols, 3 * rows * cols);
            if (nested) {
                String name = files.get(i).getParent().getFileName().toString();
                int label = names.indexOf(name);
                if (label < 0) {
                    throw new BadDataException(files.get(i).getParent(), "class folder '" + name + "' is not one of the "
                            + "training data's classes " + names);
                }
                labels[i] = (byte) label;
            }
        }
        Shape shape = new Shape(colour ? 3 : 1, rows, cols);
        byte[] pixels = rgbPixels;
        if (!colour) {
            int plane = rows * cols;
            pixels = new byte[files.size() * plane];
            for (int i = 0; i < files.size(); i++) {
                System.arraycopy(rgbPixels, i * 3 * plane, pixels, i * plane, plane);
            }
        }
        return ImageSet.ofBytes(shape, nested ? names.size() : 0, nested ? names : null, pixels, labels);
    }

    /** The image files of a folder and of its direct sub-folders, in name order. */
    static List<Path> imageFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadDataException(dir, "no such folder");
        }
        try (Stream<Path> walk = Files.walk(dir, 2)) {
            return walk.filter(Files::isRegularFile).filter(ImageFolder::isImage).sorted().toList();
        }
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static BufferedImage decode(Path file) throws BadDataException {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new BadDataException(file, "is not a readable image (no decoder recognises its content)");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            throw new BadDataException(file, "is not a readable image (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The image as {@code channels} planes of bytes. Grey images are read from their raster: {@code getRGB} would pass
     * them through a colour-space conversion that changes their values.
     */
    static byte[] planes(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] out = new byte[channels * h * w];
        boolean grey = img.getColorModel().getNumColorComponents() == 1;
        Raster raster = img.getRaster();
        int bits = img.getColorModel().getComponentSize(0);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (grey) {
                    int v = raster.getSample(x, y, 0);
                    byte b = (byte) (bits > 8 ? v >> (bits - 8) : bits < 8 ? v * 255 / ((1 << bits) - 1) : v);
                    for (int c = 0; c < channels; c++) {
                        out[c * h * w + y * w + x] = b;
                    }
                } else {
                    int rgb = img.getRGB(x, y);
                    out[y * w + x] = (byte) (rgb >> 16);
                    out[h * w + y * w + x] = (byte) (rgb >> 8);
                    out[2 * h * w + y * w + x] = (byte) rgb;
                }
            }
        }
        return out;
    }
}
