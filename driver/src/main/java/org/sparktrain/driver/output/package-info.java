/** Run outputs: staged and published atomically, with provenance and metrics. */
package org.sparktrain.driver.output;
