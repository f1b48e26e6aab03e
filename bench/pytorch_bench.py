#!/usr/bin/env python3
"""PyTorch peer for `sparktrain bench`: the same data, model, batch size and averaging scheme.

Trains the MLP (784-256-128-10) or the LeNet-5-like CNN on Fashion-MNIST IDX files with Adam 1e-3,
one compute thread per process. With --procs 2 it starts two processes (gloo on localhost), each on
half of the training data, averaging parameters every --k steps (all_reduce / world size), as
sparktrain's parameter averaging does. Prints one JSON object on stdout.

Fair-peer notes: Debian's torch falls back to the reference BLAS (~8 GFLOP/s) unless an OpenBLAS
package provides libblas.so.3 (e.g. libopenblas0-pthread); `blas` in the output says which is loaded.
glibc malloc returns and re-faults PyTorch's large blocks every step on these VMs unless its thresholds
are raised (MALLOC_MMAP_THRESHOLD_ etc.) or jemalloc is preloaded; `sparktrain bench` sets that up
(`--pytorch-allocator`) and this script reports what it ran with (`allocator_env`). With
--average-optimizer the 2-process peer also averages Adam's moments every k steps, as sparktrain does
with averaging.updater_state. Timing starts at the first training step, after the model is built and the
data loaded (as sparktrain's samples/s starts after its round 0, which builds the replicas).
"""
import argparse, gzip, json, os, struct, sys, time

def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    import numpy as np
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

def build(model):
    import torch.nn as nn
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))

def blas_in_use():
    try:
        with open("/proc/self/maps") as f:
            libs = {l.split()[-1] for l in f if "blas" in l.lower()}
        return ",".join(sorted(os.path.basename(l) for l in libs)) or "unknown"
    except OSError:
        return "unknown"

def average(net, opt, args):
    """Parameters (and with --average-optimizer Adam's first and second moments) averaged over the processes."""
    import torch, torch.distributed as dist
    with torch.no_grad():
        for p in net.parameters():
            dist.all_reduce(p.data)
            p.data /= args.procs
            if args.average_optimizer:
                state = opt.state.get(p, {})
                for key in ("exp_avg", "exp_avg_sq"):
                    if key in state:
                        dist.all_reduce(state[key])
                        state[key] /= args.procs

def worker(rank, args, result_path):
    import numpy as np, torch, torch.nn.functional as F
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    if args.procs > 1:
        import torch.distributed as dist
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(args.port))
        dist.init_process_group("gloo", rank=rank, world_size=args.procs)
    d = args.data
    x = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y = read_idx(os.path.join(d, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    n = len(y)
    lo, hi = rank * n // args.procs, (rank + 1) * n // args.procs
    x = torch.from_numpy(x[lo:hi]).unsqueeze(1)
    y = torch.from_numpy(y[lo:hi])
    net = build(args.model)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(args.seed * 1000 + rank)
    steps = 0
    samples = 0
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        perm = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), args.batch):
            idx = perm[i:i + args.batch]
            opt.zero_grad()
            loss = F.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            steps += 1
            samples += len(idx)
            if args.procs > 1 and steps % args.k == 0:
                average(net, opt, args)
    if args.procs > 1:
        import torch.distributed as dist
        average(net, opt, args)
        total = torch.tensor([samples], dtype=torch.float64)
        dist.all_reduce(total)
        samples = int(total.item())
    wall = time.perf_counter() - t0
    if rank == 0:
        tx = torch.from_numpy(read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0).unsqueeze(1)
        ty = torch.from_numpy(read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
        with torch.no_grad():
            acc = float((net(tx).argmax(1) == ty).float().mean())
        with open(result_path, "w") as f:
            json.dump({"engine": "pytorch-%dp" % args.procs, "samples_per_second": samples / wall,
                       "wall_seconds": wall, "test_accuracy": acc, "train_samples": samples,
                       "torch": torch.__version__, "blas": blas_in_use(), "threads_per_process": 1,
                       "torch_threads": torch.get_num_threads(),
                       "averaging_frequency": args.k if args.procs > 1 else None,
                       "averages": None if args.procs == 1 else
                       ("parameters+adam_moments" if args.average_optimizer else "parameters"),
                       "allocator_env": {k: os.environ[k] for k in sorted(os.environ)
                                         if k.startswith("MALLOC_") or k in ("LD_PRELOAD", "OPENBLAS_NUM_THREADS",
                                                                             "OMP_NUM_THREADS", "OPENBLAS_CORETYPE",
                                                                             "OPENBLAS_L2_SIZE")}}, f)
    if args.procs > 1:
        import torch.distributed as dist
        dist.destroy_process_group()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--port", type=int, default=29517)
    ap.add_argument("--average-optimizer", action="store_true",
                    help="also average Adam's moments every k steps (sparktrain's averaging.updater_state)")
    args = ap.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        print(json.dumps({"absent": "python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)"}))
        return 0
    import tempfile
    result = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    if args.procs == 1:
        worker(0, args, result)
    else:
        import torch.multiprocessing as mp
        mp.spawn(worker, args=(args, result), nprocs=args.procs, join=True)
    with open(result) as f:
        print(f.read())
    os.unlink(result)
    return 0

if __name__ == "__main__":
    sys.exit(main())
