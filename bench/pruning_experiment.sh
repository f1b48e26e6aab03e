#!/usr/bin/env bash
# Pruning and compression, measured: unpruned beside magnitude- and structurally-pruned MLP, CNN and
# self-attention models on Fashion-MNIST (local[2], equal epochs), each with int8; writes
# bench/results/pruning-summary.json, the README table and bench/results/pruning.png (python3-matplotlib).
#   bench/pruning_experiment.sh [RUNS_DIR]     (default /tmp/sparktrain-pruning; ~75 min on 2 cores)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-/tmp/sparktrain-pruning}"
mkdir -p "$runs"
run() {
  local cfg=$1 name=$2 epochs=$3; shift 3
  bin/sparktrain train --config "conf/$cfg.yaml" --output "$runs/$name" --overwrite --master 'local[2]' \
    --set training.epochs="$epochs" --set output.int8=true "$@" > "$runs/$name.log" 2>&1
  echo "$name: $(grep '^done' "$runs/$name.log" | cut -c1-30) (load $(cut -d' ' -f1-3 /proc/loadavg))"
}
MAG="--set pruning.method=magnitude --set pruning.end=0.85"
for seed in 42 7 1; do
  run fashion-mnist-mlp "mlp-dense-s$seed" 6 --set seed=$seed
  run fashion-mnist-mlp "mlp-magnitude90-s$seed" 6 --set seed=$seed $MAG --set pruning.target_sparsity=0.9
done
run fashion-mnist-mlp mlp-structured70-s42 6 --set pruning.method=structured --set pruning.target_sparsity=0.7
for seed in 42 7; do
  run fashion-mnist-cnn "cnn-dense-s$seed" 6 --set seed=$seed
  run fashion-mnist-cnn "cnn-structured60-s$seed" 6 --set seed=$seed --set pruning.method=structured \
    --set pruning.target_sparsity=0.6 --set pruning.end=0.85
done
run fashion-mnist-cnn cnn-magnitude875-s42 6 $MAG --set pruning.target_sparsity=0.875
run fashion-mnist-cnn cnn-structured50-s42 6 --set pruning.method=structured --set pruning.target_sparsity=0.5 \
  --set pruning.end=0.85
# attention heads: 4 -> 2 heads, dense 64 -> 32
run fashion-mnist-attention att-dense-s42 2
run fashion-mnist-attention att-structured50-s42 2 --set pruning.method=structured --set pruning.target_sparsity=0.5 \
  --set pruning.end=0.7
# Debian's python3-matplotlib is installed for the system interpreter
PY=python3; [[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
"$PY" bench/pruning_report.py "$runs" bench/results/pruning-summary.json bench/results/pruning.png
