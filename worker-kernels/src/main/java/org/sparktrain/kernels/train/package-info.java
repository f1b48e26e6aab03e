/** The replica training step: deterministic batch order, persistent per-executor replicas. */
package org.sparktrain.kernels.train;
