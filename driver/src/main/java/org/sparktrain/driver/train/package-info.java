/** The synchronous parameter-averaging loop and distributed evaluation. */
package org.sparktrain.driver.train;
