package org.sparktrain.jobs.deploy;

import static org.sparktrain.jobs.deploy.SubmitSpec.map;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * EMR on EC2 and EMR Serverless: create-cluster inputs (configurations with YARN GPU scheduling for
 * GPU instance types, instance groups, bootstrap action, security configuration), add-steps and
 * start-job-run inputs, the IAM policy of exactly the prefixes used, and Airflow DAGs.
 */
final class AwsRenderer {
  static final String SIGNING_KEY_FILE = "/etc/sparktrain/signing-key.pem";
  static final String JAVACPP_CACHE = "/mnt/sparktrain-javacpp";
  static final String EMR_GPU_DISCOVERY = "/usr/lib/spark/scripts/gpu/getGpusResources.sh";

  private AwsRenderer() {}

  static void renderEmr(SubmitSpec spec, String source, Rendered out) {
    DeployConfig c = spec.config();
    DeployConfig.Aws aws = c.aws();
    DeployConfig.Emr emr = c.emr();
    boolean gpu = c.spark().gpusPerExecutor() > 0;
    Map<String, String> conf = spec.conf(new SubmitSpec.Platform(JAVACPP_CACHE, EMR_GPU_DISCOVERY,
        "spark.yarn.appMasterEnv."));
    List<String> app = spec.appArgs(aws.config(), signingArgs(c));
    out.add("emr/configurations.json", SubmitSpec.json(configurations(conf, gpu)));
    out.add("emr/instance-groups.json", SubmitSpec.json(instanceGroups(emr)));
    out.add("emr/bootstrap.sh", bootstrap(c, source, gpu));
    out.add("emr/security-configuration.json", SubmitSpec.json(securityConfiguration(aws)));
    // the settings travel with the step too, so a step added to a running cluster (made with these
    // configurations and bootstrap action: the signing key and the JavaCPP cache) runs the same way
    List<String> submit = new ArrayList<>(List.of("--deploy-mode", "cluster", "--name", c.name(),
        "--class", SubmitSpec.MAIN_CLASS));
    submit.addAll(SubmitSpec.confArgs(conf));
    submit.add(aws.jar());
    submit.addAll(app);
    out.add("emr/steps.json", SubmitSpec.json(List.of(map("Type", "Spark", "Name", c.name(),
        "ActionOnFailure", "CONTINUE", "Args", submit))));
    out.add("emr/steps-transient.json", SubmitSpec.json(List.of(map("Type", "Spark", "Name", c.name(),
        "ActionOnFailure", "TERMINATE_CLUSTER", "Args", submit))));
    List<String> apiArgs = new ArrayList<>(List.of("spark-submit", "--deploy-mode", "cluster", "--name", c.name(),
        "--class", SubmitSpec.MAIN_CLASS));
    apiArgs.addAll(SubmitSpec.confArgs(conf));
    apiArgs.add(aws.jar());
    apiArgs.addAll(Airflow.datedArgs(c, app));
    List<Object> apiSteps = List.of(map("Name", c.name(), "ActionOnFailure", "CONTINUE",
        "HadoopJarStep", map("Jar", "command-runner.jar", "Args", apiArgs)));
    out.add("emr/steps-api.json", SubmitSpec.json(apiSteps));
    String securityName = c.name() + "-security";
    String bootstrapUri = SubmitSpec.parent(aws.jar()) + "/bootstrap-" + c.name() + ".sh";
    List<String> ec2 = new ArrayList<>(List.of("InstanceProfile=" + emr.instanceProfile()));
    if (emr.subnetId() != null) {
      ec2.add("SubnetId=" + emr.subnetId());
    }
    String header = "#!/usr/bin/env bash\n" + SubmitSpec.provenance("#", c, source) + "set -euo pipefail\n"
        + "cd \"$(dirname \"${BASH_SOURCE[0]}\")\"\n";
    out.add("emr/upload.sh", header + "# Copies the jar, the training config and the bootstrap action to S3.\n"
        + "JAR=\"${1:?usage: upload.sh SHADED_JAR TRAINING_CONFIG}\"; CONFIG=\"${2:?usage: upload.sh SHADED_JAR TRAINING_CONFIG}\"\n"
        + "aws s3 cp --sse aws:kms --sse-kms-key-id " + aws.kmsKeyArn() + " \"$JAR\" " + aws.jar() + "\n"
        + "aws s3 cp --sse aws:kms --sse-kms-key-id " + aws.kmsKeyArn() + " \"$CONFIG\" " + aws.config() + "\n"
        + "aws s3 cp --sse aws:kms --sse-kms-key-id " + aws.kmsKeyArn() + " bootstrap.sh " + bootstrapUri + "\n");
    out.add("emr/create-security-configuration.sh", header + SubmitSpec.shCommand(List.of("aws", "emr",
        "create-security-configuration", "--region", aws.region(), "--name", securityName,
        "--security-configuration", "file://security-configuration.json")));
    List<String> create = new ArrayList<>(List.of("aws", "emr", "create-cluster", "--region", aws.region(),
        "--name", c.name(), "--release-label", emr.releaseLabel(), "--applications", "Name=Spark",
        "--instance-groups", "file://instance-groups.json", "--configurations", "file://configurations.json",
        "--bootstrap-actions", "Path=" + bootstrapUri + ",Name=sparktrain",
        "--security-configuration", securityName, "--service-role", emr.serviceRole(),
        "--ec2-attributes", String.join(",", ec2), "--log-uri", aws.logs(),
        "--steps", "file://steps-transient.json", "--auto-terminate"));
    out.add("emr/create-cluster.sh", header + "# A transient cluster: runs the step, then terminates (on failure too).\n"
        + SubmitSpec.shCommand(create));
    String cluster = emr.clusterId() == null ? "${CLUSTER_ID:?set CLUSTER_ID=j-...}" : "${CLUSTER_ID:-" + emr.clusterId() + "}";
    out.add("emr/add-steps.sh", header + "# Adds the step to a running cluster (CLUSTER_ID).\n"
        + SubmitSpec.shCommand(List.of("aws", "emr", "add-steps", "--region", aws.region(), "--cluster-id",
            SubmitSpec.expanded(cluster), "--steps", "file://steps.json")));
    out.add("emr/iam-policy.json", SubmitSpec.json(iamPolicy(aws, bootstrapUri, true)));
    out.add(Airflow.path(c, "emr"), Airflow.emrDag(c, source, apiSteps));
  }

