#!/usr/bin/env bash
# Accuracy experiment of the augmentation issue: the CNN trained on the first 5,000 Fashion-MNIST
# examples with and without augmentation, for the same number of steps, over 3 seeds; writes
# OUT/augmentation-accuracy.json with every run, the means and the spreads.
#   bench/augmentation_experiment.sh OUT [EPOCHS] [OPS]
# OPS (YAML list) replaces the config's augmentation.ops for the augmented runs. SEEDS="2 3" runs
# only those seeds (runs already in OUT are kept and summarised with the new ones).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:?usage: bench/augmentation_experiment.sh OUT [EPOCHS] [OPS]}"; EPOCHS="${2:-8}"; OPS="${3:-}"
mkdir -p "$OUT"
for seed in ${SEEDS:-1 2 3}; do
  for mode in plain augmented; do
    sets=(--set data.limit.train=5000 --set training.epochs="$EPOCHS" --set seed="$seed"
          --set checkpoint.every_minutes=0)
    [[ "$mode" == plain ]] && sets+=(--set 'augmentation.ops=[]')
    [[ "$mode" == augmented && -n "$OPS" ]] && sets+=(--set "augmentation.ops=$OPS")
    "$ROOT/bin/sparktrain" train --config "$ROOT/conf/fashion-mnist-cnn-augmented.yaml" --output "$OUT/$mode-s$seed" \
      --overwrite --master 'local[2]' "${sets[@]}" 2>/dev/null | tail -1
  done
done
python3 - "$OUT" "$EPOCHS" "$OPS" <<'PY'
import json, sys, statistics as st, os
out, epochs, ops = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = []
for mode in ("plain", "augmented"):
    for seed in (1, 2, 3):
        m = json.load(open(os.path.join(out, f"{mode}-s{seed}", "metrics.json")))
        runs.append({"mode": mode, "seed": seed, "test_accuracy": m["test_accuracy"], "train_samples": m["train_samples"],
                     "samples_per_second": m["samples_per_second"]})
summary = {}
for mode in ("plain", "augmented"):
    acc = [r["test_accuracy"] for r in runs if r["mode"] == mode]
    summary[mode] = {"mean": st.mean(acc), "min": min(acc), "max": max(acc), "spread": max(acc) - min(acc)}
gain = summary["augmented"]["mean"] - summary["plain"]["mean"]
res = {"experiment": "CNN, first 5000 train examples, %d epochs (same steps), batch 64 x 2 workers, k=10, test on 10000" % epochs,
       "augmentation_ops": ops or "conf/fashion-mnist-cnn-augmented.yaml",
       "runs": runs, "summary": summary, "gain": gain,
       "gain_exceeds_spreads": gain > max(summary["plain"]["spread"], summary["augmented"]["spread"]),
       "min_augmented_above_max_plain": summary["augmented"]["min"] > summary["plain"]["max"]}
json.dump(res, open(os.path.join(out, "augmentation-accuracy.json"), "w"), indent=2)
print(json.dumps(res["summary"]), "gain %.4f" % gain, "exceeds spreads:", res["gain_exceeds_spreads"])
PY
