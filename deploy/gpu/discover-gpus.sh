#!/usr/bin/env bash
# Spark GPU discovery script: prints {"name": "gpu", "addresses": ["0", "1", ...]} from nvidia-smi.
# Use with spark.worker.resource.gpu.discoveryScript / spark.executor.resource.gpu.discoveryScript.
set -euo pipefail
command -v nvidia-smi >/dev/null || { echo '{"name": "gpu", "addresses": []}'; exit 0; }
addrs=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/ //g; s/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [$addrs]}"