  static void renderServerless(SubmitSpec spec, String source, Rendered out) {
    DeployConfig c = spec.config();
    DeployConfig.Aws aws = c.aws();
    Map<String, String> conf = spec.conf(new SubmitSpec.Platform("/tmp/sparktrain-javacpp", null,
        "spark.emr-serverless.driverEnv."));
    // EMR Serverless resolves EMR.secret@NAME from Secrets Manager when the job starts; no key is in the request
    conf.put("spark.emr-serverless.driverEnv.SPARKTRAIN_SIGNING_KEY_PEM", "EMR.secret@" + secretName(aws));
    List<String> app = spec.appArgs(aws.config(), List.of());
    Map<String, Object> jobDriver = map("sparkSubmit", map("entryPoint", aws.jar(),
        "entryPointArguments", app, "sparkSubmitParameters", "--class " + SubmitSpec.MAIN_CLASS));
    Map<String, Object> overrides = map(
        "applicationConfiguration", List.of(map("classification", "spark-defaults", "properties", conf)),
        "monitoringConfiguration", map("s3MonitoringConfiguration", map("logUri", aws.logs(),
            "encryptionKeyArn", aws.kmsKeyArn())));
    Map<String, Object> request = map("applicationId", c.emrServerless().applicationId(),
        "executionRoleArn", c.emrServerless().executionRoleArn(), "name", c.name(),
        "jobDriver", jobDriver, "configurationOverrides", overrides,
        "executionTimeoutMinutes", 360);
    out.add("emr-serverless/start-job-run.json", SubmitSpec.json(request));
    out.add("emr-serverless/start-job-run.sh", "#!/usr/bin/env bash\n" + SubmitSpec.provenance("#", c, source)
        + "set -euo pipefail\ncd \"$(dirname \"${BASH_SOURCE[0]}\")\"\n"
        + SubmitSpec.shCommand(List.of("aws", "emr-serverless", "start-job-run", "--region", aws.region(),
            "--cli-input-json", "file://start-job-run.json")));
    out.add("emr-serverless/iam-policy.json", SubmitSpec.json(iamPolicy(aws, null, false)));
    Map<String, Object> dagDriver = map("sparkSubmit", map("entryPoint", aws.jar(),
        "entryPointArguments", Airflow.datedArgs(c, app), "sparkSubmitParameters", "--class " + SubmitSpec.MAIN_CLASS));
    out.add(Airflow.path(c, "emr-serverless"),
        Airflow.emrServerlessDag(c, source, dagDriver, overrides));
  }

