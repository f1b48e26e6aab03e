#!/usr/bin/env python3
"""Summarises pruning runs (each RUNS_DIR/<model>-<variant>-s<seed>/metrics.json): a JSON summary, a
markdown table on stdout (unpruned beside pruned, per model) and a chart of accuracy vs non-zero weights
and batch-256 latency.  usage: pruning_report.py RUNS_DIR SUMMARY_JSON CHART_PNG"""
import json
import os
import re
import sys


def load(runs):
    rows = []
    for name in sorted(os.listdir(runs)):
        m = re.fullmatch(r"(mlp|cnn|att)-([a-z]+\d*)-s(\d+)", name)
        path = os.path.join(runs, name, "metrics.json")
        if not m or not os.path.exists(path):
            continue
        with open(path) as f:
            metrics = json.load(f)
        mm = metrics["model"]
        row = {
            "run": name, "model": m.group(1), "variant": m.group(2), "seed": int(m.group(3)),
            "test_accuracy": metrics["test_accuracy"], "epochs": metrics["epochs"],
            "weights": mm["weights"], "nonzero_weights": mm["nonzero_weights"],
            "weights_per_nonzero": mm["weights_per_nonzero"],
            "model_zip_bytes": mm["bytes"]["model_zip"], "float32_bytes": mm["bytes"]["float32_parameters"],
            "sparse_bytes": mm["bytes"].get("sparse"), "int8_bytes": mm["bytes"].get("int8"),
            "latency_ms_1": mm["inference_ms"]["batch_1"], "latency_ms_256": mm["inference_ms"]["batch_256"],
            "int8_accuracy": mm.get("int8", {}).get("test_accuracy"),
            "int8_weight_compression": mm.get("int8", {}).get("weight_compression"),
            "samples_per_second": metrics["samples_per_second"],
        }
        s = mm.get("structured")
        if s:
            row.update({"structured_parameters": s["parameters"], "structured_accuracy": s["test_accuracy"],
                        "structured_latency_ms_256": s["inference_ms"]["batch_256"],
                        "structured_latency_ms_1": s["inference_ms"]["batch_1"],
                        "structured_speedup_256": s["speedup_batch_256"]})
        rows.append(row)
    return rows


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def table(rows):
    out = ["| model | variant | seeds | test acc (mean) | vs unpruned (pp) | weights / non-zero | bytes: model.zip / sparse / int8 "
           "| int8 acc change (pp) | latency ms batch 1 / 256 | structured: params, acc, ms/256, speedup |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for model in ("mlp", "cnn", "att"):
        mine = [r for r in rows if r["model"] == model]
        base = mean([r["test_accuracy"] for r in mine if r["variant"] == "dense"])
        for variant in sorted({r["variant"] for r in mine}, key=lambda v: (v != "dense", v)):
            rs = [r for r in mine if r["variant"] == variant]
            seeds = ",".join(str(r["seed"]) for r in rs)
            acc = mean([r["test_accuracy"] for r in rs])
            per_seed = {r["seed"]: r["test_accuracy"] for r in rs}
            base_seed = {r["seed"]: r["test_accuracy"] for r in mine if r["variant"] == "dense"}
            deltas = [100 * (per_seed[s] - base_seed[s]) for s in per_seed if s in base_seed]
            r0 = rs[0]
            st = ("%d, %.4f, %.1f, %.2fx" % (r0["structured_parameters"], r0["structured_accuracy"],
                                             r0["structured_latency_ms_256"], r0["structured_speedup_256"])
                  if "structured_parameters" in r0 else "-")
            out.append("| %s | %s | %s | %.4f | %s | %.1f | %s / %s / %s | %s | %.2f / %.1f | %s |" % (
                model, variant, seeds, acc,
                "-" if variant == "dense" else "%+.2f (per seed %s)" % (mean(deltas), ", ".join("%+.2f" % d for d in deltas)),
                mean([r["weights_per_nonzero"] for r in rs]),
                format(r0["model_zip_bytes"], ","), format(r0["sparse_bytes"], ",") if r0["sparse_bytes"] else "-",
                format(r0["int8_bytes"], ",") if r0["int8_bytes"] else "-",
                "%+.2f" % mean([100 * (r["int8_accuracy"] - r["test_accuracy"]) for r in rs if r["int8_accuracy"] is not None])
                if any(r["int8_accuracy"] is not None for r in rs) else "-",
                mean([r["latency_ms_1"] for r in rs]), mean([r["latency_ms_256"] for r in rs]), st))
    return "\n".join(out)


def chart(rows, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for model, marker in (("mlp", "o"), ("cnn", "s")):
        rs = [r for r in rows if r["model"] == model]
        axes[0].scatter([r["nonzero_weights"] / r["weights"] * 100 for r in rs], [100 * r["test_accuracy"] for r in rs],
                        marker=marker, label=model.upper())
        for r in rs:
            axes[0].annotate(r["variant"], (r["nonzero_weights"] / r["weights"] * 100, 100 * r["test_accuracy"]),
                             fontsize=7, xytext=(3, 3), textcoords="offset points")
        st = [r for r in rs if "structured_parameters" in r]
        axes[1].bar([f"{model} dense"], [mean([r["latency_ms_256"] for r in rs if r["variant"] == "dense"])])
        for r in st:
            axes[1].bar([f"{model} {r['variant']}"], [r["structured_latency_ms_256"]])
    axes[0].set_xscale("log")
    axes[0].set_xlabel("non-zero weights (% of dense, log)")
    axes[0].set_ylabel("test accuracy (%)")
    axes[0].set_title("Fashion-MNIST: accuracy vs non-zero weights")
    axes[0].legend()
    axes[1].set_yscale("log")
    axes[1].set_ylabel("ms per forward pass, batch 256 (log)")
    axes[1].set_title("inference: dense vs structurally pruned")
    axes[1].tick_params(axis="x", labelrotation=20, labelsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main():
    runs, summary, png = sys.argv[1:4]
    rows = load(runs)
    if not rows:
        sys.exit(f"pruning_report: no <model>-<variant>-s<seed>/metrics.json under {runs}")
    with open(summary, "w") as f:
        json.dump({"runs": rows, "load_average": open("/proc/loadavg").read().split()[:3]}, f, indent=1)
    print(table(rows))
    chart(rows, png)
    print(f"wrote {summary} and {png}")


if __name__ == "__main__":
    main()
