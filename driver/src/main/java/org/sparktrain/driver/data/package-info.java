/** Loading IDX datasets from Hadoop paths into balanced, cached RDD partitions. */
package org.sparktrain.driver.data;
