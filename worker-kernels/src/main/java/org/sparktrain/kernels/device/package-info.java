/** Binding a replica to the accelerator Spark assigned to its task. */
package org.sparktrain.kernels.device;
