/** Decoding of training data (IDX files) into compact, serializable example blocks. */
package org.sparktrain.kernels.data;
