/** Image sets in memory and the minibatch iterator that feeds them to training and evaluation. */
package org.dl4jvae.data;
