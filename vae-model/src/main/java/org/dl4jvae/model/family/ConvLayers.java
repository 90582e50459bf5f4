package org.dl4jvae.model.family;

import org.dl4jvae.model.VaeConfig;
import org.dl4jvae.model.samediff.Net;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The convolutional layers of {@link VaeConfig.Arch#CONV}, the Keras VAE example's network (and the PyTorch peer's
 * {@code ConvVAE}); the dense layers around them are the variant's own fc1 and fc3.
 * <pre>
 *   encoder: x [c, h, w] -> conv1 3x3/2 (32) relu -> conv2 3x3/2 (64) relu -> flatten [64 h/4 w/4]
 *   decoder: [64 h/4 w/4] -> [64, h/4, w/4] -> deconv1 3x3/2 (64) relu -> deconv2 3x3/2 (32) relu -> deconv3 3x3 (c)
 * </pre>
 */
final class ConvLayers {

    private ConvLayers() {
    }

    /** The flattened features between the convolutions and the dense layers: 64 x h/4 x w/4. */
    static long features(VaeConfig config) {
        int[] s = config.imageShape();
        return 64L * (s[1] / 4) * (s[2] / 4);
    }

    static SDVariable encoder(Net net, SDVariable x, VaeConfig config) {
        int[] s = config.imageShape();
        SDVariable image = net.sd().reshape(x, -1, s[0], s[1], s[2]);
        SDVariable h = net.relu(net.conv3x3("conv1", image, s[0], 32, 2));
        h = net.relu(net.conv3x3("conv2", h, 32, 64, 2));
        return net.sd().reshape(h, -1, features(config));
    }

    /** From fc3's output to the logits of every pixel, flattened as x is. */
    static SDVariable decoder(Net net, SDVariable h3, VaeConfig config) {
        int[] s = config.imageShape();
        SDVariable h = net.sd().reshape(h3, -1, 64, s[1] / 4, s[2] / 4);
        h = net.relu(net.deconv3x3("deconv1", h, 64, 64, 2));
        h = net.relu(net.deconv3x3("deconv2", h, 64, 32, 2));
        h = net.deconv3x3("deconv3", h, 32, s[0], 1);
        return net.sd().reshape(h, -1, config.inputSize());
    }
}
