package org.sparktrain.jobs.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.sparktrain.driver.config.ConfigException;
import org.sparktrain.driver.config.ConfigLoader;
import org.sparktrain.driver.output.Secrets;
import org.sparktrain.jobs.ExitCodes;

/**
 * One deploy config ({@code deploy/examples/*.yaml}): what runs (job), how big (spark), when
 * (schedule) and, per platform, where the jar, the training config and the data are, the cluster
 * shape and the security settings. Read with the training config's strict rules: unknown keys and
 * wrong types are errors naming the key; {@link #check(Target)} names the key of a bad value.
 * Platform sections are needed only for the targets rendered from them.
 *
 * @param name lower-case name of the job, used for clusters, steps, pods, DAG ids and units
 * @param job the sparktrain command and its arguments
 * @param spark executor shape and extra Spark settings, the same on every target
 * @param schedule when the job runs
 * @param standalone a Spark standalone cluster (and the systemd/cron schedulers on its host)
 * @param aws locations and keys on AWS (EMR and EMR Serverless)
 * @param emr EMR on EC2 cluster shape
 * @param emrServerless EMR Serverless application
 * @param gcp locations and keys on Google Cloud (Dataproc and Dataproc Serverless)
 * @param dataproc Dataproc on Compute Engine cluster shape
 * @param dataprocServerless Dataproc Serverless batch runtime
 * @param kubernetes the spark-operator / plain CronJob settings
 * @param airflow connection ids of the generated DAGs
 */
