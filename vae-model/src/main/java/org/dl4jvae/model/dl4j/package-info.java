/**
 * The reference VAE as DL4J's own {@code VariationalAutoencoder} layer ({@link org.dl4jvae.model.dl4j.Dl4jLayerVae}),
 * an independent implementation the SameDiff runtime is checked against, with the layer's Bernoulli distribution and
 * ReLU in the forms this toolkit uses.
 */
package org.dl4jvae.model.dl4j;