  private static List<String> signingArgs(DeployConfig c) {
    return c.job().command().equals("retrain") ? List.of("--set", "registry.signing_key=" + SIGNING_KEY_FILE) : List.of();
  }

  private static String secretName(DeployConfig.Aws aws) {
    String arn = aws.signingKeySecretArn();
    return arn.substring(arn.indexOf(":secret:") + ":secret:".length());
  }

  private static List<Object> configurations(Map<String, String> conf, boolean gpu) {
    List<Object> cl = new ArrayList<>();
    cl.add(map("Classification", "spark-defaults", "Properties", conf));
    cl.add(map("Classification", "spark-env", "Configurations", List.of(map("Classification", "export",
        "Properties", map("JAVA_HOME", "/usr/lib/jvm/jre-17", "OMP_NUM_THREADS", "1")))));
    Map<String, String> capacity = new LinkedHashMap<>();
    capacity.put("yarn.scheduler.capacity.resource-calculator",
        "org.apache.hadoop.yarn.util.resource.DominantResourceCalculator");
    cl.add(map("Classification", "capacity-scheduler", "Properties", capacity));
    if (gpu) {
      Map<String, String> yarn = new LinkedHashMap<>();
      yarn.put("yarn.nodemanager.resource-plugins", "yarn.io/gpu");
      yarn.put("yarn.resource-types", "yarn.io/gpu");
      yarn.put("yarn.nodemanager.resource-plugins.gpu.allowed-gpu-devices", "auto");
      yarn.put("yarn.nodemanager.resource-plugins.gpu.path-to-discovery-executables", "/usr/bin");
      yarn.put("yarn.nodemanager.linux-container-executor.cgroups.mount", "true");
      yarn.put("yarn.nodemanager.linux-container-executor.cgroups.mount-path", "/spark-rapids-cgroup");
      yarn.put("yarn.nodemanager.linux-container-executor.cgroups.hierarchy", "yarn");
      yarn.put("yarn.nodemanager.container-executor.class",
          "org.apache.hadoop.yarn.server.nodemanager.LinuxContainerExecutor");
      cl.add(map("Classification", "yarn-site", "Properties", yarn));
      cl.add(map("Classification", "container-executor", "Properties", Map.of(), "Configurations", List.of(
          map("Classification", "gpu", "Properties", map("module.enabled", "true")),
          map("Classification", "cgroups", "Properties", map("root", "/spark-rapids-cgroup", "yarn-hierarchy", "yarn")))));
    }
    return cl;
  }

  private static List<Object> instanceGroups(DeployConfig.Emr emr) {
    Map<String, Object> core = map("Name", "core", "InstanceGroupType", "CORE", "InstanceType", emr.coreInstanceType(),
        "InstanceCount", emr.coreInstances());
    if (emr.spot()) {
      core.put("BidPrice", "OnDemandPrice");
    }
    return List.of(map("Name", "primary", "InstanceGroupType", "MASTER", "InstanceType", emr.primaryInstanceType(),
        "InstanceCount", 1), core);
  }

  private static String bootstrap(DeployConfig c, String source, boolean gpu) {
    StringBuilder b = new StringBuilder("#!/usr/bin/env bash\n").append(SubmitSpec.provenance("#", c, source))
        .append("# EMR bootstrap action: runs on every node before YARN starts.\nset -euo pipefail\n")
        .append("# JavaCPP unpacks ND4J's natives (~400 MB) once per node, not once per container\n")
        .append("sudo mkdir -p ").append(JAVACPP_CACHE).append(" && sudo chmod 1777 ").append(JAVACPP_CACHE).append('\n')
        .append("# the registry's signing key, from Secrets Manager; readable by the hadoop group (YARN containers) only\n")
        .append("sudo install -d -m 0750 -o root -g hadoop /etc/sparktrain\n")
        .append("umask 027\naws secretsmanager get-secret-value --region ").append(c.aws().region())
        .append(" --secret-id ").append(c.aws().signingKeySecretArn())
        .append(" --query SecretString --output text | sudo tee ").append(SIGNING_KEY_FILE).append(" > /dev/null\n")
        .append("sudo chgrp hadoop ").append(SIGNING_KEY_FILE).append(" && sudo chmod 0440 ").append(SIGNING_KEY_FILE).append('\n');
    if (gpu) {
      b.append("# GPU nodes (the jar built with mvn -Pcuda: nd4j-cuda-11.6): an NVIDIA driver >= 510 and the CUDA 11.6\n")
          .append("# libraries (libcudart.so.11, libcublas.so.11, libcusolver.so.11) on core nodes, or the job fails at start\n")
          .append("if grep -q '\"isMaster\": *false' /mnt/var/lib/info/instance.json; then\n")
          .append("  nvidia-smi > /dev/null 2>&1 || { echo 'sparktrain bootstrap: no NVIDIA driver on this GPU node' >&2; exit 1; }\n")
          .append("  ldconfig -p | grep -q libcudart.so.11 || echo 'sparktrain bootstrap: no libcudart.so.11 (CUDA 11.6): install "
              + "it or build the jar with org.bytedeco:cuda-platform-redist' >&2\n")
          .append("fi\n")
          .append("sudo chmod a+rwx -R /sys/fs/cgroup/cpu,cpuacct 2>/dev/null || true\n")
          .append("sudo chmod a+rwx -R /sys/fs/cgroup/devices 2>/dev/null || true\n");
    }
    return b.toString();
  }

