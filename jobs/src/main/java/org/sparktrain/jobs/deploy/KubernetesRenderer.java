package org.sparktrain.jobs.deploy;

import static org.sparktrain.jobs.deploy.SubmitSpec.map;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes: spark-operator {@code SparkApplication} and {@code ScheduledSparkApplication}
 * (sparkoperator.k8s.io/v1beta2), a plain {@code CronJob} running {@code spark-submit --master
 * k8s://}, the RBAC both need, the image (Dockerfile, entrypoint, a Maven pom that gathers Spark's
 * jars), the Secret commands, and an Airflow DAG.
 */
final class KubernetesRenderer {
  static final String JAR = "local:///opt/sparktrain/sparktrain.jar";
  static final String SIGNING_DIR = "/etc/sparktrain/signing";
  static final String GPU_DISCOVERY = "/opt/sparktrain/deploy/gpu/discover-gpus.sh";

  private KubernetesRenderer() {}

  static void render(SubmitSpec spec, String source, Rendered out) {
    DeployConfig c = spec.config();
    DeployConfig.Kubernetes k = c.kubernetes();
    boolean gpu = c.spark().gpusPerExecutor() > 0;
    Map<String, String> conf = spec.conf(new SubmitSpec.Platform("/tmp/sparktrain-javacpp", GPU_DISCOVERY,
        "spark.kubernetes.driverEnv."));
    if (gpu) {
      conf.put("spark.executor.resource.gpu.vendor", k.gpuResource().substring(0, k.gpuResource().indexOf('/')));
    }
    List<String> app = spec.appArgs(k.config(), c.job().command().equals("retrain")
        ? List.of("--set", "registry.signing_key=" + SIGNING_DIR + "/signing-key.pem") : List.of());
    Map<String, String> labels = map2("app.kubernetes.io/name", "sparktrain", "app.kubernetes.io/instance", c.name());

    List<Object> envFrom = k.storageSecret() == null ? null : List.of(map("secretRef", map("name", k.storageSecret())));
    Map<String, Object> driver = map("cores", 1, "memory", c.spark().driverMemory(), "serviceAccount", k.serviceAccount(),
        "labels", labels, "envFrom", envFrom,
        "secrets", List.of(map("name", k.signingKeySecret(), "path", SIGNING_DIR, "secretType", "Generic")));
    Map<String, Object> executor = map("instances", c.spark().executors(), "cores", c.spark().executorCores(),
        "memory", c.spark().executorMemory(), "memoryOverhead", c.spark().memoryOverhead(), "labels", labels,
        "envFrom", envFrom,
        "gpu", gpu ? map("name", k.gpuResource(), "quantity", c.spark().gpusPerExecutor()) : null);
    Map<String, String> sparkConf = new LinkedHashMap<>(conf);
    // the operator sets instances/cores/memory from driver/executor; keep one source for each
    for (String key : List.of("spark.executor.instances", "spark.executor.cores", "spark.executor.memory",
        "spark.executor.memoryOverhead", "spark.driver.memory")) {
      sparkConf.remove(key);
    }
    Map<String, Object> appSpec = map("type", "Java", "mode", "cluster", "image", k.image(),
        "imagePullPolicy", "IfNotPresent", "mainClass", SubmitSpec.MAIN_CLASS, "mainApplicationFile", JAR,
        "arguments", app, "sparkVersion", k.sparkVersion(), "sparkConf", sparkConf,
        "restartPolicy", map("type", "Never"), "timeToLiveSeconds", 172800,
        "driver", driver, "executor", executor);
    Map<String, Object> sparkApp = map("apiVersion", "sparkoperator.k8s.io/v1beta2", "kind", "SparkApplication",
        "metadata", map("name", c.name(), "namespace", k.namespace(), "labels", labels), "spec", appSpec);
    String prov = SubmitSpec.provenance("#", c, source);
    out.add("kubernetes/spark-application.yaml", prov + SubmitSpec.yaml(sparkApp));
    Map<String, Object> scheduled = map("apiVersion", "sparkoperator.k8s.io/v1beta2",
        "kind", "ScheduledSparkApplication",
        "metadata", map("name", c.name(), "namespace", k.namespace(), "labels", labels),
        "spec", map("schedule", c.schedule().cron(), "timeZone", c.schedule().timeZone(),
            "concurrencyPolicy", "Forbid", "successfulRunHistoryLimit", 7, "failedRunHistoryLimit", 7,
            "template", appSpec));
    out.add("kubernetes/scheduled-spark-application.yaml", prov + SubmitSpec.yaml(scheduled));
    out.add("kubernetes/cronjob.yaml", prov + SubmitSpec.yaml(cronJob(c, k, conf, app, labels)));
    out.add("kubernetes/rbac.yaml", prov + rbac(c, k, labels));
    out.add("kubernetes/create-secrets.sh", "#!/usr/bin/env bash\n" + prov
        + "# Creates the Secrets the job mounts; key material comes from files, never from this script.\n"
        + "set -euo pipefail\nKEY=\"${1:?usage: create-secrets.sh SIGNING_KEY_PEM [STORAGE_ENV_FILE]}\"\n"
        + "kubectl -n " + k.namespace() + " create secret generic " + k.signingKeySecret()
        + " --from-file=signing-key.pem=\"$KEY\"\n"
        + (k.storageSecret() == null ? "" : "[[ -n \"${2:-}\" ]] && kubectl -n " + k.namespace()
        + " create secret generic " + k.storageSecret() + " --from-env-file=\"$2\"\n"));
    out.add("kubernetes/image/Dockerfile", dockerfile(c, source, k.sparkVersion()));
    out.add("kubernetes/image/entrypoint.sh", entrypoint(c, source));
    out.add("kubernetes/image/pom.xml", imagePom(c, source, k.sparkVersion()));
    out.add("kubernetes/image/build.sh", "#!/usr/bin/env bash\n" + prov
        + "# Gathers the image's inputs from Maven Central (Spark " + k.sparkVersion() + " with its Kubernetes\n"
        + "# module, hadoop-aws) and builds it. Run from a sparktrain checkout after 'mvn -DskipTests install'.\n"
        + "set -euo pipefail\nHERE=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n"
        + "ROOT=\"${SPARKTRAIN_HOME:?set SPARKTRAIN_HOME to the sparktrain checkout}\"\n"
        + "mvn -B -q -f \"$HERE/pom.xml\" dependency:copy-dependencies -DoutputDirectory=\"$HERE/jars\" -DincludeScope=runtime\n"
        + "cp \"$ROOT/jobs/target/jobs-0.1.0-SNAPSHOT-shaded.jar\" \"$HERE/sparktrain.jar\"\n"
        + "cp \"$ROOT/deploy/gpu/discover-gpus.sh\" \"$HERE/discover-gpus.sh\"\n"
        + "docker build -t " + k.image() + " \"$HERE\"\n");
    out.add(Airflow.path(c, "kubernetes"),
        Airflow.sparkSubmitDag(c, source, "kubernetes", JAR, submitConf(c, k, conf), app, "k8s://" + k.apiServer()));
  }

