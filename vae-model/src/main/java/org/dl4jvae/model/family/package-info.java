/**
 * The built-in variants as SameDiff graph definitions: {@link org.dl4jvae.model.family.Vae} (the reference, and the
 * base the others override piece by piece), beta-VAE, IWAE, conditional VAE, plain and denoising autoencoders. Each
 * class holds its graph and, where it has settings of its own, its configuration; they are registered in
 * {@link org.dl4jvae.model.ModelFamily}.
 */
package org.dl4jvae.model.family;
