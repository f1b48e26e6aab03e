package org.sparktrain.jobs.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Offline checks of rendered artefacts with the real clients. The checks are one Python program
 * ({@code validate_artefacts.py}, shipped in the jar) because the clients' own validators are Python:
 * the AWS CLI and botocore's service models, google-cloud-cli's bundled Dataproc v1 message classes,
 * python3-jsonschema for the spark-operator CRDs; it also compiles the Airflow DAGs against the
 * provider signatures ({@code airflow-operators.json}), runs {@code systemd-analyze verify} and
 * {@code bash -n}. Each check prints {@code PASS|FAIL|SKIP name: detail}; a missing client is a SKIP
 * that says what to install.
 */
public final class DeployValidator {
  private static final String SCRIPT = "validate_artefacts.py";
  private static final String SIGNATURES = "airflow-operators.json";

  private DeployValidator() {}

  /** Counts of one validation. */
  public record Report(int passed, int failed, int skipped, List<String> lines) {}

  /** Runs every check of {@code targets} on {@code dir}, echoing each result line to {@code out}. */
  public static Report validate(Path dir, List<Target> targets, PrintStream out) throws IOException {
    Path tools = Files.createTempDirectory("sparktrain-validate-");
    copy(SCRIPT, tools);
    copy(SIGNATURES, tools);
    List<String> cmd = new ArrayList<>(List.of(python(), tools.resolve(SCRIPT).toString(), dir.toString()));
    for (Target t : targets) {
      cmd.add(t.cliName());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.println(line);
        lines.add(line);
      }
    }
    try {
      if (!p.waitFor(20, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("deploy validate: the checks did not finish in 20 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (targets.contains(Target.KUBERNETES) && Files.isDirectory(dir.resolve("kubernetes"))) {
      for (String line : kubernetesObjects(dir.resolve("kubernetes"))) {
        out.println(line);
        lines.add(line);
      }
    }
    if (p.exitValue() != 0 && count(lines, "FAIL ") == 0) {
      lines.add("FAIL validator: exited " + p.exitValue() + " without naming a failed check");
      out.println(lines.get(lines.size() - 1));
    }
    return new Report(count(lines, "PASS "), count(lines, "FAIL "), count(lines, "SKIP "), List.copyOf(lines));
  }

  private static int count(List<String> lines, String status) {
    return (int) lines.stream().filter(l -> l.startsWith(status)).count();
  }

  private static final String MODELS = "io.kubernetes.client.openapi.models.";

  /**
   * CronJob and RBAC objects against the Kubernetes OpenAPI spec, through the models
   * {@code io.kubernetes:client-java-api} generates from it (their {@code validateJsonObject} rejects
   * unknown fields and missing required ones). kubectl cannot do this offline: it downloads the
   * schema from an API server. The models are not in the sparktrain jar; with them absent the check
   * SKIPs (the tests have them).
   */
  static List<String> kubernetesObjects(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    Class<?> parser;
    try {
      parser = Class.forName("com.google.gson.JsonParser");
      Class.forName(MODELS + "V1CronJob");
    } catch (ClassNotFoundException e) {
      out.add("SKIP kubernetes openapi: io.kubernetes:client-java-api is not on the classpath "
          + "(DeployTest runs this check; kubectl needs an API server for its schema)");
      return out;
    }
    com.fasterxml.jackson.databind.ObjectMapper yaml =
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    for (String file : List.of("cronjob.yaml", "rbac.yaml")) {
      int i = 0;
      for (String doc : Files.readString(dir.resolve(file)).split("(?m)^---$")) {
        com.fasterxml.jackson.databind.JsonNode n = yaml.readTree(doc);
        if (n == null || n.isMissingNode() || n.isNull()) {
          continue;
        }
        String kind = n.path("kind").asText();
        String name = "kubernetes openapi " + file + "[" + i++ + "] " + kind;
        try {
          Object json = parser.getMethod("parseString", String.class).invoke(null, n.toString());
          Object obj = json.getClass().getMethod("getAsJsonObject").invoke(json);
          Class<?> model = Class.forName(MODELS + "V1" + kind);
          model.getMethod("validateJsonObject", obj.getClass()).invoke(null, obj);
          out.add("PASS " + name + ": matches the Kubernetes 1.28 OpenAPI model V1" + kind);
        } catch (ClassNotFoundException e) {
          out.add("FAIL " + name + ": no batch/v1, v1 or rbac/v1 kind '" + kind + "'");
        } catch (java.lang.reflect.InvocationTargetException e) {
          String m = String.valueOf(e.getCause().getMessage());
          out.add("FAIL " + name + ": " + (m.contains(" JSON: ") ? m.substring(0, m.indexOf(" JSON: ")) : m));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  /** Debian's python3 (where apt puts botocore and jsonschema), else the first on PATH. */
  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  private static void copy(String resource, Path dir) throws IOException {
    try (InputStream in = DeployValidator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing resource " + resource + " in the sparktrain jar");
      }
      Files.copy(in, dir.resolve(resource));
    }
  }
}