  /** spark-submit settings for Spark's own Kubernetes scheduler (CronJob, SparkSubmitOperator). */
  private static Map<String, String> submitConf(DeployConfig c, DeployConfig.Kubernetes k, Map<String, String> conf) {
    Map<String, String> m = new LinkedHashMap<>(conf);
    m.put("spark.kubernetes.namespace", k.namespace());
    m.put("spark.kubernetes.container.image", k.image());
    m.put("spark.kubernetes.authenticate.driver.serviceAccountName", k.serviceAccount());
    m.put("spark.kubernetes.driver.secrets." + k.signingKeySecret(), SIGNING_DIR);
    m.put("spark.kubernetes.driver.label.app.kubernetes.io/instance", c.name());
    m.put("spark.kubernetes.executor.label.app.kubernetes.io/instance", c.name());
    return m;
  }

  private static Map<String, Object> cronJob(DeployConfig c, DeployConfig.Kubernetes k, Map<String, String> conf,
                                             List<String> app, Map<String, String> labels) {
    List<String> args = new ArrayList<>(List.of("--master", "k8s://" + k.apiServer(), "--deploy-mode", "cluster",
        "--name", c.name(), "--class", SubmitSpec.MAIN_CLASS));
    args.addAll(SubmitSpec.confArgs(submitConf(c, k, conf)));
    args.add(JAR);
    args.addAll(app);
    Map<String, Object> container = map("name", "spark-submit", "image", k.image(),
        "command", List.of("/opt/sparktrain/entrypoint.sh", "submit"), "args", args,
        "resources", map("requests", map2("cpu", "250m", "memory", "1Gi"), "limits", map2("memory", "2Gi")),
        "securityContext", map("runAsNonRoot", true, "allowPrivilegeEscalation", false,
            "readOnlyRootFilesystem", false, "capabilities", map("drop", List.of("ALL"))));
    Map<String, Object> podSpec = map("serviceAccountName", k.serviceAccount(), "restartPolicy", "Never",
        "containers", List.of(container));
    return map("apiVersion", "batch/v1", "kind", "CronJob",
        "metadata", map("name", c.name() + "-submit", "namespace", k.namespace(), "labels", labels),
        "spec", map("schedule", c.schedule().cron(), "timeZone", c.schedule().timeZone(),
            "concurrencyPolicy", "Forbid", "startingDeadlineSeconds", 3600, "successfulJobsHistoryLimit", 7,
            "failedJobsHistoryLimit", 7,
            "jobTemplate", map("spec", map("backoffLimit", 0, "activeDeadlineSeconds", 21600,
                "template", map("metadata", map("labels", labels), "spec", podSpec)))));
  }