public record DeployConfig(String name, Job job, Spark spark, Schedule schedule, Standalone standalone, Aws aws,
                           Emr emr, @JsonProperty("emr_serverless") EmrServerless emrServerless, Gcp gcp,
                           Dataproc dataproc, @JsonProperty("dataproc_serverless") DataprocServerless dataprocServerless,
                           Kubernetes kubernetes, Airflow airflow) {

  /** Spark release the jar is built for; the image and every runtime must match it. */
  public static final String SPARK_VERSION = "3.5.9";

  /** EMR on EC2 / EMR Serverless releases with Spark 3.5, Scala 2.12 and Java 17 available. */
  public static final List<String> EMR_RELEASES = List.of("emr-7.0.0", "emr-7.1.0", "emr-7.2.0", "emr-7.3.0",
      "emr-7.4.0", "emr-7.5.0", "emr-7.6.0", "emr-7.7.0", "emr-7.8.0", "emr-7.9.0", "emr-7.10.0");

  /** Dataproc on Compute Engine image versions with Spark 3.5 / Scala 2.12 / Java 17 (2.2.x). */
  public static final Pattern DATAPROC_IMAGE = Pattern.compile("2\\.2(\\.\\d+)?-(debian12|ubuntu22|rocky9)");

  /** Dataproc Serverless runtimes with Spark 3.5 and Scala 2.12. */
  public static final List<String> DATAPROC_SERVERLESS_RUNTIMES = List.of("1.2");

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,38}[a-z0-9]");
  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]*[mg]");

  /**
   * @param command {@code train} or {@code retrain}
   * @param args further sparktrain arguments (e.g. {@code --set training.epochs=3})
   * @param succeedOn outcomes of {@code retrain} that exit 0 on platforms that only know success and failure
   */
  public record Job(String command, List<String> args, @JsonProperty("succeed_on") List<String> succeedOn) {
    public Job {
      args = args == null ? List.of() : List.copyOf(args);
      succeedOn = succeedOn == null ? ("retrain".equals(command) ? ExitCodes.SUCCEED_ON : List.of()) : List.copyOf(succeedOn);
    }
  }

  /**
   * @param executors executors = training partitions (one replica each)
   * @param executorCores cores per executor (ND4J's OpenMP threads use them)
   * @param executorMemory JVM heap per executor, e.g. {@code 4g}
   * @param memoryOverhead off-heap per executor for ND4J's native buffers, e.g. {@code 3g}
   * @param driverMemory driver heap
   * @param gpusPerExecutor 0 for CPU; else GPUs per executor (one replica per GPU)
   * @param conf further {@code spark.*} settings
   */
  public record Spark(Integer executors, @JsonProperty("executor_cores") Integer executorCores,
                      @JsonProperty("executor_memory") String executorMemory,
                      @JsonProperty("memory_overhead") String memoryOverhead,
                      @JsonProperty("driver_memory") String driverMemory,
                      @JsonProperty("gpus_per_executor") Integer gpusPerExecutor, Map<String, String> conf) {
    public Spark {
      executors = executors == null ? 2 : executors;
      executorCores = executorCores == null ? 2 : executorCores;
      executorMemory = executorMemory == null ? "4g" : executorMemory;
      memoryOverhead = memoryOverhead == null ? "3g" : memoryOverhead;
      driverMemory = driverMemory == null ? "4g" : driverMemory;
      gpusPerExecutor = gpusPerExecutor == null ? 0 : gpusPerExecutor;
      conf = conf == null ? Map.of() : Map.copyOf(conf);
    }
  }

  /** @param cron five-field cron expression; @param timeZone IANA zone the cron is read in */
  public record Schedule(String cron, @JsonProperty("time_zone") String timeZone) {
    public Schedule {
      timeZone = timeZone == null ? "UTC" : timeZone;
    }
  }

  /**
   * @param master {@code spark://host:7077}
   * @param home where sparktrain is installed on the submitting host (bin/spark-submit, the jar)
   * @param config the training config as the driver reads it
   * @param propertiesFile spark-defaults file holding {@code spark.authenticate.secret} (mode 0600), never inlined
   * @param user the account the systemd unit runs as
   * @param signingKey the registry's private key file on the host, handed to the job as a systemd credential
   * @param jar the shaded jar (default: HOME/jobs/target/jobs-0.1.0-SNAPSHOT-shaded.jar)
   */
  public record Standalone(String master, String home, String config,
                           @JsonProperty("properties_file") String propertiesFile, String user,
                           @JsonProperty("signing_key") String signingKey, String jar) {
    public Standalone {
      user = user == null ? "sparktrain" : user;
      jar = jar == null && home != null ? home + "/jobs/target/jobs-0.1.0-SNAPSHOT-shaded.jar" : jar;
    }
  }

  /**
   * @param region AWS region
   * @param jar the shaded jar on S3
   * @param config the training config on S3
   * @param read S3 prefixes the job reads (data, holdout); the IAM policy lists exactly these
   * @param write S3 prefixes the job writes (registry, runs)
   * @param logs S3 prefix for EMR logs
   * @param kmsKeyArn KMS key for SSE-KMS at rest and local disks
   * @param signingKeySecretArn Secrets Manager secret holding the registry's Ed25519 private key (PEM)
   * @param certificatesZip S3 zip of PEM certificates for in-transit TLS (EMR security configuration)
   */
  public record Aws(String region, String jar, String config, List<String> read, List<String> write, String logs,
                    @JsonProperty("kms_key_arn") String kmsKeyArn,
                    @JsonProperty("signing_key_secret_arn") String signingKeySecretArn,
                    @JsonProperty("certificates_zip") String certificatesZip) {
    public Aws {
      read = read == null ? List.of() : List.copyOf(read);
      write = write == null ? List.of() : List.copyOf(write);
    }
  }

  /**
   * @param releaseLabel one of {@link #EMR_RELEASES}
   * @param clusterId an existing cluster for {@code add-steps} (the generated create-cluster runs the step itself)
   * @param primaryInstanceType primary node type
   * @param coreInstanceType core node type (GPU types for GPU executors)
   * @param coreInstances core nodes
   * @param spot core nodes on spot capacity (checkpoints make a lost node cost one round)
   * @param subnetId EC2 subnet
   * @param serviceRole EMR service role
   * @param instanceProfile EC2 instance profile the nodes run as (the IAM policy is for its role)
   */
  public record Emr(@JsonProperty("release_label") String releaseLabel, @JsonProperty("cluster_id") String clusterId,
                    @JsonProperty("primary_instance_type") String primaryInstanceType,
                    @JsonProperty("core_instance_type") String coreInstanceType,
                    @JsonProperty("core_instances") Integer coreInstances, Boolean spot,
                    @JsonProperty("subnet_id") String subnetId, @JsonProperty("service_role") String serviceRole,
                    @JsonProperty("instance_profile") String instanceProfile) {
    public Emr {
      spot = spot != null && spot;
      serviceRole = serviceRole == null ? "EMR_DefaultRole" : serviceRole;
    }
  }

  /** @param applicationId the EMR Serverless application; @param executionRoleArn the job's role */
  public record EmrServerless(@JsonProperty("application_id") String applicationId,
                              @JsonProperty("execution_role_arn") String executionRoleArn,
                              @JsonProperty("release_label") String releaseLabel) {}

  /**
   * @param project GCP project
   * @param region Dataproc region
   * @param jar the shaded jar on GCS
   * @param config the training config on GCS
   * @param read GCS prefixes read; @param write GCS prefixes written
   * @param staging bucket for Dataproc staging and logs (gs://bucket)
   * @param kmsKey Cloud KMS key (CMEK) for disks and the staging bucket
   * @param signingKeySecret Secret Manager secret holding the registry's private key
   * @param serviceAccount the service account clusters and batches run as
   * @param subnet the VPC subnetwork
   */
  public record Gcp(String project, String region, String jar, String config, List<String> read,
                    List<String> write, String staging, @JsonProperty("kms_key") String kmsKey,
                    @JsonProperty("signing_key_secret") String signingKeySecret,
                    @JsonProperty("service_account") String serviceAccount, String subnet) {
    public Gcp {
      read = read == null ? List.of() : List.copyOf(read);
      write = write == null ? List.of() : List.copyOf(write);
    }
  }

  /**
   * @param imageVersion e.g. {@code 2.2-debian12} (Spark 3.5, Scala 2.12)
   * @param clusterName an existing cluster for {@code jobs submit}; the workflow template makes its own
   * @param masterMachineType primary machine type; @param workerMachineType worker machine type
   * @param workers primary workers; @param secondaryWorkers preemptible (spot) secondary workers
   * @param acceleratorType e.g. {@code nvidia-tesla-t4} for GPU executors
   * @param idleDeleteTtl managed cluster deleted after this idle time, e.g. {@code 1800s}
   * @param kerberos enable Kerberos on the cluster (secure mode; root principal password from Secret Manager)
   */
  public record Dataproc(@JsonProperty("image_version") String imageVersion,
                         @JsonProperty("cluster_name") String clusterName,
                         @JsonProperty("master_machine_type") String masterMachineType,
                         @JsonProperty("worker_machine_type") String workerMachineType, Integer workers,
                         @JsonProperty("secondary_workers") Integer secondaryWorkers,
                         @JsonProperty("accelerator_type") String acceleratorType,
                         @JsonProperty("idle_delete_ttl") String idleDeleteTtl, Boolean kerberos,
                         @JsonProperty("kerberos_password_secret") String kerberosPasswordSecret) {
    public Dataproc {
      workers = workers == null ? 2 : workers;
      secondaryWorkers = secondaryWorkers == null ? 0 : secondaryWorkers;
      idleDeleteTtl = idleDeleteTtl == null ? "1800s" : idleDeleteTtl;
      kerberos = kerberos != null && kerberos;
    }
  }

  /**
   * @param runtimeVersion Dataproc Serverless runtime; only Spark 3.5 / Scala 2.12 runtimes can run this jar
   * @param signingKeyUri gs:// object holding the signing key for batches (Dataproc Serverless runs no
   *     initialization actions and injects no Secret Manager secrets): CMEK-encrypted, readable by the batch's
   *     service account only
   */
  public record DataprocServerless(@JsonProperty("runtime_version") String runtimeVersion,
                                   @JsonProperty("signing_key_uri") String signingKeyUri) {}

  /**
   * @param namespace where the SparkApplication, CronJob and Secret live
   * @param image the image built from the generated Dockerfile
   * @param serviceAccount the driver's service account (may create executor pods)
   * @param config the training config as the driver reads it (s3a://, gs://, or a mounted path)
   * @param signingKeySecret the Kubernetes Secret holding {@code signing-key.pem}
   * @param storageSecret the Kubernetes Secret with the object store credentials (env)
   * @param gpuResource the device plugin's resource name
   * @param sparkVersion the Spark release in the image (default {@link #SPARK_VERSION}, what the jar is built
   *     against; another 3.5.x where a Maven mirror lacks {@code spark-kubernetes_2.12} at that version)
   */
  public record Kubernetes(String namespace, String image, @JsonProperty("service_account") String serviceAccount,
                           String config, @JsonProperty("signing_key_secret") String signingKeySecret,
                           @JsonProperty("storage_secret") String storageSecret,
                           @JsonProperty("gpu_resource") String gpuResource,
                           @JsonProperty("api_server") String apiServer,
                           @JsonProperty("spark_version") String sparkVersion) {
    public Kubernetes {
      sparkVersion = sparkVersion == null ? SPARK_VERSION : sparkVersion;
      gpuResource = gpuResource == null ? "nvidia.com/gpu" : gpuResource;
      apiServer = apiServer == null ? "https://kubernetes.default.svc" : apiServer;
    }
  }

  /** Connection ids the generated DAGs use. */
  public record Airflow(@JsonProperty("aws_conn_id") String awsConnId, @JsonProperty("gcp_conn_id") String gcpConnId,
                        @JsonProperty("spark_conn_id") String sparkConnId) {
    public Airflow {
      awsConnId = awsConnId == null ? "aws_default" : awsConnId;
      gcpConnId = gcpConnId == null ? "google_cloud_default" : gcpConnId;
      sparkConnId = sparkConnId == null ? "spark_default" : sparkConnId;
    }
  }

  /** Reads and checks a deploy config file (not yet for a target: see {@link #check(Target)}). */
  public static DeployConfig load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      JsonNode tree = ConfigLoader.readYaml(file.toString(), in, " (name:, job:, spark:, schedule:, ...)");
      if (tree == null) {
        throw new ConfigException(file.toString(), "is empty: a deploy config needs name:, job:, spark:, schedule: "
            + "and a platform section (deploy/examples/cpu.yaml)", null);
      }
      DeployConfig c = ConfigLoader.bind(tree, DeployConfig.class, file.toString());
      return c.withDefaults().checkCommon();
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), "no such deploy config file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read deploy config " + file + ": " + e.getMessage(), e);
    }
  }

  private DeployConfig withDefaults() {
    return new DeployConfig(name, job, spark == null ? new Spark(null, null, null, null, null, null, null) : spark,
        schedule, standalone, aws, emr, emrServerless, gcp, dataproc, dataprocServerless, kubernetes,
        airflow == null ? new Airflow(null, null, null) : airflow);
  }

  private DeployConfig checkCommon() {
    require("name", name);
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("name", "'" + name + "' must be 2-40 lower-case letters, digits and '-', "
          + "starting with a letter (it names clusters, pods, DAGs and units)");
    }
    if (job == null) {
      throw new ConfigException("job", "is required: job: {command: retrain, args: []}");
    }
    require("job.command", job.command());
    if (!List.of("train", "retrain").contains(job.command())) {
      throw new ConfigException("job.command", "'" + job.command() + "' cannot be deployed; allowed: [train, retrain]");
    }
    for (String a : job.args()) {
      if (List.of("--config", "--master").contains(a.split("=", 2)[0])) {
        throw new ConfigException("job.args", "'" + a + "' is set by the deploy config itself (each target's "
            + "config location and the cluster's master); remove it");
      }
    }
    for (String s : job.succeedOn()) {
      if (!ExitCodes.SUCCEED_ON.contains(s)) {
        throw new ConfigException("job.succeed_on", "'" + s + "' is not an outcome; allowed: " + ExitCodes.SUCCEED_ON);
      }
    }
    if (!job.succeedOn().isEmpty() && !job.command().equals("retrain")) {
      throw new ConfigException("job.succeed_on", "only retrain has outcomes that are not failures; set [] for train");
    }
    positive("spark.executors", spark.executors(), 1, 1000);
    positive("spark.executor_cores", spark.executorCores(), 1, 256);
    positive("spark.gpus_per_executor", spark.gpusPerExecutor(), 0, 16);
    memory("spark.executor_memory", spark.executorMemory());
    memory("spark.memory_overhead", spark.memoryOverhead());
    memory("spark.driver_memory", spark.driverMemory());
    spark.conf().forEach((k, v) -> {
      if (!k.startsWith("spark.")) {
        throw new ConfigException("spark.conf." + k, "is not a Spark setting (must start with 'spark.')");
      }
      if (!Secrets.redact(k + "=" + v).equals(k + "=" + v)) {
        throw new ConfigException("spark.conf." + k, "looks like a secret; secrets come from the platform's "
            + "secret store (security notes in the README), never from the deploy config");
      }
    });
    if (schedule == null) {
      throw new ConfigException("schedule", "is required: schedule: {cron: \"30 2 * * *\", time_zone: UTC}");
    }
    require("schedule.cron", schedule.cron());
    Cron.check("schedule.cron", schedule.cron());
    try {
      ZoneId.of(schedule.timeZone());
    } catch (DateTimeException e) {
      throw new ConfigException("schedule.time_zone", "'" + schedule.timeZone() + "' is not an IANA time zone (e.g. UTC, Europe/Berlin)");
    }
    return this;
  }

  /** The targets whose sections this config has (what "all targets" means for it). */
  public List<Target> configuredTargets() {
    List<Target> t = new java.util.ArrayList<>();
    if (standalone != null) {
      t.add(Target.STANDALONE);
    }
    if (aws != null && emr != null) {
      t.add(Target.EMR);
    }
    if (aws != null && emrServerless != null) {
      t.add(Target.EMR_SERVERLESS);
    }
    if (gcp != null && dataproc != null) {
      t.add(Target.DATAPROC);
    }
    if (gcp != null && dataprocServerless != null) {
      t.add(Target.DATAPROC_SERVERLESS);
    }
    if (kubernetes != null) {
      t.add(Target.KUBERNETES);
    }
    return t;
  }

  /** Checks what {@code target} needs; throws {@link ConfigException} naming the key. */
  public DeployConfig check(Target target) {
    switch (target) {
      case STANDALONE -> {
        section("standalone", standalone, target);
        require("standalone.master", standalone.master());
        if (!standalone.master().startsWith("spark://")) {
          throw new ConfigException("standalone.master", "'" + standalone.master() + "' is not spark://HOST:PORT");
        }
        require("standalone.home", standalone.home());
        require("standalone.config", standalone.config());
        require("standalone.properties_file", standalone.propertiesFile());
      }
      case EMR, EMR_SERVERLESS -> {
        section("aws", aws, target);
        require("aws.region", aws.region());
        uri("aws.jar", aws.jar(), "s3://");
        uri("aws.config", aws.config(), "s3://");
        uri("aws.logs", aws.logs(), "s3://");
        prefixes("aws.read", aws.read(), "s3://");
        prefixes("aws.write", aws.write(), "s3://");
        require("aws.kms_key_arn", aws.kmsKeyArn());
        if (!aws.kmsKeyArn().startsWith("arn:aws:kms:")) {
          throw new ConfigException("aws.kms_key_arn", "'" + aws.kmsKeyArn() + "' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)");
        }
        require("aws.signing_key_secret_arn", aws.signingKeySecretArn());
        if (!aws.signingKeySecretArn().startsWith("arn:aws:secretsmanager:")) {
          throw new ConfigException("aws.signing_key_secret_arn", "'" + aws.signingKeySecretArn()
              + "' is not a Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)");
        }
        if (target == Target.EMR) {
          section("emr", emr, target);
          release("emr.release_label", emr.releaseLabel());
          require("emr.primary_instance_type", emr.primaryInstanceType());
          require("emr.core_instance_type", emr.coreInstanceType());
          positive("emr.core_instances", emr.coreInstances(), 1, 500);
          require("emr.instance_profile", emr.instanceProfile());
          uri("aws.certificates_zip", aws.certificatesZip(), "s3://");
          if (spark.gpusPerExecutor() > 0 && !GpuTypes.isAwsGpu(emr.coreInstanceType())) {
            throw new ConfigException("emr.core_instance_type", "'" + emr.coreInstanceType() + "' has no GPU but "
                + "spark.gpus_per_executor is " + spark.gpusPerExecutor() + "; use a GPU family (g4dn, g5, p3, p4d)");
          }
          if (spark.gpusPerExecutor() > 0 && GpuTypes.awsProblem(emr.coreInstanceType()) != null) {
            throw new ConfigException("emr.core_instance_type", "'" + emr.coreInstanceType() + "': "
                + GpuTypes.awsProblem(emr.coreInstanceType()));
          }
        } else {
          section("emr_serverless", emrServerless, target);
          require("emr_serverless.application_id", emrServerless.applicationId());
          require("emr_serverless.execution_role_arn", emrServerless.executionRoleArn());
          release("emr_serverless.release_label", emrServerless.releaseLabel());
          if (spark.gpusPerExecutor() > 0) {
            throw new ConfigException("spark.gpus_per_executor", "EMR Serverless has no GPU workers; use --target emr "
                + "with a GPU instance type, or set 0 for this target");
          }
        }
      }
      case DATAPROC, DATAPROC_SERVERLESS -> {
        section("gcp", gcp, target);
        require("gcp.project", gcp.project());
        require("gcp.region", gcp.region());
        uri("gcp.jar", gcp.jar(), "gs://");
        uri("gcp.config", gcp.config(), "gs://");
        uri("gcp.staging", gcp.staging(), "gs://");
        prefixes("gcp.read", gcp.read(), "gs://");
        prefixes("gcp.write", gcp.write(), "gs://");
        require("gcp.kms_key", gcp.kmsKey());
        if (!gcp.kmsKey().startsWith("projects/")) {
          throw new ConfigException("gcp.kms_key", "'" + gcp.kmsKey() + "' is not a key name "
              + "(projects/P/locations/L/keyRings/R/cryptoKeys/K)");
        }
        require("gcp.signing_key_secret", gcp.signingKeySecret());
        require("gcp.service_account", gcp.serviceAccount());
        if (target == Target.DATAPROC) {
          section("dataproc", dataproc, target);
          require("dataproc.image_version", dataproc.imageVersion());
          if (!DATAPROC_IMAGE.matcher(dataproc.imageVersion()).matches()) {
            throw new ConfigException("dataproc.image_version", "'" + dataproc.imageVersion() + "' is not a Spark 3.5 / "
                + "Scala 2.12 image; supported: 2.2-debian12, 2.2-ubuntu22, 2.2-rocky9 (2.3 is Scala 2.13, 2.1 is Spark 3.3)");
          }
          require("dataproc.master_machine_type", dataproc.masterMachineType());
          require("dataproc.worker_machine_type", dataproc.workerMachineType());
          positive("dataproc.workers", dataproc.workers(), 2, 1000);
          positive("dataproc.secondary_workers", dataproc.secondaryWorkers(), 0, 1000);
          if (spark.gpusPerExecutor() > 0 && dataproc.acceleratorType() == null) {
            throw new ConfigException("dataproc.accelerator_type", "is required when spark.gpus_per_executor > 0 "
                + "(e.g. nvidia-tesla-t4, nvidia-tesla-a100)");
          }
          if (spark.gpusPerExecutor() > 0 && GpuTypes.gcpProblem(dataproc.acceleratorType()) != null) {
            throw new ConfigException("dataproc.accelerator_type", GpuTypes.gcpProblem(dataproc.acceleratorType()));
          }
          if (!dataproc.idleDeleteTtl().matches("[0-9]+s")) {
            throw new ConfigException("dataproc.idle_delete_ttl", "'" + dataproc.idleDeleteTtl() + "' is not seconds, e.g. 1800s");
          }
          if (dataproc.kerberos()) {
            require("dataproc.kerberos_password_secret", dataproc.kerberosPasswordSecret());
          }
        } else {
          section("dataproc_serverless", dataprocServerless, target);
          require("dataproc_serverless.runtime_version", dataprocServerless.runtimeVersion());
          if (job.command().equals("retrain")) {
            uri("dataproc_serverless.signing_key_uri", dataprocServerless.signingKeyUri(), "gs://");
          }
          String rt = dataprocServerless.runtimeVersion();
          if (!DATAPROC_SERVERLESS_RUNTIMES.contains(rt)) {
            throw new ConfigException("dataproc_serverless.runtime_version", "'" + rt + "' cannot run this jar: "
                + (rt.startsWith("2.") ? "runtime " + rt + " is Scala 2.13 and the jar is Scala 2.12 (DL4J's Spark module is 2.12-only)"
                : "not a Spark 3.5 / Scala 2.12 runtime") + "; allowed: " + DATAPROC_SERVERLESS_RUNTIMES);
          }
          if (!List.of(4, 8, 16).contains(spark.executorCores())) {
            throw new ConfigException("spark.executor_cores", spark.executorCores() + " is not allowed on Dataproc "
                + "Serverless; allowed: 4, 8, 16");
          }
          if (spark.gpusPerExecutor() > 0) {
            throw new ConfigException("spark.gpus_per_executor", "this target is rendered CPU-only: Dataproc Serverless "
                + "GPUs need the premium tier and runtime 2.x (Scala 2.13); use --target dataproc for GPUs");
          }
        }
      }
      case KUBERNETES -> {
        section("kubernetes", kubernetes, target);
        require("kubernetes.namespace", kubernetes.namespace());
        require("kubernetes.image", kubernetes.image());
        if (!kubernetes.image().contains(":") || kubernetes.image().endsWith(":latest")) {
          throw new ConfigException("kubernetes.image", "'" + kubernetes.image() + "' needs a pinned tag (not :latest): "
              + "nightly runs must be reproducible");
        }
        require("kubernetes.service_account", kubernetes.serviceAccount());
        require("kubernetes.config", kubernetes.config());
        require("kubernetes.signing_key_secret", kubernetes.signingKeySecret());
        if (!kubernetes.sparkVersion().matches("3\\.5\\.[0-9]+")) {
          throw new ConfigException("kubernetes.spark_version", "'" + kubernetes.sparkVersion() + "' is not a Spark 3.5.x "
              + "release (the jar is built for Spark 3.5 / Scala 2.12)");
        }
      }
      default -> throw new IllegalStateException(target.name());
    }
    return this;
  }

  private static void section(String key, Object value, Target target) {
    if (value == null) {
      throw new ConfigException(key, "section is required for --target " + target.cliName());
    }
  }

  private static void require(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "is required");
    }
  }

  private static void positive(String key, Integer value, int min, int max) {
    if (value == null || value < min || value > max) {
      throw new ConfigException(key, value + " is out of range; allowed: " + min + " to " + max);
    }
  }

  private static void memory(String key, String value) {
    if (value == null || !MEMORY.matcher(value).matches()) {
      throw new ConfigException(key, "'" + value + "' is not a memory size like 512m or 4g");
    }
  }

  private static void uri(String key, String value, String scheme) {
    require(key, value);
    if (!value.startsWith(scheme) || value.length() <= scheme.length() + 1) {
      throw new ConfigException(key, "'" + value + "' must be a " + scheme + "BUCKET/... URI on this platform");
    }
  }

  private static void prefixes(String key, List<String> values, String scheme) {
    if (values.isEmpty()) {
      throw new ConfigException(key, "must list the " + scheme + " prefixes the job uses (the IAM policy grants exactly these)");
    }
    for (int i = 0; i < values.size(); i++) {
      uri(key + "[" + i + "]", values.get(i), scheme);
    }
  }

  private static void release(String key, String label) {
    require(key, label);
    if (!EMR_RELEASES.contains(label)) {
      throw new ConfigException(key, "'" + label + "' is not supported: the jar needs Spark 3.5, Scala 2.12 and "
          + "Java 17 (EMR 7.x); allowed: " + EMR_RELEASES);
    }
  }

  /**
   * GPU types and whether ND4J's CUDA build (nd4j-cuda-11.6: GPU code for compute capability 3.7 to
   * 8.6, no PTX, x86-64) runs on them.
   */
  static final class GpuTypes {
    private static final java.util.Map<String, String> AWS_REFUSED = java.util.Map.of(
        "g6", "NVIDIA L4 (compute capability 8.9)", "g6e", "NVIDIA L40S (8.9)", "gr6", "NVIDIA L4 (8.9)",
        "p5", "NVIDIA H100 (9.0)", "p5e", "NVIDIA H200 (9.0)", "g4ad", "AMD Radeon (no CUDA)",
        "g5g", "Graviton ARM64 hosts (the jar's natives are x86-64)");
    private static final List<String> AWS_OK = List.of("g4dn", "g5", "p3", "p3dn", "p4d", "p4de");
    private static final java.util.Map<String, String> GCP_REFUSED = java.util.Map.of(
        "nvidia-l4", "NVIDIA L4 (compute capability 8.9)", "nvidia-h100-80gb", "NVIDIA H100 (9.0)",
        "nvidia-h100-mega-80gb", "NVIDIA H100 (9.0)", "nvidia-h200-141gb", "NVIDIA H200 (9.0)");
    private static final List<String> GCP_OK = List.of("nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-a100",
        "nvidia-a100-80gb", "nvidia-tesla-p100", "nvidia-tesla-p4", "nvidia-tesla-k80");

    static boolean isAwsGpu(String type) {
      String family = type == null ? "" : type.split("\\.")[0];
      return AWS_OK.contains(family) || AWS_REFUSED.containsKey(family);
    }

    /** Why ND4J CUDA cannot run on an EC2 type, or null when it can. */
    static String awsProblem(String type) {
      String family = type.split("\\.")[0];
      return AWS_REFUSED.containsKey(family) ? AWS_REFUSED.get(family) + " is outside what nd4j-cuda-11.6 runs on "
          + "(compute capability 3.7-8.6, x86-64); use " + AWS_OK : null;
    }

    /** Why ND4J CUDA cannot run on a GCP accelerator, or null when it can. */
    static String gcpProblem(String accelerator) {
      if (GCP_REFUSED.containsKey(accelerator)) {
        return GCP_REFUSED.get(accelerator) + " is outside what nd4j-cuda-11.6 runs on (compute capability 3.7-8.6); "
            + "use " + GCP_OK;
      }
      return GCP_OK.contains(accelerator) ? null : "'" + accelerator + "' is not a known accelerator type; allowed: " + GCP_OK;
    }
  }

}
