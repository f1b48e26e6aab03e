package org.sparktrain.jobs.deploy;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.sparktrain.driver.config.ConfigException;

/** Where a deploy config can be rendered for. */
public enum Target {
  STANDALONE("standalone"),
  EMR("emr"),
  EMR_SERVERLESS("emr-serverless"),
  DATAPROC("dataproc"),
  DATAPROC_SERVERLESS("dataproc-serverless"),
  KUBERNETES("kubernetes");

  private final String cliName;

  Target(String cliName) {
    this.cliName = cliName;
  }

  /** The name users type after {@code --target}. */
  public String cliName() {
    return cliName;
  }

  /** The target named {@code name}, or a {@link ConfigException} listing the targets. */
  public static Target of(String name) {
    return Arrays.stream(values()).filter(t -> t.cliName.equals(name)).findFirst()
        .orElseThrow(() -> new ConfigException("--target", "'" + name + "' is not a target; allowed: "
            + Arrays.stream(values()).map(Target::cliName).collect(Collectors.joining(", "))));
  }
}
