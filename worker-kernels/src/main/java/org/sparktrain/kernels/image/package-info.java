/** Image files (PNG, JPEG, ...) decoded into example blocks, and written back for demos and previews. */
package org.sparktrain.kernels.image;