  private static String rbac(DeployConfig c, DeployConfig.Kubernetes k, Map<String, String> labels) {
    Map<String, Object> sa = map("apiVersion", "v1", "kind", "ServiceAccount",
        "metadata", map("name", k.serviceAccount(), "namespace", k.namespace(), "labels", labels));
    Map<String, Object> role = map("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "Role",
        "metadata", map("name", c.name() + "-driver", "namespace", k.namespace(), "labels", labels),
        "rules", List.of(
            map("apiGroups", List.of(""), "resources", List.of("pods", "services", "configmaps", "persistentvolumeclaims"),
                "verbs", List.of("create", "get", "list", "watch", "delete", "deletecollection", "patch")),
            map("apiGroups", List.of(""), "resources", List.of("secrets"), "resourceNames",
                List.of(k.signingKeySecret()), "verbs", List.of("get"))));
    Map<String, Object> binding = map("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "RoleBinding",
        "metadata", map("name", c.name() + "-driver", "namespace", k.namespace(), "labels", labels),
        "subjects", List.of(map("kind", "ServiceAccount", "name", k.serviceAccount(), "namespace", k.namespace())),
        "roleRef", map("apiGroup", "rbac.authorization.k8s.io", "kind", "Role", "name", c.name() + "-driver"));
    return SubmitSpec.yaml(sa) + "---\n" + SubmitSpec.yaml(role) + "---\n" + SubmitSpec.yaml(binding);
  }

  private static String dockerfile(DeployConfig c, String source, String sparkVersion) {
    return SubmitSpec.provenance("#", c, source)
        + "# The image: Debian's JDK 17 (apt), Spark " + sparkVersion + "'s jars with its Kubernetes module\n"
        + "# (Maven Central, gathered by build.sh into jars/), the shaded sparktrain jar and an entrypoint that\n"
        + "# starts drivers and executors the way Spark's own image does.\n"
        + "FROM debian:bookworm-slim\n"
        + "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n"
        + "      openjdk-17-jre-headless tini procps ca-certificates && rm -rf /var/lib/apt/lists/* \\\n"
        + " && useradd --uid 185 --home-dir /opt/sparktrain --shell /usr/sbin/nologin spark\n"
        + "ENV SPARK_HOME=/opt/spark SPARK_SCALA_VERSION=2.12 JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \\\n"
        + "    OMP_NUM_THREADS=1 SPARKTRAIN_JAVACPP_CACHE=/tmp/sparktrain-javacpp\n"
        + "COPY jars/ /opt/spark/jars/\n"
        + "COPY sparktrain.jar /opt/sparktrain/sparktrain.jar\n"
        + "COPY discover-gpus.sh /opt/sparktrain/deploy/gpu/discover-gpus.sh\n"
        + "COPY entrypoint.sh /opt/sparktrain/entrypoint.sh\n"
        + "RUN chmod 0755 /opt/sparktrain/entrypoint.sh /opt/sparktrain/deploy/gpu/discover-gpus.sh\n"
        + "WORKDIR /opt/sparktrain\nUSER 185\n"
        + "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/opt/sparktrain/entrypoint.sh\"]\n";
  }

