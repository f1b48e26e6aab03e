#!/usr/bin/env bash
# Starts a Spark 3.5 standalone cluster on this machine from the Maven-built Spark home
# (deploy/spark-home/target/spark-home): one Master and N Workers, each its own JVM on loopback,
# with authentication (generated secret), RPC encryption and local I/O encryption on.
#
#   deploy/standalone/start-cluster.sh [--workers N] [--cores C] [--memory 2g] [--port 7077]
#                                      [--gpu-discovery SCRIPT] [--gpus-per-worker G]
#
# State (PIDs, logs, work dirs, spark-defaults.conf with the secret) goes to $SPARKTRAIN_CLUSTER_DIR
# (default .sparktrain/cluster). Prints the master URL. Stop with deploy/standalone/stop-cluster.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${SPARKTRAIN_CLUSTER_DIR:-$ROOT/.sparktrain/cluster}"
WORKERS=2; CORES=1; MEMORY=2g; PORT=7077; GPU_SCRIPT=""; GPUS=0
while (($#)); do
  case "$1" in
    --workers) WORKERS="$2"; shift 2;;
    --cores) CORES="$2"; shift 2;;
    --memory) MEMORY="$2"; shift 2;;
    --port) PORT="$2"; shift 2;;
    --gpu-discovery) GPU_SCRIPT="$2"; shift 2;;
    --gpus-per-worker) GPUS="$2"; shift 2;;
    *) echo "start-cluster: unknown option $1" >&2; exit 2;;
  esac
done
export SPARK_HOME="$ROOT/deploy/spark-home/target/spark-home"
export SPARK_SCALA_VERSION=2.12
if [[ ! -d "$SPARK_HOME/jars" ]]; then
  echo "start-cluster: no Spark home at $SPARK_HOME; build it with: cd $ROOT && mvn -B -q -DskipTests install" >&2
  exit 2
fi
if [[ -f "$STATE/master.pid" ]] && kill -0 "$(cat "$STATE/master.pid")" 2>/dev/null; then
  echo "start-cluster: a cluster is already running (master pid $(cat "$STATE/master.pid")); stop it first" >&2
  exit 2
fi
rm -rf "$STATE"; mkdir -p "$STATE/logs"
umask 077
SECRET="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
# A driver launched by a Worker (--deploy-mode cluster) does not get Spark's Java 17 flags by itself;
# it gets the secret from the Worker in its environment (sparktrain copies it into its conf).
JVM_FLAGS="$(grep -v '^#' "$ROOT/conf/jvm.options" | tr '\n' ' ')"
cat > "$STATE/spark-defaults.conf" <<CONF
spark.master                       spark://127.0.0.1:$PORT
spark.authenticate                 true
spark.authenticate.secret          $SECRET
spark.network.crypto.enabled       true
spark.io.encryption.enabled        true
spark.executorEnv.OMP_NUM_THREADS  1
spark.executor.extraJavaOptions    -Dorg.bytedeco.javacpp.cachedir=${SPARKTRAIN_JAVACPP_CACHE:-$HOME/.cache/sparktrain-javacpp}
spark.driver.extraJavaOptions      $JVM_FLAGS -Dorg.bytedeco.javacpp.cachedir=${SPARKTRAIN_JAVACPP_CACHE:-$HOME/.cache/sparktrain-javacpp}
spark.driverEnv.OMP_NUM_THREADS    1
CONF
umask 022
JAVA="${JAVA:-java}"
daemon() { # name [-Dprop=value...] class args...
  local name="$1"; shift
  nohup "$JAVA" @"$ROOT/conf/jvm.options" -Xmx512m -cp "$SPARK_HOME/jars/*" \
    -Dlog4j2.configurationFile="file:$ROOT/deploy/standalone/log4j2-daemon.properties" "$@" \
    > "$STATE/logs/$name.log" 2>&1 &
  echo $! > "$STATE/$name.pid"
}
wait_for() { # file pattern seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "start-cluster: timed out waiting for '$2' in $1:" >&2; tail -20 "$1" >&2; return 1
}
daemon master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" --webui-port 0 \
  --properties-file "$STATE/spark-defaults.conf"
wait_for "$STATE/logs/master.log" "I have been elected leader" 60
for i in $(seq 1 "$WORKERS"); do
  mkdir -p "$STATE/work-$i"
  extra=()
  if [[ -n "$GPU_SCRIPT" && "$GPUS" -gt 0 ]]; then
    # each worker owns its own GPUs: the discovery script sees which ones through these variables
    extra+=("-Dspark.worker.resource.gpu.amount=$GPUS" "-Dspark.worker.resource.gpu.discoveryScript=$GPU_SCRIPT")
  fi
  SPARKTRAIN_WORKER_INDEX="$i" SPARKTRAIN_GPUS_PER_WORKER="$GPUS" \
    daemon "worker-$i" "${extra[@]}" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$CORES" \
    --memory "$MEMORY" --webui-port 0 --work-dir "$STATE/work-$i" --properties-file "$STATE/spark-defaults.conf" \
    "spark://127.0.0.1:$PORT"
done
for i in $(seq 1 "$WORKERS"); do
  wait_for "$STATE/logs/worker-$i.log" "Successfully registered with master" 60
done
echo "spark://127.0.0.1:$PORT"
