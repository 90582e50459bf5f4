/**
 * The model family's API: {@link org.dl4jvae.model.ModelFamily} (the registry of variants by name, and the one place
 * configurations are made, checked, read and written), {@link org.dl4jvae.model.VaeConfig} (the settings every variant
 * shares; variants extend it), {@link org.dl4jvae.model.VaeEngine} (a trained or trainable model, whatever engine
 * computes it, with evaluation defined once) and {@link org.dl4jvae.model.VaeEngines} (engines by name, model files).
 */
package org.dl4jvae.model;
