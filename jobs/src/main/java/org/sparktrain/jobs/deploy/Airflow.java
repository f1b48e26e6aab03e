package org.sparktrain.jobs.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Airflow DAGs, one per target. Each embeds the same request the target's own artefact holds
 * (as JSON read by {@code json.loads}), passes the logical date to {@code retrain --date}, and
 * treats gate-rejected / no-new-data as success through {@code retrain --succeed-on} (platforms
 * report only success or failure). Airflow itself is not installed here; the DAGs are compiled and
 * their operator arguments checked against the provider signatures in {@code airflow-operators.json}.
 */
final class Airflow {
  private Airflow() {}

  private static String dagId(DeployConfig c, String target) {
    return c.name().replace('-', '_') + "_" + target.replace('-', '_');
  }

  /** Where a target's DAG is rendered: {@code TARGET/airflow/dag_DAGID.py}. */
  static String path(DeployConfig c, String target) {
    return target + "/airflow/dag_" + dagId(c, target) + ".py";
  }

  private static String head(DeployConfig c, String source, String target, String imports) {
    String dagId = dagId(c, target);
    return "# " + SubmitSpec.provenance("", c, source).strip() + "\n"
        + "# Exit codes: 0 promoted/trained; with --succeed-on, 8 (gate rejected) and 9 (no new data) exit 0 too\n"
        + "# and are recorded in the registry's ledger and metrics.prom; anything else fails the task.\n"
        + "import json\n\nimport pendulum\nfrom airflow import DAG\n" + imports + "\n\n"
        + "with DAG(\n    dag_id=" + py(dagId) + ",\n    schedule=" + py(c.schedule().cron()) + ",\n"
        + "    start_date=pendulum.datetime(2026, 1, 1, tz=" + py(c.schedule().timeZone()) + "),\n"
        + "    catchup=False,\n    max_active_runs=1,\n    tags=[\"sparktrain\"],\n) as dag:\n";
  }

  /** The sparktrain arguments with the logical date for retrain. */
  static List<String> datedArgs(DeployConfig c, List<String> app) {
    List<String> a = new ArrayList<>(app);
    if (c.job().command().equals("retrain")) {
      a.add("--date");
      a.add("{{ ds }}");
    }
    return a;
  }

  static String sparkSubmitDag(DeployConfig c, String source, String target, String jar, Map<String, String> conf,
                               List<String> app, String master) {
    return head(c, source, target, "from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator")
        + "    # connection " + py(c.airflow().sparkConnId()) + ": host " + master + "\n"
        + "    SparkSubmitOperator(\n        task_id=\"" + c.job().command() + "\",\n"
        + "        conn_id=" + py(c.airflow().sparkConnId()) + ",\n        application=" + py(jar) + ",\n"
        + "        java_class=" + py(SubmitSpec.MAIN_CLASS) + ",\n        name=" + py(c.name()) + ",\n"
        + "        conf=json.loads(" + pyJson(conf) + "),\n"
        + "        application_args=json.loads(" + pyJson(datedArgs(c, app)) + "),\n"
        + "        env_vars={\"OMP_NUM_THREADS\": \"1\", \"SPARK_SCALA_VERSION\": \"2.12\"},\n    )\n";
  }

  static String emrDag(DeployConfig c, String source, Object apiSteps) {
    return head(c, source, "emr", "from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator\n"
        + "from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor")
        + "    add_step = EmrAddStepsOperator(\n        task_id=\"add_step\",\n"
        + "        job_flow_id=" + py(c.emr().clusterId() == null ? "{{ var.value.sparktrain_emr_cluster_id }}"
            : c.emr().clusterId()) + ",\n"
        + "        aws_conn_id=" + py(c.airflow().awsConnId()) + ",\n"
        + "        steps=json.loads(" + pyJson(apiSteps) + "),\n    )\n"
        + "    watch_step = EmrStepSensor(\n        task_id=\"watch_step\",\n"
        + "        job_flow_id=" + py(c.emr().clusterId() == null ? "{{ var.value.sparktrain_emr_cluster_id }}"
            : c.emr().clusterId()) + ",\n"
        + "        step_id=\"{{ task_instance.xcom_pull(task_ids='add_step')[0] }}\",\n"
        + "        aws_conn_id=" + py(c.airflow().awsConnId()) + ",\n    )\n"
        + "    add_step >> watch_step\n";
  }

  static String emrServerlessDag(DeployConfig c, String source, Map<String, Object> jobDriver, Object overrides) {
    return head(c, source, "emr-serverless",
        "from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator")
        + "    EmrServerlessStartJobOperator(\n        task_id=\"" + c.job().command() + "\",\n"
        + "        application_id=" + py(c.emrServerless().applicationId()) + ",\n"
        + "        execution_role_arn=" + py(c.emrServerless().executionRoleArn()) + ",\n"
        + "        name=" + py(c.name()) + ",\n"
        + "        job_driver=json.loads(" + pyJson(jobDriver) + "),\n"
        + "        configuration_overrides=json.loads(" + pyJson(overrides) + "),\n"
        + "        aws_conn_id=" + py(c.airflow().awsConnId()) + ",\n        wait_for_completion=True,\n    )\n";
  }

  static String dataprocDag(DeployConfig c, String source, Object job) {
    return head(c, source, "dataproc", "from airflow.providers.google.cloud.operators.dataproc import DataprocSubmitJobOperator")
        + "    DataprocSubmitJobOperator(\n        task_id=\"" + c.job().command() + "\",\n"
        + "        project_id=" + py(c.gcp().project()) + ",\n        region=" + py(c.gcp().region()) + ",\n"
        + "        job=json.loads(" + pyJson(job) + "),\n"
        + "        gcp_conn_id=" + py(c.airflow().gcpConnId()) + ",\n    )\n";
  }

  static String dataprocBatchDag(DeployConfig c, String source, Object batch) {
    return head(c, source, "dataproc-serverless",
        "from airflow.providers.google.cloud.operators.dataproc import DataprocCreateBatchOperator")
        + "    DataprocCreateBatchOperator(\n        task_id=\"" + c.job().command() + "\",\n"
        + "        project_id=" + py(c.gcp().project()) + ",\n        region=" + py(c.gcp().region()) + ",\n"
        + "        batch=json.loads(" + pyJson(batch) + "),\n"
        + "        batch_id=" + py(c.name() + "-{{ ds_nodash }}-{{ ti.try_number }}") + ",\n"
        + "        gcp_conn_id=" + py(c.airflow().gcpConnId()) + ",\n    )\n";
  }

  /** A Python string literal. */
  static String py(String s) {
    return SubmitSpec.json(s).strip();
  }

  /** A Python raw triple-quoted JSON literal of {@code tree}. */
  static String pyJson(Object tree) {
    String j = SubmitSpec.json(tree);
    if (j.contains("'''")) {
      throw new IllegalStateException("cannot embed ''' in a DAG");
    }
    return "r'''" + j + "'''";
  }
}
