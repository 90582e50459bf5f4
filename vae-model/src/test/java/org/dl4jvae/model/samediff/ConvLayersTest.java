package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.MinibatchIterator;
import org.dl4jvae.data.Shape;
import org.dl4jvae.model.InvalidSettingException;
import org.dl4jvae.model.ModelFamily;
import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.VaeEngine;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolutional network: its layers are PyTorch's Conv2d and ConvTranspose2d (checked against their definitions,
 * written out as loops), and every variant trains with it on images of any channel count and size.
 */
class ConvLayersTest {

    private static final int B = 2;

    /** Runs one layer of {@link Net} on {@code x} with the given weights. */
    private static INDArray run(boolean transposed, INDArray x, INDArray w, INDArray b, int in, int out, int stride) {
        SameDiff sd = SameDiff.create();
        Net net = new Net(sd, DataType.DOUBLE, Map.of("l_W", w, "l_b", b), 0);
        SDVariable input = sd.placeHolder("x", DataType.DOUBLE, x.shape());
        SDVariable y = transposed ? net.deconv3x3("l", input, in, out, stride) : net.conv3x3("l", input, in, out, stride);
        return sd.output(Map.of("x", x), y.name()).get(y.name());
    }

    @Test
    void convolutionIsPytorchsConv2dWithPaddingOne() {
        Nd4j.getRandom().setSeed(3);
        int in = 2, out = 3, h = 6, wd = 8;
        INDArray x = Nd4j.rand(DataType.DOUBLE, B, in, h, wd).subi(0.5);
        INDArray w = Nd4j.rand(DataType.DOUBLE, 3, 3, in, out).subi(0.5);
        INDArray b = Nd4j.rand(DataType.DOUBLE, out);
        for (int stride : new int[] {1, 2}) {
            INDArray y = run(false, x, w, b, in, out, stride);
            int oh = (h + 2 - 3) / stride + 1, ow = (wd + 2 - 3) / stride + 1;
            assertArrayEquals(new long[] {B, out, oh, ow}, y.shape());
            for (int n = 0; n < B; n++) {
                for (int o = 0; o < out; o++) {
                    for (int r = 0; r < oh; r++) {
                        for (int c = 0; c < ow; c++) {
                            double sum = b.getDouble(o);
                            for (int i = 0; i < in; i++) {
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int iy = r * stride - 1 + ky, ix = c * stride - 1 + kx;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                            sum += x.getDouble(n, i, iy, ix) * w.getDouble(ky, kx, i, o);
                                        }
                                    }
                                }
                            }
                            assertEquals(sum, y.getDouble(n, o, r, c), 1e-12);
                        }
                    }
                }
            }
        }
    }

    @Test
    void transposedConvolutionIsPytorchsConvTranspose2dWithOutputPadding() {
        Nd4j.getRandom().setSeed(4);
        int in = 3, out = 2, h = 3, wd = 4;
        INDArray x = Nd4j.rand(DataType.DOUBLE, B, in, h, wd).subi(0.5);
        INDArray w = Nd4j.rand(DataType.DOUBLE, 3, 3, out, in).subi(0.5);
        INDArray b = Nd4j.rand(DataType.DOUBLE, out);
        for (int stride : new int[] {1, 2}) {
            INDArray y = run(true, x, w, b, in, out, stride);
            // PyTorch: (h - 1) * stride - 2 * padding + 3 + output_padding, padding 1, output_padding stride - 1
            int oh = (h - 1) * stride - 2 + 3 + stride - 1, ow = (wd - 1) * stride - 2 + 3 + stride - 1;
            assertArrayEquals(new long[] {B, out, oh, ow}, y.shape());
            double[][][][] expected = new double[B][out][oh][ow];
            for (int n = 0; n < B; n++) {
                for (int o = 0; o < out; o++) {
                    for (int r = 0; r < oh; r++) {
                        java.util.Arrays.fill(expected[n][o][r], b.getDouble(o));
                    }
                }
                // every input pixel scatters its kernel: output (iy * stride - 1 + ky, ix * stride - 1 + kx)
                for (int i = 0; i < in; i++) {
                    for (int iy = 0; iy < h; iy++) {
                        for (int ix = 0; ix < wd; ix++) {
                            for (int o = 0; o < out; o++) {
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int r = iy * stride - 1 + ky, c = ix * stride - 1 + kx;
                                        if (r >= 0 && r < oh && c >= 0 && c < ow) {
                                            expected[n][o][r][c] += x.getDouble(n, i, iy, ix) * w.getDouble(ky, kx, o, i);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                for (int o = 0; o < out; o++) {
                    for (int r = 0; r < oh; r++) {
                        for (int c = 0; c < ow; c++) {
                            assertEquals(expected[n][o][r][c], y.getDouble(n, o, r, c), 1e-12, "stride " + stride);
                        }
                    }
                }
            }
        }
    }

    /** Random RGB images of 8 x 12 in two classes: the upper or the lower half bright. */
    private static ImageSet halves(int n) {
        Shape shape = new Shape(3, 8, 12);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        byte[] px = new byte[n * shape.size()];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 2);
            for (int c = 0; c < 3; c++) {
                for (int r = 0; r < 8; r++) {
                    for (int k = 0; k < 12; k++) {
                        boolean bright = (r < 4) == (labels[i] == 0);
                        px[i * shape.size() + c * 96 + r * 12 + k] = (byte) (bright ? 200 + rng.nextInt(55) : rng.nextInt(40));
                    }
                }
            }
        }
        return ImageSet.ofBytes(shape, 2, null, px, labels);
    }

    @Test
    void everyVariantTrainsTheConvolutionalNetworkOnColourImages() {
        ImageSet data = halves(64);
        for (String name : ModelFamily.names()) {
            VaeConfig config = ModelFamily.config(name, Map.of("arch", "conv", "hidden", 16, "latent", 2))
                    .forData(3, 8, 12, 2);
            VaeEngine vae = org.dl4jvae.model.VaeEngines.create("samediff", config);
            MinibatchIterator it = MinibatchIterator.builder(data).batchSize(16).seed(1).build();
            double first = vae.fit(it, 1);
            double later = first;
            for (int e = 0; e < 15; e++) {
                later = vae.fit(it, 2 + e);
            }
            assertTrue(Double.isFinite(first) && later < first, name + ": " + first + " -> " + later);
            INDArray x = MinibatchIterator.builder(data).batchSize(16).shuffle(false).build().next().getFeatures();
            INDArray y = Nd4j.zeros(DataType.FLOAT, x.rows(), 2);
            for (int i = 0; i < x.rows(); i++) {
                y.putScalar(i, i % 2, 1);
            }
            assertArrayEquals(new long[] {x.rows(), 288}, vae.reconstruct(x, y).shape(), name);
        }
    }

    @Test
    void imagesWhoseSidesAreNotMultiplesOfFourAreRefusedWithTheReason() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> VaeConfig.defaults()
                .<VaeConfig>with("arch", "conv").forData(1, 30, 28, 0));
        assertTrue(e.getMessage().contains("multiples of 4") && e.getMessage().contains("30x28"), e.getMessage());
    }
}
