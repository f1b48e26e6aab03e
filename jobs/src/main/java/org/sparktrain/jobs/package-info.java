/** Command-line entry points for spark-submit and bin/sparktrain. */
package org.sparktrain.jobs;
