/** Where datasets come from: the locator's search order, the checked downloader, the known datasets. */
package org.dl4jvae.data.source;
