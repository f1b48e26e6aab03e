package org.sparktrain.jobs.deploy;

import static org.sparktrain.jobs.deploy.SubmitSpec.map;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Dataproc on Compute Engine (a workflow template with a managed cluster, and {@code jobs submit
 * spark} for a running cluster) and Dataproc Serverless ({@code batches submit spark}), the
 * initialization action, the IAM bindings of exactly the prefixes used, and Airflow DAGs.
 */
final class GcpRenderer {
  static final String SIGNING_KEY_FILE = "/etc/sparktrain/signing-key.pem";
  static final String JAVACPP_CACHE = "/var/cache/sparktrain-javacpp";
  static final String GPU_DISCOVERY = "/usr/lib/spark/scripts/gpu/getGpusResources.sh";
  /** gcloud's alternative list delimiter: Spark values hold commas and spaces. */
  private static final String DELIM = "#";

  private GcpRenderer() {}

  static void renderDataproc(SubmitSpec spec, String source, Rendered out) {
    DeployConfig c = spec.config();
    DeployConfig.Gcp g = c.gcp();
    DeployConfig.Dataproc d = c.dataproc();
    boolean gpu = c.spark().gpusPerExecutor() > 0;
    Map<String, String> conf = spec.conf(new SubmitSpec.Platform(JAVACPP_CACHE, GPU_DISCOVERY, "spark.yarn.appMasterEnv."));
    List<String> app = spec.appArgs(g.config(), c.job().command().equals("retrain")
        ? List.of("--set", "registry.signing_key=" + SIGNING_KEY_FILE) : List.of());
    Map<String, Object> sparkJob = map("mainClass", SubmitSpec.MAIN_CLASS, "jarFileUris", List.of(g.jar()),
        "args", app, "properties", conf);
    String initUri = SubmitSpec.parent(g.jar()) + "/init-" + c.name() + ".sh";
    List<Object> inits = new ArrayList<>();
    if (gpu) {
      inits.add(map("executableFile", "gs://goog-dataproc-initialization-actions-" + g.region()
          + "/gpu/install_gpu_driver.sh", "executionTimeout", "1200s"));
    }
    inits.add(map("executableFile", initUri, "executionTimeout", "600s"));
    Map<String, Object> worker = map("numInstances", d.workers(), "machineTypeUri", d.workerMachineType(),
        "diskConfig", map("bootDiskType", "pd-ssd", "bootDiskSizeGb", 200));
    if (gpu) {
      worker.put("accelerators", List.of(map("acceleratorTypeUri", d.acceleratorType(),
          "acceleratorCount", c.spark().gpusPerExecutor())));
    }
    Map<String, Object> clusterConfig = map(
        "configBucket", SubmitSpec.bucket(g.staging()),
        "gceClusterConfig", map("serviceAccount", g.serviceAccount(), "subnetworkUri", g.subnet(),
            "internalIpOnly", true, "serviceAccountScopes", List.of("https://www.googleapis.com/auth/cloud-platform"),
            "shieldedInstanceConfig", map("enableSecureBoot", !gpu, "enableVtpm", true, "enableIntegrityMonitoring", true),
            "metadata", gpu ? map("gpu-driver-provider", "NVIDIA", "install-gpu-agent", "true") : null),
        "masterConfig", map("numInstances", 1, "machineTypeUri", d.masterMachineType(),
            "diskConfig", map("bootDiskType", "pd-ssd", "bootDiskSizeGb", 100)),
        "workerConfig", worker,
        "secondaryWorkerConfig", d.secondaryWorkers() > 0 ? map("numInstances", d.secondaryWorkers(),
            "preemptibility", "SPOT") : null,
        "softwareConfig", map("imageVersion", d.imageVersion(), "properties", map(
            "capacity-scheduler:yarn.scheduler.capacity.resource-calculator",
            "org.apache.hadoop.yarn.util.resource.DominantResourceCalculator",
            "dataproc:dataproc.logging.stackdriver.job.driver.enable", "true")),
        "initializationActions", inits,
        "encryptionConfig", map("gcePdKmsKeyName", g.kmsKey()),
        "lifecycleConfig", map("idleDeleteTtl", d.idleDeleteTtl()),
        "securityConfig", d.kerberos() ? map("kerberosConfig", map("enableKerberos", true,
            "rootPrincipalPasswordUri", d.kerberosPasswordSecret(), "kmsKeyUri", g.kmsKey())) : null);
    Map<String, Object> template = map(
        "jobs", List.of(map("stepId", c.job().command(), "sparkJob", sparkJob)),
        "placement", map("managedCluster", map("clusterName", c.name(), "config", clusterConfig,
            "labels", map("app", "sparktrain", "job", c.name()))),
        "dagTimeout", "21600s");
    out.add("dataproc/workflow-template.yaml", SubmitSpec.provenance("#", c, source) + SubmitSpec.yaml(template));
    String header = "#!/usr/bin/env bash\n" + SubmitSpec.provenance("#", c, source) + "set -euo pipefail\n"
        + "cd \"$(dirname \"${BASH_SOURCE[0]}\")\"\n";
    out.add("dataproc/upload.sh", header + "# Copies the jar, the training config and the initialization action to GCS.\n"
        + "JAR=\"${1:?usage: upload.sh SHADED_JAR TRAINING_CONFIG}\"; CONFIG=\"${2:?usage: upload.sh SHADED_JAR TRAINING_CONFIG}\"\n"
        + "gcloud storage cp \"$JAR\" " + g.jar() + "\n"
        + "gcloud storage cp \"$CONFIG\" " + g.config() + "\n"
        + "gcloud storage cp init.sh " + initUri + "\n");
    out.add("dataproc/instantiate.sh", header + "# Creates the managed cluster, runs the job, deletes the cluster.\n"
        + SubmitSpec.shCommand(List.of("gcloud", "dataproc", "workflow-templates", "instantiate-from-file",
            "--file", "workflow-template.yaml", "--region", g.region(), "--project", g.project())));
    String cluster = d.clusterName() == null ? "${CLUSTER:?set CLUSTER=name-of-a-running-cluster}"
        : "${CLUSTER:-" + d.clusterName() + "}";
    List<String> submit = new ArrayList<>(List.of("gcloud", "dataproc", "jobs", "submit", "spark",
        "--cluster", SubmitSpec.expanded(cluster), "--region", g.region(), "--project", g.project(), "--class", SubmitSpec.MAIN_CLASS,
        "--jars", g.jar(), "--properties", properties(conf), "--labels", "app=sparktrain,job=" + c.name()));
    out.add("dataproc/submit.sh", header + "# Runs the job on a running cluster (CLUSTER); arguments after -- go to sparktrain.\n"
        + SubmitSpec.shCommand(submit, afterDashes(app)));
    out.add("dataproc/init.sh", init(c, source));
    out.add("dataproc/iam-bindings.json", SubmitSpec.json(iam(c, List.of(initUri))));
    Map<String, Object> job = map("placement", map("clusterName", d.clusterName() == null
        ? "{{ var.value.sparktrain_dataproc_cluster }}" : d.clusterName()),
        "labels", map("app", "sparktrain", "job", c.name()),
        "sparkJob", map("mainClass", SubmitSpec.MAIN_CLASS, "jarFileUris", List.of(g.jar()),
            "args", Airflow.datedArgs(c, app), "properties", conf));
    out.add("dataproc/job.yaml", SubmitSpec.yaml(job));
    out.add(Airflow.path(c, "dataproc"),
        Airflow.dataprocDag(c, source, snake(job)));
  }

