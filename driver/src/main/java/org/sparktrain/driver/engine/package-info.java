/** Training engines behind one interface: sparktrain (ours), dl4j-spark (DL4J's), single (no Spark). */
package org.sparktrain.driver.engine;
