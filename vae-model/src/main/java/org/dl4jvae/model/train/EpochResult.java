package org.dl4jvae.model.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One epoch's numbers, losses in nats per image: the training loss (the model's objective, before each step's
 * update), the validation loss (negative ELBO with beta 1, one sample; NaN without a validation split), the test loss
 * (the same on the test set; the reconstruction loss for an autoencoder) and its two parts, the training time, and the
 * learning rate (at the epoch's last step) and KL weight the epoch trained with.
 */
public record EpochResult(@JsonProperty("epoch") int epoch,
                          @JsonProperty("train_loss") double trainLoss,
                          @JsonProperty("test_loss") double testLoss,
                          @JsonProperty("test_reconstruction") double testReconstruction,
                          @JsonProperty("test_kl") double testKl,
                          @JsonProperty("train_seconds") double trainSeconds,
                          @JsonProperty("images_per_second") double imagesPerSecond,
                          @JsonProperty("val_loss") Double valLoss,
                          @JsonProperty("lr") Double lr,
                          @JsonProperty("kl_weight") Double klWeight) {

    /** The loss that chooses the best checkpoint and stops training early: validation if there is one, else training. */
    public double selectionLoss() {
        return valLoss != null && !valLoss.isNaN() ? valLoss : trainLoss;
    }
}
