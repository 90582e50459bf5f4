/** File output that is never seen half-written: {@link org.dl4jvae.data.io.AtomicFile}. */
package org.dl4jvae.data.io;
