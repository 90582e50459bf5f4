package org.dl4jvae.data;

/** How pixel intensities in [0,1] are turned into the values the model sees. */
public enum Binarization {
    /** Intensities as they are (the reference setting). */
    NONE,
    /** 1 where the intensity is at least 0.5, else 0: the same every epoch. */
    STATIC,
    /** A fresh Bernoulli sample with the intensity as probability, every epoch. */
    DYNAMIC
}
