package org.sparktrain.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.output.OutputExistsException;

/**
 * {@code deploy render|validate}: both shipped examples render for every target they configure and
 * pass the real clients' checks; broken configs and broken artefacts of each kind are rejected
 * with the field named. The checks SKIP (with what to install) where a client is missing;
 * {@code .ci/run} installs them.
 */
class DeployTest {
  static final Path ROOT = Path.of(System.getProperty("sparktrain.repo.root", "..")).toAbsolutePath().normalize();
  static final Path CPU = ROOT.resolve("deploy/examples/cpu.yaml");
  static final Path GPU = ROOT.resolve("deploy/examples/gpu.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir
  static Path tmp;

  static Path cpuRendered;
  static Path gpuRendered;

  @BeforeAll
  static void render() throws Exception {
    cpuRendered = tmp.resolve("cpu");
    gpuRendered = tmp.resolve("gpu");
    Deployer.renderTo(CPU, DeployConfig.load(CPU).configuredTargets(), cpuRendered);
    Deployer.renderTo(GPU, DeployConfig.load(GPU).configuredTargets(), gpuRendered);
  }

  private static DeployValidator.Report validate(Path dir, List<Target> targets) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    long t0 = System.nanoTime();
    DeployValidator.Report r = DeployValidator.validate(dir, targets, new PrintStream(buf, true, StandardCharsets.UTF_8));
    System.out.printf("deploy validate %s: %d passed, %d failed, %d skipped in %.1f s%n", dir.getFileName(),
        r.passed(), r.failed(), r.skipped(), (System.nanoTime() - t0) / 1e9);
    r.lines().stream().filter(l -> !l.startsWith("PASS")).forEach(System.out::println);
    return r;
  }

  @Test
  void bothExamplesRenderEveryConfiguredTargetAndPassTheChecks() throws Exception {
    assertEquals(List.of(Target.values()), DeployConfig.load(CPU).configuredTargets());
    assertEquals(List.of(Target.STANDALONE, Target.EMR, Target.DATAPROC, Target.KUBERNETES),
        DeployConfig.load(GPU).configuredTargets(), "no GPUs on the serverless targets");
    for (Path dir : List.of(cpuRendered, gpuRendered)) {
      DeployValidator.Report r = validate(dir, Deployer.renderedTargets(dir));
      assertEquals(0, r.failed(), String.join("\n", r.lines()));
      assertTrue(r.passed() >= 30, r.passed() + " checks passed");
    }
    String gpuConf = Files.readString(gpuRendered.resolve("emr/configurations.json"));
    assertTrue(gpuConf.contains("yarn.io/gpu") && gpuConf.contains("DominantResourceCalculator")
        && gpuConf.contains("container-executor") && gpuConf.contains("getGpusResources.sh"), gpuConf);
    assertTrue(Files.readString(gpuRendered.resolve("dataproc/workflow-template.yaml")).contains("nvidia-tesla-t4"));
    assertTrue(Files.readString(gpuRendered.resolve("kubernetes/spark-application.yaml")).contains("nvidia.com/gpu"));
    String cpuConf = Files.readString(cpuRendered.resolve("emr/configurations.json"));
    assertTrue(!cpuConf.contains("yarn.io/gpu") && cpuConf.contains("\"spark.authenticate\" : \"true\"")
        && cpuConf.contains("\"spark.io.encryption.enabled\" : \"true\"") && cpuConf.contains("memoryOverhead"), cpuConf);
  }

