/** Executor-side kernels: data decoding, model building and the replica training step. */
package org.sparktrain.kernels;
