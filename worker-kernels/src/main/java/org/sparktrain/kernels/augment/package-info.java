/** Per-example data augmentation on primitive arrays, deterministic in (seed, epoch, example id, copy). */
package org.sparktrain.kernels.augment;