  @Test
  void everyTargetTurnsSparkSecurityOn() throws Exception {
    List<String> carriers = List.of("standalone/submit.sh", "emr/configurations.json",
        "emr-serverless/start-job-run.json", "dataproc/workflow-template.yaml", "dataproc/job.yaml",
        "dataproc-serverless/batch.yaml", "kubernetes/spark-application.yaml",
        "kubernetes/scheduled-spark-application.yaml", "kubernetes/cronjob.yaml");
    for (String f : carriers) {
      String text = Files.readString(cpuRendered.resolve(f)).replaceAll("[\"' ]", "");
      for (String key : List.of("spark.authenticate", "spark.network.crypto.enabled", "spark.io.encryption.enabled")) {
        assertTrue(text.contains(key + "=true") || text.contains(key + ":true"), f + " lacks " + key + " = true");
      }
    }
    try (var dags = Files.walk(cpuRendered)) {
      for (Path dag : dags.filter(p -> p.toString().endsWith(".py")).collect(Collectors.toList())) {
        String text = Files.readString(dag);
        assertTrue(text.contains("spark.network.crypto.enabled") || text.contains("spark.authenticate"), dag + "");
        assertTrue(text.contains("--succeed-on") && text.contains("{{ ds }}"), dag + " maps exit codes and passes the date");
      }
    }
  }

