#!/usr/bin/env bash
# Submits the shaded jar to the cluster started by start-cluster.sh (its master URL and secret):
#   deploy/standalone/submit.sh [spark-submit options] train|retrain|predict|... ARGS (a sparktrain command starts the app args)
# Client deploy mode by default; pass --deploy-mode cluster to run the driver on a worker.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${SPARKTRAIN_CLUSTER_DIR:-$ROOT/.sparktrain/cluster}"
JAR="$ROOT/jobs/target/jobs-0.1.0-SNAPSHOT-shaded.jar"
[[ -f "$STATE/spark-defaults.conf" ]] || { echo "submit: no running cluster (start deploy/standalone/start-cluster.sh)" >&2; exit 2; }
[[ -f "$JAR" ]] || { echo "submit: $JAR missing; build with: cd $ROOT && mvn -B -q -DskipTests install" >&2; exit 2; }
spark_opts=(); app_args=()
while (($#)); do
  case "$1" in
    train|retrain|prune|predict|evaluate|bench|export-table|export-images|augment-preview|augment-bench) app_args=("$@"); break;;
    *) spark_opts+=("$1"); shift;;
  esac
done
exec "$ROOT/bin/spark-submit" --properties-file "$STATE/spark-defaults.conf" "${spark_opts[@]}" "$JAR" "${app_args[@]}"
