/**
 * The SameDiff runtime every variant runs on: {@link org.dl4jvae.model.samediff.SameDiffVae} (training, evaluation,
 * model files), the pieces a variant builds its graph from ({@link org.dl4jvae.model.samediff.GraphModel},
 * {@link org.dl4jvae.model.samediff.Net}, {@link org.dl4jvae.model.samediff.Likelihood}) and the fixed op schedule that
 * runs a graph without SameDiff's per-op bookkeeping.
 */
package org.dl4jvae.model.samediff;
