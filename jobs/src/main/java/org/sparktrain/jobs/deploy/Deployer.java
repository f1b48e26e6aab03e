package org.sparktrain.jobs.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.sparktrain.driver.output.BuildInfo;
import org.sparktrain.driver.output.OutputExistsException;

/** Renders a deploy config for targets into a directory that must be new or empty. */
public final class Deployer {
  private Deployer() {}

  /** The files {@code targets} render from {@code config}, paths relative to {@code renderedDir}. */
  static Rendered render(DeployConfig config, Path configFile, List<Target> targets, Path renderedDir) {
    SubmitSpec spec = new SubmitSpec(config);
    Rendered out = new Rendered();
    String source = configFile.getFileName().toString();
    for (Target t : targets) {
      config.check(t);
      switch (t) {
        case STANDALONE -> StandaloneRenderer.render(spec, source, renderedDir.toAbsolutePath().normalize().toString(), out);
        case EMR -> AwsRenderer.renderEmr(spec, source, out);
        case EMR_SERVERLESS -> AwsRenderer.renderServerless(spec, source, out);
        case DATAPROC -> GcpRenderer.renderDataproc(spec, source, out);
        case DATAPROC_SERVERLESS -> GcpRenderer.renderServerless(spec, source, out);
        case KUBERNETES -> KubernetesRenderer.render(spec, source, out);
        default -> throw new IllegalStateException(t.name());
      }
    }
    out.add("provenance.json", SubmitSpec.json(SubmitSpec.map(
        "deploy_config", configFile.toAbsolutePath().normalize().toString(),
        "deploy_config_sha256", sha256(configFile),
        "targets", targets.stream().map(Target::cliName).toList(),
        "sparktrain_version", BuildInfo.get("sparktrain.version"),
        "git_commit", BuildInfo.get("git.commit"),
        "spark_version", DeployConfig.SPARK_VERSION,
        "rendered_at", Instant.now().toString())));
    return out;
  }

  /**
   * Renders {@code targets} (none: every target the config has a section for) into {@code dir};
   * refuses a directory that already holds files (nothing is overwritten).
   */
  public static List<String> renderTo(Path configFile, List<Target> targets, Path dir) throws IOException {
    DeployConfig config = DeployConfig.load(configFile);
    if (targets.isEmpty()) {
      targets = config.configuredTargets();
    }
    if (Files.isDirectory(dir)) {
      try (var s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new OutputExistsException("deploy render: " + dir + " already holds files; render into a new "
              + "directory (nothing was written)");
        }
      }
    } else if (Files.exists(dir)) {
      throw new OutputExistsException("deploy render: " + dir + " exists and is not a directory");
    }
    Rendered r = render(config, configFile, targets, dir);
    Files.createDirectories(dir);
    r.writeTo(dir);
    return List.copyOf(r.files().keySet());
  }

  private static String sha256(Path p) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash " + p, e);
    }
  }

  /** The targets a rendered directory holds, from its {@code provenance.json}. */
  public static List<Target> renderedTargets(Path dir) throws IOException {
    List<Target> t = new java.util.ArrayList<>();
    new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("provenance.json").toFile()).get("targets")
        .forEach(n -> t.add(Target.of(n.asText())));
    return t;
  }
}
