/** The MNIST IDX format: reading (gzip or raw, checked) and writing. */
package org.dl4jvae.data.idx;
