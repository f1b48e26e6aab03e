package org.sparktrain.driver.output;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions baked in at build time (sparktrain, git commit, DL4J, backend). */
public final class BuildInfo {
  private static final Properties PROPS = load();

  private BuildInfo() {}

  /** A build property, or "unknown" when the build could not supply it. */
  public static String get(String key) {
    String v = PROPS.getProperty(key);
    return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/org/sparktrain/driver/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // leave empty: every key then reads "unknown"
    }
    return p;
  }
}