  private static String entrypoint(DeployConfig c, String source) {
    return "#!/usr/bin/env bash\n" + SubmitSpec.provenance("#", c, source)
        + "# driver | executor: what Spark's Kubernetes scheduler asks of its image; submit: spark-submit (CronJob).\n"
        + "set -euo pipefail\n"
        + "CP=\"${SPARK_HOME:-/opt/spark}/jars/*\"\n"
        + "# Spark's Java 17 module flags (JavaModuleOptions): this script starts the JVMs itself, not spark-class\n"
        + "JVM=(java " + org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptions()
        + " -cp \"$CP\" -Dorg.bytedeco.javacpp.cachedir=\"${SPARKTRAIN_JAVACPP_CACHE:-/tmp/sparktrain-javacpp}\")\n"
        + "case \"${1:-}\" in\n"
        + "  driver) shift\n"
        + "    exec \"${JVM[@]}\" -Xmx\"${SPARK_DRIVER_MEMORY:-1g}\" ${SPARK_DRIVER_JAVA_OPTS:-} org.apache.spark.deploy.SparkSubmit \\\n"
        + "      --conf \"spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS}\" --deploy-mode client \"$@\";;\n"
        + "  executor) shift\n"
        + "    exec \"${JVM[@]}\" -Xms\"$SPARK_EXECUTOR_MEMORY\" -Xmx\"$SPARK_EXECUTOR_MEMORY\" ${SPARK_EXECUTOR_JAVA_OPTS:-} \\\n"
        + "      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \\\n"
        + "      --driver-url \"$SPARK_DRIVER_URL\" --executor-id \"$SPARK_EXECUTOR_ID\" --cores \"$SPARK_EXECUTOR_CORES\" \\\n"
        + "      --app-id \"$SPARK_APPLICATION_ID\" --hostname \"$SPARK_EXECUTOR_POD_IP\" \\\n"
        + "      --resourceProfileId \"${SPARK_RESOURCE_PROFILE_ID:-0}\" --podName \"$SPARK_EXECUTOR_POD_NAME\";;\n"
        + "  submit) shift\n"
        + "    exec \"${JVM[@]}\" -Xmx1g org.apache.spark.deploy.SparkSubmit \"$@\";;\n"
        + "  *) exec \"$@\";;\n"
        + "esac\n";
  }

  private static String imagePom(DeployConfig c, String source, String v) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- " + SubmitSpec.provenance("", c, source).strip() + " -->\n"
        + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n"
        + "  <groupId>org.sparktrain.image</groupId>\n  <artifactId>" + c.name() + "-image</artifactId>\n"
        + "  <version>1</version>\n  <packaging>pom</packaging>\n"
        + "  <!-- one Jackson for Spark, the Kubernetes client and sparktrain (nearest-wins would pick an older core) -->\n"
        + "  <dependencyManagement>\n    <dependencies>\n      <dependency><groupId>com.fasterxml.jackson</groupId>"
        + "<artifactId>jackson-bom</artifactId><version>" + com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION
        + "</version><type>pom</type><scope>import</scope></dependency>\n    </dependencies>\n  </dependencyManagement>\n"
        + "  <dependencies>\n"
        + dep("org.apache.spark", "spark-core_2.12", v)
        + dep("org.apache.spark", "spark-sql_2.12", v)
        + dep("org.apache.spark", "spark-mllib_2.12", v)
        + dep("org.apache.spark", "spark-kubernetes_2.12", v)
        + dep("org.apache.hadoop", "hadoop-aws", "3.3.4")
        + "  </dependencies>\n</project>\n";
  }

  private static String dep(String g, String a, String v) {
    return "    <dependency><groupId>" + g + "</groupId><artifactId>" + a + "</artifactId><version>" + v
        + "</version></dependency>\n";
  }

  private static Map<String, String> map2(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
