#!/usr/bin/env bash
# Stops the cluster started by start-cluster.sh: workers (and the executors they launched), then
# the master, by the PIDs recorded at start; anything still alive after 15 s is killed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${SPARKTRAIN_CLUSTER_DIR:-$ROOT/.sparktrain/cluster}"
[[ -d "$STATE" ]] || { echo "stop-cluster: no cluster state in $STATE"; exit 0; }
pids=()
for f in "$STATE"/worker-*.pid "$STATE"/master.pid; do
  [[ -f "$f" ]] || continue
  pid="$(cat "$f")"
  # executors are children of their worker
  for child in $(pgrep -P "$pid" 2>/dev/null); do pids+=("$child"); done
  pids+=("$pid")
done
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
for _ in $(seq 1 150); do
  alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  ((alive)) || break; sleep 0.1
done
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
rm -f "$STATE"/*.pid
echo "stopped ${#pids[@]} processes"
