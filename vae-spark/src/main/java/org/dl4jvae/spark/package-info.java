/**
 * Data-parallel training on Apache Spark. The app's {@code train} command runs unchanged on the driver (settings,
 * run directory, evaluation, pictures, checkpoints, resume); its epochs are trained by Spark tasks, one partition per
 * worker, each on the shard of the training images it reads itself from a shared path:
 * <ul>
 *   <li>{@link org.dl4jvae.spark.SparkSite} plugs the cluster into the app ({@code --master}, {@code --workers},
 *       {@code --averaging-frequency});</li>
 *   <li>{@link org.dl4jvae.spark.ParameterAveraging} is the epoch: rounds of K local steps per worker from broadcast
 *       weights and Adam moments, averaged on the driver ({@code treeReduce}); with K = 1 the workers' gradients are
 *       summed instead, one Adam step per round, which is synchronous SGD on the union of the workers' batches;</li>
 *   <li>{@link org.dl4jvae.spark.Worker} is what runs in the executors: the shard, its seeded batches, the engine.</li>
 * </ul>
 */
package org.dl4jvae.spark;
