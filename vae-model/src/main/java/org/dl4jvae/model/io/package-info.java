/**
 * Files of models and weights: the model file both engines write ({@link org.dl4jvae.model.io.ModelFile}), named
 * arrays, and NumPy {@code .npz} archives under PyTorch's state_dict names.
 */
package org.dl4jvae.model.io;
