#!/usr/bin/env bash
# Tables against IDX on Fashion-MNIST, and predict throughput: exports the IDX files as Parquet,
# trains the MLP on both (same seed, epochs, partitions), scores ~1M rows (17 copies of the training
# table) with predict, and writes bench/results/tables-fashion-mnist.json.
# Usage: bench/tables_experiment.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="${1:-/tmp/sparktrain-tables}"
fm=/usr/share/datasets/fashion-mnist
rm -rf "$work"; mkdir -p "$work/million"
load_before="$(cat /proc/loadavg)"
bin/sparktrain export-table --images $fm/train-images-idx3-ubyte.gz --labels $fm/train-labels-idx1-ubyte.gz \
  --output "$work/train" --master 'local[2]' > "$work/export.log" 2>&1
bin/sparktrain export-table --images $fm/t10k-images-idx3-ubyte.gz --labels $fm/t10k-labels-idx1-ubyte.gz \
  --output "$work/test" --master 'local[2]' >> "$work/export.log" 2>&1
bin/sparktrain train --config conf/fashion-mnist-mlp.yaml --output "$work/idx" --master 'local[2]' > "$work/idx.log" 2>&1
bin/sparktrain train --config conf/fashion-mnist-table.yaml --set data.train.path="$work/train" \
  --set data.test.path="$work/test" --output "$work/table" --master 'local[2]' > "$work/table.log" 2>&1
for i in $(seq -w 1 17); do for f in "$work"/train/part-*.parquet; do cp "$f" "$work/million/copy$i-$(basename "$f")"; done; done
bin/sparktrain predict --model "$work/table" --input "$work/million" --output "$work/predictions" --keep id \
  --master 'local[2]' > "$work/predict.log" 2>&1
/usr/bin/env python3 - "$work" "$load_before" <<'PY'
import json, re, sys
work, load_before = sys.argv[1], sys.argv[2]
idx = json.load(open(f"{work}/idx/metrics.json"))
tab = json.load(open(f"{work}/table/metrics.json"))
pred = open(f"{work}/predict.log").read()
m = re.search(r"predicted ([\d,]+) rows in ([\d.]+) s \(([\d,]+) rows/s, (\d+) executor cores\)", pred)
rows, secs, rate, cores = int(m.group(1).replace(",", "")), float(m.group(2)), float(m.group(3).replace(",", "")), int(m.group(4))
per_core_train = tab["samples_per_second"] / tab["partitions"]
decode_rate = tab["train_examples"] / tab["data_decode_seconds"] / tab["partitions"]
r = {
  "machine": "2-core shared VM, local[2]", "load_average_before": load_before,
  "load_average_after": open("/proc/loadavg").read().strip(),
  "idx_test_accuracy": idx["test_accuracy"], "table_test_accuracy": tab["test_accuracy"],
  "accuracy_gap_points": round(100 * (idx["test_accuracy"] - tab["test_accuracy"]), 3),
  "table_data_load_seconds": tab["data_load_seconds"], "table_data_decode_seconds": tab["data_decode_seconds"],
  "idx_data_load_seconds": idx["data_load_seconds"],
  "table_read_decode_rows_per_second_per_core": round(decode_rate),
  "mlp_training_samples_per_second_per_core": round(per_core_train),
  "read_over_consumption": round(decode_rate / per_core_train, 2),
  "predict_rows": rows, "predict_seconds": secs, "predict_rows_per_second": rate,
  "predict_rows_per_second_per_core": round(rate / cores),
}
print(json.dumps(r, indent=2))
json.dump(r, open("bench/results/tables-fashion-mnist.json", "w"), indent=2)
PY
