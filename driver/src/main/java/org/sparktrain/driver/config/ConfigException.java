package org.sparktrain.driver.config;

/** A config value the user must fix; the message names the key, the value and what is allowed. */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public ConfigException(String key, String problem) {
    super("config key '" + key + "': " + problem);
    this.key = key;
  }

  public ConfigException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.key = null;
  }

  /** The offending key, or null when the problem is the file itself. */
  public String key() {
    return key;
  }
}