  static void renderServerless(SubmitSpec spec, String source, Rendered out) {
    DeployConfig c = spec.config();
    DeployConfig.Gcp g = c.gcp();
    DeployConfig.DataprocServerless s = c.dataprocServerless();
    Map<String, String> conf = spec.conf(new SubmitSpec.Platform("/tmp/sparktrain-javacpp", null, null));
    List<String> app = spec.appArgs(g.config(), c.job().command().equals("retrain")
        ? List.of("--set", "registry.signing_key=" + s.signingKeyUri()) : List.of());
    Map<String, Object> batch = map(
        "sparkBatch", map("mainClass", SubmitSpec.MAIN_CLASS, "jarFileUris", List.of(g.jar()), "args", app),
        "runtimeConfig", map("version", s.runtimeVersion(), "properties", conf),
        "environmentConfig", map("executionConfig", map("serviceAccount", g.serviceAccount(),
            "subnetworkUri", g.subnet(), "kmsKey", g.kmsKey(), "stagingBucket", SubmitSpec.bucket(g.staging()),
            "ttl", "21600s")),
        "labels", map("app", "sparktrain", "job", c.name()));
    out.add("dataproc-serverless/batch.yaml", SubmitSpec.provenance("#", c, source) + SubmitSpec.yaml(batch));
    List<String> submit = new ArrayList<>(List.of("gcloud", "dataproc", "batches", "submit", "spark",
        "--region", g.region(), "--project", g.project(), "--version", s.runtimeVersion(),
        "--class", SubmitSpec.MAIN_CLASS, "--jars", g.jar(), "--properties", properties(conf),
        "--service-account", g.serviceAccount(), "--kms-key", g.kmsKey(), "--staging-bucket",
        SubmitSpec.bucket(g.staging()), "--ttl", "6h", "--labels", "app=sparktrain,job=" + c.name()));
    if (g.subnet() != null) {
      submit.add("--subnet");
      submit.add(g.subnet());
    }
    out.add("dataproc-serverless/submit.sh", "#!/usr/bin/env bash\n" + SubmitSpec.provenance("#", c, source)
        + "set -euo pipefail\n" + SubmitSpec.shCommand(submit, afterDashes(app)));
    out.add("dataproc-serverless/iam-bindings.json", SubmitSpec.json(iam(c, c.job().command().equals("retrain")
        ? List.of(s.signingKeyUri()) : List.of())));
    Map<String, Object> dagBatch = new LinkedHashMap<>(batch);
    dagBatch.put("sparkBatch", map("mainClass", SubmitSpec.MAIN_CLASS, "jarFileUris", List.of(g.jar()),
        "args", Airflow.datedArgs(c, app)));
    out.add(Airflow.path(c, "dataproc-serverless"),
        Airflow.dataprocBatchDag(c, source, snake(dagBatch)));
  }

