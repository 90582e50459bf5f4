/**
 * The training loop as a library: {@link org.dl4jvae.model.train.Trainer} runs epochs of any model of the family,
 * evaluates the test set after each, keeps the last and the best checkpoint, resumes exactly from the last one and
 * stops on divergence; front ends listen ({@link org.dl4jvae.model.train.Trainer.Listener}) for progress, metrics
 * and pictures.
 */
package org.dl4jvae.model.train;
