/** JMH benchmarks of the hot pieces of training and evaluation (not a library). */
package org.dl4jvae.bench;