  /** gcloud passes what follows {@code --} to the job. */
  private static List<String> afterDashes(List<String> app) {
    List<String> t = new ArrayList<>(List.of("--"));
    t.addAll(app);
    return t;
  }

  /** gcloud's {@code ^#^k=v#k=v} list with an alternative delimiter. */
  private static String properties(Map<String, String> conf) {
    for (String v : conf.values()) {
      if (v.contains(DELIM)) {
        throw new IllegalStateException("a Spark value holds '" + DELIM + "': " + v);
      }
    }
    return "^" + DELIM + "^" + conf.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(DELIM));
  }

  private static String init(DeployConfig c, String source) {
    return "#!/usr/bin/env bash\n" + SubmitSpec.provenance("#", c, source)
        + "# Dataproc initialization action: runs on every node as root.\nset -euo pipefail\n"
        + "mkdir -p " + JAVACPP_CACHE + " && chmod 1777 " + JAVACPP_CACHE + "\n"
        + "ROLE=\"$(/usr/share/google/get_metadata_value attributes/dataproc-role)\"\n"
        + "if [[ \"$ROLE\" == Master ]]; then\n"
        + "  # the driver runs on the primary node: the registry's signing key from Secret Manager, group hadoop only\n"
        + "  install -d -m 0750 -o root -g hadoop /etc/sparktrain\n"
        + "  umask 027\n"
        + "  gcloud secrets versions access latest --secret=" + c.gcp().signingKeySecret() + " --project="
        + c.gcp().project() + " > " + SIGNING_KEY_FILE + "\n"
        + "  chgrp hadoop " + SIGNING_KEY_FILE + " && chmod 0440 " + SIGNING_KEY_FILE + "\n"
        + "fi\n";
  }

  /** Bindings for the service account: exactly the buckets/prefixes, the key and the secret. */
  private static Map<String, Object> iam(DeployConfig c, List<String> extraReads) {
    DeployConfig.Gcp g = c.gcp();
    String member = "serviceAccount:" + g.serviceAccount();
    List<Object> b = new ArrayList<>();
    List<String> reads = new ArrayList<>(List.of(g.jar(), g.config()));
    reads.addAll(extraReads);
    reads.addAll(g.read());
    for (String r : reads) {
      b.add(map("resource", "gs://" + SubmitSpec.bucket(r), "role", "roles/storage.objectViewer", "member", member,
          "condition", condition("read " + r, r)));
    }
    List<String> writes = new ArrayList<>(g.write());
    writes.add(g.staging());
    for (String w : writes) {
      b.add(map("resource", "gs://" + SubmitSpec.bucket(w), "role", "roles/storage.objectUser", "member", member,
          "condition", condition("write " + w, w)));
    }
    b.add(map("resource", g.kmsKey(), "role", "roles/cloudkms.cryptoKeyEncrypterDecrypter", "member", member));
    b.add(map("resource", "projects/" + g.project() + "/secrets/" + g.signingKeySecret(),
        "role", "roles/secretmanager.secretAccessor", "member", member));
    b.add(map("resource", "projects/" + g.project(), "role", "roles/dataproc.worker", "member", member));
    return map("serviceAccount", g.serviceAccount(), "bindings", b,
        "note", "Grant each binding with gcloud storage buckets add-iam-policy-binding / gcloud kms keys "
            + "add-iam-policy-binding / gcloud secrets add-iam-policy-binding / gcloud projects add-iam-policy-binding; "
            + "the conditions need uniform bucket-level access.");
  }

  private static Map<String, Object> condition(String title, String uri) {
    String k = SubmitSpec.key(uri);
    return map("title", title.length() > 100 ? title.substring(0, 100) : title,
        "expression", "resource.name.startsWith(\"projects/_/buckets/" + SubmitSpec.bucket(uri) + "/objects/"
            + k + "\")");
  }

  /** REST (camelCase) to proto (snake_case) field names for the Airflow operators; map fields' keys kept. */
  @SuppressWarnings("unchecked")
  static Object snake(Object tree) {
    if (tree instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = (String) e.getKey();
        boolean mapField = k.equals("properties") || k.equals("labels");
        out.put(k.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT),
            mapField ? e.getValue() : snake(e.getValue()));
      }
      return out;
    }
    if (tree instanceof List<?> l) {
      return l.stream().map(GcpRenderer::snake).collect(Collectors.toList());
    }
    return tree;
  }
}
