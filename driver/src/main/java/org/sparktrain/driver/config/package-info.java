/** Layered, validated, immutable run configuration (defaults &lt; YAML file &lt; --set). */
package org.sparktrain.driver.config;
