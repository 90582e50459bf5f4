/**
 * The command-line application: each command parses its options and wires the libraries (vae-data's readers,
 * vae-model's engines and training loop); the model list and the model settings come from the registry.
 */
package org.dl4jvae.app;
