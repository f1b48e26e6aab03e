#!/usr/bin/env bash
# Nightly retraining on a simulated stream: Fashion-MNIST's training set cut into nights of N rows
# (export-table --offset/--limit, Parquet under dt=DATE), a frozen 5,000-row holdout from the test
# set, conf/nightly-retrain.yaml. Runs `retrain` for each night (warm-started challengers), then a
# fresh model on each night after the first (same config and epoch, no warm start) evaluated on the
# same holdout, and writes bench/results/retrain-warm-start.json (decisions, exit codes, holdout
# accuracy warm vs fresh, seconds per step, load average).
# Usage: bench/retrain_experiment.sh [WORK_DIR] [NIGHTS] [ROWS_PER_NIGHT]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="${1:-/tmp/sparktrain-retrain}"; nights="${2:-4}"; rows="${3:-10000}"
fm=/usr/share/datasets/fashion-mnist
rm -rf "$work"; mkdir -p "$work/events"
load_before="$(cat /proc/loadavg)"
bin/sparktrain export-table --images $fm/t10k-images-idx3-ubyte.gz --labels $fm/t10k-labels-idx1-ubyte.gz \
  --limit 5000 --fashion-names --output "$work/holdout" --master 'local[2]' > "$work/export.log" 2>&1
for n in $(seq 1 "$nights"); do
  d="2026-12-$(printf %02d "$n")"
  bin/sparktrain export-table --images $fm/train-images-idx3-ubyte.gz --labels $fm/train-labels-idx1-ubyte.gz \
    --offset $(( (n - 1) * rows )) --limit "$rows" --fashion-names --output "$work/events/dt=$d" \
    --master 'local[2]' >> "$work/export.log" 2>&1
done
bin/sparktrain registry keygen --out "$work/keys" > /dev/null
common=(--set "data.train.path=$work/events/dt={date}" --set "registry.uri=$work/registry"
  --set "registry.signing_key=$work/keys/sparktrain-signing.pem" --set "registry.verify_key=$work/keys/sparktrain-verify.pem"
  --set "retrain.holdout=$work/holdout" --master 'local[2]')
codes=()
for n in $(seq 1 "$nights"); do
  d="2026-12-$(printf %02d "$n")"
  set +e
  bin/sparktrain retrain --config conf/nightly-retrain.yaml --date "$d" "${common[@]}" > "$work/retrain-$d.log" 2>&1
  codes+=("$?")
  set -e
  if (( n > 1 )); then
    bin/sparktrain train --config conf/nightly-retrain.yaml --set "data.train.path=$work/events/dt=$d" \
      --output "$work/fresh-$d" --master 'local[2]' > "$work/fresh-$d.log" 2>&1
    bin/sparktrain evaluate --model "$work/fresh-$d" --input "$work/holdout" --output "$work/fresh-$d-eval" \
      --master 'local[2]' >> "$work/fresh-$d.log" 2>&1
  fi
done
load_after="$(cat /proc/loadavg)"
/usr/bin/env python3 - "$work" "$nights" "$rows" "$load_before" "$load_after" "${codes[@]}" <<'PY'
import json, sys
work, nights, rows, lb, la = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
codes = [int(c) for c in sys.argv[6:]]
out = {"experiment": "nightly retrain, warm start vs fresh", "rows_per_night": rows, "holdout_rows": 5000,
       "config": "conf/nightly-retrain.yaml (784-128-10 MLP, 1 epoch, batch 64, adam 0.001, local[2])",
       "load_average_before": lb, "load_average_after": la, "nights": []}
for n in range(1, nights + 1):
    d = f"2026-12-{n:02d}"
    led = json.load(open(f"{work}/registry/fashion/ledger/{d}.json"))
    row = {"date": d, "exit_code": codes[n - 1], "decision": led["decision"], "version": led.get("version"),
           "champion_before": led.get("champion_before"), "champion_after": led.get("champion_after"),
           "warm_start": led.get("warm_start"), "seconds": led.get("seconds"),
           "holdout_accuracy_challenger": led.get("holdout", {}).get("challenger", {}).get("accuracy"),
           "holdout_accuracy_champion": led.get("holdout", {}).get("champion", {}).get("accuracy")}
    if n > 1:
        row["holdout_accuracy_fresh"] = json.load(open(f"{work}/fresh-{d}-eval/evaluation.json"))["accuracy"]
    out["nights"].append(row)
json.dump(out, open("bench/results/retrain-warm-start.json", "w"), indent=2)
for r in out["nights"]:
    print(r["date"], r["decision"], "exit", r["exit_code"], "warm", r["holdout_accuracy_challenger"],
          "champion", r["holdout_accuracy_champion"], "fresh", r.get("holdout_accuracy_fresh"),
          "total s", (r["seconds"] or {}).get("total"))
PY
