package org.dl4jvae.model.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One epoch's numbers, losses in nats per image: the training loss (the model's objective, before each step's
 * update), the test loss (negative ELBO with beta 1, one sample; the reconstruction loss for an autoencoder) and its
 * two parts, and the training time.
 */
public record EpochResult(@JsonProperty("epoch") int epoch,
                          @JsonProperty("train_loss") double trainLoss,
                          @JsonProperty("test_loss") double testLoss,
                          @JsonProperty("test_reconstruction") double testReconstruction,
                          @JsonProperty("test_kl") double testKl,
                          @JsonProperty("train_seconds") double trainSeconds,
                          @JsonProperty("images_per_second") double imagesPerSecond) {
}
