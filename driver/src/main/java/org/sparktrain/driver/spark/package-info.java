/** Spark plumbing: serializable Hadoop config, Kryo registration, session settings. */
package org.sparktrain.driver.spark;
