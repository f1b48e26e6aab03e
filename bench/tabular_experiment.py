#!/usr/bin/python3
"""sparktrain on a real public table against scikit-learn on the same split.

The Wisconsin Diagnostic Breast Cancer data (569 rows, 30 features) as shipped by Debian's
python3-sklearn: split once (stratified, seed 42, 25 % test) into CSV files, then
  * scikit-learn: LogisticRegression and MLPClassifier(32) on standardised features,
  * sparktrain: bin/sparktrain train --config conf/breast-cancer-csv.yaml (2 replicas, local[2]),
each test accuracy printed and written to bench/results/tabular-breast-cancer.json.
Needs /usr/bin/python3 with python3-sklearn (apt-get install python3-sklearn).
Usage: bench/tabular_experiment.py [OUT_DIR]
"""
import json, os, subprocess, sys, time
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import sklearn

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/sparktrain-tabular"
os.makedirs(out, exist_ok=True)
d = load_breast_cancer()
names = list(d.feature_names)
labels = np.array(d.target_names)[d.target]
xtr, xte, ytr, yte = train_test_split(d.data, labels, test_size=0.25, random_state=42, stratify=labels)

def write(path, x, y):
    with open(path, "w") as f:
        f.write(",".join(names + ["diagnosis"]) + "\n")
        for row, lab in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + "," + lab + "\n")

train_csv, test_csv = os.path.join(out, "breast-cancer-train.csv"), os.path.join(out, "breast-cancer-test.csv")
write(train_csv, xtr, ytr)
write(test_csv, xte, yte)
result = {"data": "Wisconsin Diagnostic Breast Cancer (UCI), from Debian python3-sklearn " + sklearn.__version__,
          "rows_train": len(ytr), "rows_test": len(yte), "split": "stratified, test_size 0.25, random_state 42"}
lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(xtr, ytr)
result["sklearn_logistic_regression"] = float(lr.score(xte, yte))
mlp_scores = []
for seed in (1, 2, 3):
    mlp = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(32,), max_iter=2000, random_state=seed))
    mlp_scores.append(float(mlp.fit(xtr, ytr).score(xte, yte)))
result["sklearn_mlp_32"] = mlp_scores

runs = []
for seed in (42, 7, 1):
    run = os.path.join(out, f"sparktrain-seed{seed}")
    t0 = time.time()
    p = subprocess.run([os.path.join(root, "bin/sparktrain"), "train", "--config",
                        os.path.join(root, "conf/breast-cancer-csv.yaml"), "--output", run, "--overwrite",
                        "--master", "local[2]", "--set", "data.train.path=" + train_csv,
                        "--set", "data.test.path=" + test_csv, "--set", f"seed={seed}"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(p.stdout[-3000:] + p.stderr[-3000:])
    m = json.load(open(os.path.join(run, "metrics.json")))
    runs.append({"seed": seed, "test_accuracy": m["test_accuracy"], "wall_seconds": round(time.time() - t0, 1)})
result["sparktrain_mlp_32"] = runs
best_sklearn = max(result["sklearn_logistic_regression"], float(np.median(mlp_scores)))
med = float(np.median([r["test_accuracy"] for r in runs]))
result["sparktrain_median"] = med
result["gap_points_vs_best_sklearn"] = round(100 * (best_sklearn - med), 2)
with open(os.path.join(out, "os-load.txt"), "w") as f:
    f.write(open("/proc/loadavg").read())
result["load_average_after"] = open("/proc/loadavg").read().strip()
print(json.dumps(result, indent=2))
os.makedirs(os.path.join(root, "bench/results"), exist_ok=True)
with open(os.path.join(root, "bench/results/tabular-breast-cancer.json"), "w") as f:
    json.dump(result, f, indent=2)
