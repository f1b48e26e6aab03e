#!/usr/bin/env bash
# Monitoring overhead on training throughput: interleaved pairs of 1-epoch MLP runs (sparktrain
# engine, local[2]) with monitoring.metrics on (monitor plugin, executor samples, PrometheusServlet)
# and off, so slow drifts of a shared machine's load hit both alike. Prints samples/s per run and
# the medians.  Usage: bench/monitor_overhead.sh [PAIRS] [OUT_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pairs="${1:-4}"; out="${2:-/tmp/sparktrain-monitor-overhead}"
mkdir -p "$out"
for i in $(seq 1 "$pairs"); do
  for m in true false; do
    rm -rf "$out/$m-$i"
    bin/sparktrain bench --config conf/fashion-mnist-mlp.yaml --engines sparktrain --repeat 1 --pytorch off \
      --master 'local[2]' --set training.epochs=1 --set monitoring.metrics=$m --output "$out/$m-$i" > "$out/$m-$i.log" 2>&1
  done
done
/usr/bin/env python3 - "$out" "$pairs" <<'PY'
import json, statistics, sys
out, pairs = sys.argv[1], int(sys.argv[2])
for m in ("true", "false"):
    runs = [json.load(open(f"{out}/{m}-{i}/bench.json")) for i in range(1, pairs + 1)]
    v = [r["runs"][0]["samples_per_second"] for r in runs]
    loads = [r["load_average_before"].split()[0] for r in runs]
    print(f"monitoring.metrics={m}: samples/s {[round(x) for x in v]} median {statistics.median(v):,.0f} (load before {loads})")
PY
