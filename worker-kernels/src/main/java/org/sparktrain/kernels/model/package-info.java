/** Model and optimiser descriptions and their translation into DL4J network configurations. */
package org.sparktrain.kernels.model;