  @Test
  void noSecretIsInAnyArtefact() throws Exception {
    for (Path dir : List.of(cpuRendered, gpuRendered)) {
      try (var files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
          String text = Files.readString(f);
          assertTrue(!text.contains("BEGIN PRIVATE KEY") && !text.matches("(?s).*spark\\.authenticate\\.secret\\s*[=:].*"),
              f + " holds a secret");
        }
      }
    }
    String bootstrap = Files.readString(cpuRendered.resolve("emr/bootstrap.sh"));
    assertTrue(bootstrap.contains("secretsmanager get-secret-value"), bootstrap);
    assertTrue(Files.readString(cpuRendered.resolve("dataproc/init.sh")).contains("gcloud secrets versions access"));
    assertTrue(Files.readString(cpuRendered.resolve("emr-serverless/start-job-run.json")).contains("EMR.secret@"));
    assertTrue(Files.readString(cpuRendered.resolve("kubernetes/spark-application.yaml")).contains("secretType: Generic"));
    String policy = Files.readString(cpuRendered.resolve("emr/iam-policy.json"));
    assertTrue(policy.contains("arn:aws:s3:::acme-ml-data/fashion-mnist/*") && !policy.contains("\"*\""), policy);
  }

  @Test
  void brokenArtefactsOfEachKindAreRejectedWithTheFieldNamed() throws Exception {
    Path dir = tmp.resolve("broken");
    Deployer.renderTo(CPU, DeployConfig.load(CPU).configuredTargets(), dir);
    edit(dir.resolve("emr/steps.json"), s -> s.replace("\"Args\"", "\"Argz\""));
    edit(dir.resolve("emr/steps-api.json"), s -> s.replace("\"ActionOnFailure\" : \"CONTINUE\"",
        "\"ActionOnFailure\" : \"KEEP_GOING\""));
    edit(dir.resolve("emr-serverless/start-job-run.json"), s -> s.replace("\"entryPoint\"", "\"entrypoint\""));
    edit(dir.resolve("dataproc/workflow-template.yaml"), s -> s.replace("      workerConfig:\n        numInstances:",
        "      workerConfig:\n        numInstance:"));
    edit(dir.resolve("dataproc-serverless/batch.yaml"), s -> s.replace("  version: \"1.2\"", "  versoin: \"1.2\""));
    edit(dir.resolve("kubernetes/spark-application.yaml"), s -> s.replace("    instances: \"4\"", "    instancez: 4")
        .replace("    instances: 4", "    instancez: 4"));
    edit(dir.resolve("standalone/sparktrain-fashion-nightly.timer"), s -> s.replaceAll("OnCalendar=.*", "OnCalendar=*-*-* 25:61:00"));
    edit(dir.resolve("standalone/sparktrain-fashion-nightly.service"), s -> s.replace("Type=oneshot", "Type=oneshot\nExecStartt=/bin/true"));
    edit(dir.resolve("kubernetes/cronjob.yaml"), s -> s.replace("  concurrencyPolicy: Forbid", "  concurrencyPolicy: Forbid\n  timezone: UTC"));
    edit(dir.resolve("dataproc/airflow/dag_fashion_nightly_dataproc.py"), s -> s.replace("gcp_conn_id=", "gcp_connection_id="));
    DeployValidator.Report r = validate(dir, List.of(Target.values()));
    expectFail(r, "emr aws add-steps.sh", "Argz");
    expectFail(r, "emr botocore steps-api.json", "ActionOnFailure: 'KEEP_GOING'");
    expectFail(r, "emr-serverless botocore start-job-run.json", "sparkSubmit.entrypoint: unknown field");
    expectFail(r, "emr-serverless aws start-job-run.sh", "entrypoint");
    expectFail(r, "dataproc dataproc-v1 dataproc/workflow-template.yaml", "numInstance");
    expectFail(r, "dataproc-serverless dataproc-v1 dataproc-serverless/batch.yaml", "versoin");
    expectFail(r, "standalone systemd-analyze calendar", "25:61:00");
    expectFail(r, "standalone systemd-analyze verify", "ExecStartt");
    expectFail(r, "dataproc airflow", "gcp_connection_id");
    expectFail(r, "kubernetes openapi cronjob.yaml[0] CronJob", "timezone");
    if (System.getenv("SPARKTRAIN_SPARK_OPERATOR_CRDS") != null) {
      expectFail(r, "kubernetes crd spark-application.yaml", "instancez");
    }
  }

  private static void expectFail(DeployValidator.Report r, String check, String field) {
    List<String> lines = r.lines().stream().filter(l -> l.contains(" " + check)).collect(Collectors.toList());
    if (lines.stream().anyMatch(l -> l.startsWith("SKIP"))) {
      System.out.println("not checked here (client missing): " + lines);
      return;
    }
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAIL") && l.contains(field)),
        check + " should fail naming " + field + ": " + lines);
  }

  private static void edit(Path f, java.util.function.UnaryOperator<String> change) throws Exception {
    String before = Files.readString(f);
    String after = change.apply(before);
    assertTrue(!after.equals(before), "the edit changed nothing in " + f);
    Files.writeString(f, after);
  }

  @Test
  void cronJobAndRbacAreValidKubernetesObjects() throws Exception {
    for (Path dir : List.of(cpuRendered, gpuRendered)) {
      JsonObject cron = json(dir.resolve("kubernetes/cronjob.yaml")).get(0);
      V1CronJob.validateJsonObject(cron);
      assertEquals("Europe/Berlin", cron.getAsJsonObject("spec").get("timeZone").getAsString());
      List<JsonObject> rbac = json(dir.resolve("kubernetes/rbac.yaml"));
      V1ServiceAccount.validateJsonObject(rbac.get(0));
      V1Role.validateJsonObject(rbac.get(1));
      V1RoleBinding.validateJsonObject(rbac.get(2));
    }
    JsonObject broken = json(cpuRendered.resolve("kubernetes/cronjob.yaml")).get(0);
    broken.getAsJsonObject("spec").addProperty("timezone", "UTC");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> V1CronJob.validateJsonObject(broken));
    assertTrue(e.getMessage().contains("timezone"), e.getMessage());
  }

  private static List<JsonObject> json(Path yaml) throws Exception {
    List<JsonObject> out = new java.util.ArrayList<>();
    for (String doc : Files.readString(yaml).split("(?m)^---$")) {
      JsonNode n = YAML.readTree(doc);
      if (n != null && !n.isMissingNode() && !n.isNull()) {
        out.add(JsonParser.parseString(new ObjectMapper().writeValueAsString(n)).getAsJsonObject());
      }
    }
    return out;
  }

  @Test
  void brokenConfigsAreRejectedWithTheKeyNamed() throws Exception {
    String good = Files.readString(CPU);
    Map<String, String[]> cases = new java.util.LinkedHashMap<>();
    cases.put("spark.executor_memroy", new String[] {"  executor_memory: 6g", "  executor_memroy: 6g", "ALL"});
    cases.put("schedule.cron", new String[] {"cron: \"30 2 * * *\"", "cron: \"30 25 * * *\"", "ALL"});
    cases.put("schedule.time_zone", new String[] {"time_zone: Europe/Berlin", "time_zone: Mars/Olympus", "ALL"});
    cases.put("dataproc_serverless.runtime_version", new String[] {"runtime_version: \"1.2\"", "runtime_version: \"2.2\"",
        "dataproc-serverless"});
    cases.put("emr.release_label", new String[] {"release_label: emr-7.2.0\n  primary", "release_label: emr-6.15.0\n  primary", "emr"});
    cases.put("kubernetes.image", new String[] {"sparktrain:0.1.0", "sparktrain:latest", "kubernetes"});
    cases.put("dataproc.image_version", new String[] {"image_version: 2.2-debian12", "image_version: 2.3-debian12", "dataproc"});
    cases.put("aws.read[0]", new String[] {"read: [s3://acme-ml-data/fashion-mnist/]", "read: [gs://acme-ml-data/x/]", "emr"});
    cases.put("job.command", new String[] {"command: retrain", "command: predict", "ALL"});
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      String[] v = c.getValue();
      assertTrue(good.contains(v[0]), v[0]);
      Path f = tmp.resolve("bad-" + c.getKey() + ".yaml");
      Files.writeString(f, good.replace(v[0], v[1]));
      ConfigException e = assertThrows(ConfigException.class, () -> {
        DeployConfig d = DeployConfig.load(f);
        d.check(Target.of(v[2].equals("ALL") ? "emr" : v[2]));
      }, c.getKey());
      assertTrue(e.getMessage().contains("'" + c.getKey() + "'"), c.getKey() + ": " + e.getMessage());
    }
    String gpu = Files.readString(GPU);
    for (String[] c : new String[][] {{"core_instance_type: g4dn.2xlarge", "core_instance_type: p5.48xlarge",
        "emr.core_instance_type", "emr", "9.0"}, {"core_instance_type: g4dn.2xlarge", "core_instance_type: g5g.2xlarge",
        "emr.core_instance_type", "emr", "x86-64"}, {"accelerator_type: nvidia-tesla-t4", "accelerator_type: nvidia-l4",
        "dataproc.accelerator_type", "dataproc", "8.9"}}) {
      Path f = tmp.resolve("gpu-" + c[1].replace(' ', '_').replace(':', '_') + ".yaml");
      Files.writeString(f, gpu.replace(c[0], c[1]));
      ConfigException e = assertThrows(ConfigException.class, () -> DeployConfig.load(f).check(Target.of(c[3])));
      assertTrue(e.getMessage().contains("'" + c[2] + "'") && e.getMessage().contains(c[4]), e.getMessage());
    }
        ConfigException scala = assertThrows(ConfigException.class, () -> {
      Path f = tmp.resolve("scala.yaml");
      Files.writeString(f, good.replace("runtime_version: \"1.2\"", "runtime_version: \"2.2\""));
      DeployConfig.load(f).check(Target.DATAPROC_SERVERLESS);
    });
    assertTrue(scala.getMessage().contains("Scala 2.13"), scala.getMessage());
  }

  @Test
  void renderNeverWritesIntoAFilledDirectory() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("filled"));
    Files.writeString(dir.resolve("keep.txt"), "mine");
    assertThrows(OutputExistsException.class, () -> Deployer.renderTo(CPU, List.of(Target.EMR), dir));
    assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count());
    }
  }

  @Test
  void cronBecomesTheSameSystemdCalendar() {
    assertEquals("*-*-* 2:30:00 UTC", Cron.onCalendar("k", "30 2 * * *", "UTC"));
    assertEquals("Mon..Fri *-*-* 6:0/15:00 Europe/Berlin", Cron.onCalendar("k", "*/15 6 * * 1-5", "Europe/Berlin"));
    assertEquals("*-1,7-1 3:0:00 UTC", Cron.onCalendar("k", "0 3 1 JAN,JUL *", "UTC"));
    assertThrows(ConfigException.class, () -> Cron.onCalendar("k", "0 3 1 * 1", "UTC"), "cron ORs, systemd ANDs");
    assertThrows(ConfigException.class, () -> Cron.check("k", "0 3 * *"));
  }
}
