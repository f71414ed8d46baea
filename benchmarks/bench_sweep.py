"""Units per minute of a layer sweep: lucid.scale.render_units on local Dask clusters vs plain loops.

    python benchmarks/bench_sweep.py            # 64 channels of EfficientNet-Lite0 block5, 128 px, 128 steps

Compared, each rendering `--channels` channels of `--layer`:
  - sequential render_vis: one render_vis call per channel in this process (measured on `--sequential-channels`
    channels to keep the run short; its rate does not depend on how many);
  - render_channels in this process, `--batch-size` channels per batch (the batching alone, no Dask);
  - render_units on a fresh LocalCluster: workers x task threads per worker, each process's TensorFlow getting
    TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS threads.
"end to end" includes starting the cluster (and TensorFlow in each worker) and closing it; "working" counts from
the first task submitted to the last unit recorded. "cpu s/unit" is the CPU time (user + system) of the processes
that render, per unit (for clusters, the workers' during render_units): unlike the rates, it hardly moves when
other programs share the machine.
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import distributed  # noqa: E402
import psutil  # noqa: E402

from lucid.modelzoo.vision_models import EfficientNetLite0  # noqa: E402
from lucid.optvis.render import render_channels, render_vis  # noqa: E402
from lucid.scale import render_units  # noqa: E402

# (workers, task threads per worker, TensorFlow threads per worker process)
CLUSTERS = [(1, 1, 2), (1, 2, 1), (2, 1, 1)]


def cpu_seconds():
    """User + system CPU time of this process so far."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def bench_sequential(args):
    model = EfficientNetLite0()
    start, cpu = time.perf_counter(), cpu_seconds()
    for channel in range(args.sequential_channels):
        render_vis(
            model, "%s:%d" % (args.layer, channel), thresholds=(args.steps - 1,), image_size=args.size, verbose=False
        )
    return args.sequential_channels, time.perf_counter() - start, None, cpu_seconds() - cpu


def bench_batched(args):
    start, cpu = time.perf_counter(), cpu_seconds()
    images, _ = render_channels(
        EfficientNetLite0(),
        args.layer,
        range(args.channels),
        batch_size=args.batch_size,
        steps=args.steps,
        image_size=args.size,
    )
    return len(images), time.perf_counter() - start, None, cpu_seconds() - cpu


def bench_cluster(args, workers, threads, tf_threads):
    times = []
    env = {"TF_NUM_INTRAOP_THREADS": str(tf_threads), "TF_NUM_INTEROP_THREADS": str(tf_threads)}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out_dir:
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=threads, host="127.0.0.1", dashboard_address="127.0.0.1:0", env=env
        )
        with cluster, distributed.Client(cluster) as client:
            cpu = sum(client.run(cpu_seconds).values())
            records = render_units(
                "EfficientNetLite0",
                ["%s:%d" % (args.layer, c) for c in range(args.channels)],
                out_dir,
                client=client,
                steps=args.steps,
                size=args.size,
                batch_size=args.batch_size,
                progress=lambda *counts: times.append(time.perf_counter()),
            )
            cpu = sum(client.run(cpu_seconds).values()) - cpu
        done = sum(record["status"] == "done" for record in records)
    return done, time.perf_counter() - start, times[-1] - times[0], cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", default="block5")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--sequential-channels", type=int, default=8)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    print(
        "EfficientNet-Lite0 %s, %d px, %d steps, batch %d, %d cores (os.cpu_count)"
        % (args.layer, args.size, args.steps, args.batch_size, os.cpu_count())
    )
    print("%-46s %6s %9s %10s %12s %11s" % ("how", "units", "seconds", "units/min", "working/min", "cpu s/unit"))
    runs = [
        ("sequential render_vis (this process)", bench_sequential, ()),
        ("render_channels batched (this process)", bench_batched, ()),
    ]
    runs += [("render_units %d worker(s) x %d thread(s), TF %d" % c, bench_cluster, c) for c in CLUSTERS]
    for name, bench, config in runs:
        units, seconds, working, cpu = bench(args, *config)
        working_rate = "%.1f" % (60 * units / working) if working else "-"
        print(
            "%-46s %6d %9.1f %10.1f %12s %11.2f"
            % (name, units, seconds, 60 * units / seconds, working_rate, cpu / units),
            flush=True,
        )


if __name__ == "__main__":
    main()
