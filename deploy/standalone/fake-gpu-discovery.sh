#!/usr/bin/env bash
# Test double of discover-gpus.sh: reports GPU addresses without any GPU. Worker i of a cluster
# started with --gpus-per-worker G gets addresses (i-1)*G .. i*G-1, so two workers never share one.
i="${SPARKTRAIN_WORKER_INDEX:-1}"; g="${SPARKTRAIN_GPUS_PER_WORKER:-1}"
addrs=""
for ((a = (i - 1) * g; a < i * g; a++)); do addrs+="${addrs:+,}\"$a\""; done
echo "{\"name\": \"gpu\", \"addresses\": [$addrs]}"