  private static Map<String, Object> securityConfiguration(DeployConfig.Aws aws) {
    return map("EncryptionConfiguration", map(
        "EnableInTransitEncryption", true,
        "EnableAtRestEncryption", true,
        "InTransitEncryptionConfiguration", map("TLSCertificateConfiguration", map(
            "CertificateProviderType", "PEM", "S3Object", aws.certificatesZip())),
        "AtRestEncryptionConfiguration", map(
            "S3EncryptionConfiguration", map("EncryptionMode", "SSE-KMS", "AwsKmsKey", aws.kmsKeyArn()),
            "LocalDiskEncryptionConfiguration", map("EncryptionKeyProviderType", "AwsKms",
                "AwsKmsKey", aws.kmsKeyArn(), "EnableEbsEncryption", true))));
  }

  /** Exactly the objects and prefixes the job touches, the key and the secret. */
  private static Map<String, Object> iamPolicy(DeployConfig.Aws aws, String bootstrapUri, boolean logsWrite) {
    List<Object> st = new ArrayList<>();
    Set<String> readObjects = new LinkedHashSet<>(List.of(arnObject(aws.jar()), arnObject(aws.config())));
    if (bootstrapUri != null) {
      readObjects.add(arnObject(bootstrapUri));
    }
    for (String r : aws.read()) {
      readObjects.add(arnObject(prefix(r)) + "*");
    }
    if (aws.certificatesZip() != null) {
      readObjects.add(arnObject(aws.certificatesZip()));
    }
    st.add(map("Sid", "ReadJarConfigAndData", "Effect", "Allow", "Action", List.of("s3:GetObject"),
        "Resource", new ArrayList<>(readObjects)));
    List<String> writes = new ArrayList<>();
    for (String w : aws.write()) {
      writes.add(arnObject(prefix(w)) + "*");
    }
    writes.add(arnObject(prefix(aws.logs())) + "*");
    st.add(map("Sid", "WriteRegistryRunsAndLogs", "Effect", "Allow",
        "Action", List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
        "Resource", writes));
    Map<String, List<String>> listByBucket = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(aws.read());
    all.addAll(aws.write());
    all.add(aws.logs());
    for (String u : all) {
      listByBucket.computeIfAbsent(SubmitSpec.bucket(u), b -> new ArrayList<>()).add(prefixKey(u) + "*");
    }
    listByBucket.forEach((b, prefixes) -> st.add(map("Sid", "List" + b.replaceAll("[^A-Za-z0-9]", ""),
        "Effect", "Allow", "Action", List.of("s3:ListBucket"), "Resource", "arn:aws:s3:::" + b,
        "Condition", map("StringLike", map("s3:prefix", prefixes)))));
    st.add(map("Sid", "UseTheKmsKey", "Effect", "Allow", "Action",
        List.of("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"), "Resource", aws.kmsKeyArn()));
    st.add(map("Sid", "ReadTheSigningKey", "Effect", "Allow", "Action", List.of("secretsmanager:GetSecretValue"),
        "Resource", aws.signingKeySecretArn()));
    return map("Version", "2012-10-17", "Statement", st);
  }

  private static String prefix(String uri) {
    return uri.endsWith("/") ? uri : uri + "/";
  }

  private static String prefixKey(String uri) {
    String k = SubmitSpec.key(uri);
    return k.isEmpty() ? "" : k + "/";
  }

  private static String arnObject(String uri) {
    return "arn:aws:s3:::" + SubmitSpec.bucket(uri) + "/" + uri.substring(uri.indexOf("://") + 3 + SubmitSpec.bucket(uri).length() + 1);
  }
}
