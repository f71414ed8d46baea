"""Whole layers as users see them: 16 channels of InceptionV1 mixed4a at 128 px, 129 steps each, rendered the
tutorial way (one render_vis per channel) and the ways the library offers, in one run.

    python benchmarks/bench_layer.py [--channels 16] [--steps 129] [--size 128] [--ways batch,fast]

Each way prints its wall seconds, its CPU seconds (user + system of the processes that render: unlike wall time,
it hardly moves when other programs share the machine) and both as a ratio to the tutorial loop's, and the load
average. The levers are measured one by one: batching (render_channels at batch 8 and 16), graph reuse
(render_channels's batches of 8 on one graph, against a call per batch, which builds a graph each, as the sweep's
tasks do; and the part of a batch a kept graph can save at most: building, initializing, the first run), both
cores busy (two processes with one TensorFlow thread each, half the channels each, as the sweep's local cluster
runs them), then the fast path and bfloat16. Random-weight InceptionV1 (lucid.testing).
"""

import argparse
import concurrent.futures
import functools
import multiprocessing
import os
import time

import numpy as np
import psutil

LAYER = "mixed4a"


def cpu_seconds():
    times = psutil.Process().cpu_times()
    return times.user + times.system


@functools.cache
def _model():
    """The model, built once per process and rendered once (its caches filled: the size probe, the pruned part),
    so no way measured pays the first render's extra costs."""
    from lucid.optvis import render
    from lucid.testing import random_inception_v1

    model = random_inception_v1()
    render.render_vis(model, "%s:0" % LAYER, thresholds=(0,), verbose=False)
    return model


def tutorial(channels, steps, size):
    from lucid.optvis import render

    model = _model()
    for channel in channels:
        render.render_vis(model, "%s:%d" % (LAYER, channel), thresholds=(steps - 1,), image_size=size, verbose=False)


def batched(channels, steps, size, batch_size, **kwargs):
    from lucid.optvis import render

    render.render_channels(_model(), LAYER, channels, batch_size=batch_size, steps=steps, image_size=size, **kwargs)


def call_per_batch(channels, steps, size, batch_size, **kwargs):
    """render_channels called once per batch: a graph per batch, as before graphs were shared between batches."""
    for start in range(0, len(channels), batch_size):
        batched(channels[start : start + batch_size], steps, size, batch_size, **kwargs)


def _in_worker(part):
    """A worker process's part, `(args, kwargs)` of `batched`: its CPU seconds."""
    cpu = cpu_seconds()
    batched(*part[0], **part[1])
    return cpu_seconds() - cpu


def _warm(_):
    _model()
    return os.getpid()


def two_processes(channels, steps, size, **kwargs):
    """Both cores: two spawned processes, one TensorFlow thread each, half the channels each (the sweep's local
    cluster layout). Timed from a warm pool (TensorFlow imported, the model built), as a sweep's cluster runs many
    tasks; returns (wall, summed CPU seconds of the workers)."""
    threads = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    saved = {name: os.environ.get(name) for name in threads}
    os.environ.update(threads)
    try:
        pool = concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    finally:
        for name, value in saved.items():
            os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)
    with pool:
        list(pool.map(_warm, range(2)))
        half = len(channels) // 2
        parts = [((part, steps, size, len(part)), kwargs) for part in (channels[:half], channels[half:])]
        start = time.perf_counter()
        cpu = sum(pool.map(_in_worker, parts))
        return time.perf_counter() - start, cpu


def batch_start_seconds(batch_size, size, repeats=3):
    """Median seconds a render_channels batch spends before its second step: building the graph, initializing,
    the first run (Grappler, executor, the step). What reusing one graph between batches of a layer could save."""
    from lucid.optvis import objectives, param, render
    from lucid.optvis.session import graph_and_session, initialize_variables

    model = _model()
    times = []
    for _ in range(repeats):
        with graph_and_session() as (graph, sess):
            start = time.perf_counter()
            objective = objectives.Objective.sum([objectives.channel(LAYER, i, batch=i) for i in range(batch_size)])
            T = render.make_vis_T(model, objective, lambda: param.image(size, batch=batch_size), None, None, True)
            initialize_variables(sess)
            sess.run([T("loss"), T("vis_op")])
            first = time.perf_counter() - start
            start = time.perf_counter()
            sess.run([T("loss"), T("vis_op")])
            times.append(first - (time.perf_counter() - start))  # the first run minus one steady step
    return float(np.median(times))


def profile(size, batch, repeats=10):
    """What a batch's step is made of, and the least a batched float32 render can cost: the bare model's step (a
    variable image at the post-transform size through the model, tf.gradients, an update: bench_render's floor) in
    CPU and wall seconds at batch 1 and `batch`, and the op time of a render step inside and around the model."""
    from bench_render import POST_TRANSFORM, Floor, step_op_split

    from lucid.optvis import fast as fast_path
    from lucid.optvis import objectives, param

    floors = {}
    for b in (1, batch):
        floor = Floor(_model(), LAYER, 0, POST_TRANSFORM[size], batch=b)
        floor.seconds(repeats=3)
        cpu = cpu_seconds()
        floors[b] = (floor.seconds(repeats) * repeats, cpu_seconds() - cpu)  # ~ wall and CPU of `repeats` steps
        floor.close()
    objective = objectives.Objective.sum([objectives.channel(LAYER, i, batch=i) for i in range(batch)])
    split = {}
    for fast in (False, True):
        image = fast_path.image if fast else param.image
        split[fast] = step_op_split(_model(), objective, param_f=lambda f=image: f(size, batch=batch), fast=fast)
    return floors, split


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--steps", type=int, default=129)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--ways", help="run only the ways whose names hold one of these comma-separated words")
    args = parser.parse_args()
    channels = list(range(args.channels))
    common = (channels, args.steps, args.size)
    _model()

    def timed(f, *a, **k):
        start, cpu = time.perf_counter(), cpu_seconds()
        f(*a, **k)
        return time.perf_counter() - start, cpu_seconds() - cpu

    ways = [
        ("tutorial loop: render_vis per channel", lambda: timed(tutorial, *common)),
        ("render_channels, batch 8 (2 batches, 1 graph)", lambda: timed(batched, *common, 8)),
        ("render_channels, batch 8, a call per batch (2 graphs)", lambda: timed(call_per_batch, *common, 8)),
        (
            "render_channels, batch 8, use_fixed_seed (1 graph, 2 sessions)",
            lambda: timed(batched, *common, 8, use_fixed_seed=True),
        ),
        ("render_channels, batch 16", lambda: timed(batched, *common, 16)),
        ("two processes x 1 thread, batch 8 each", lambda: two_processes(*common)),
        ("render_channels, batch 16, fast=True", lambda: timed(batched, *common, 16, fast=True)),
        ("render_channels, batch 16, bfloat16", lambda: timed(batched, *common, 16, precision="bfloat16")),
        (
            "render_channels, batch 16, fast=True + bfloat16",
            lambda: timed(batched, *common, 16, fast=True, precision="bfloat16"),
        ),
        ("two processes x 1 thread, batch 8 each, fast=True", lambda: two_processes(*common, fast=True)),
    ]
    if args.ways:
        words = args.ways.split(",")
        ways = ways[:1] + [way for way in ways[1:] if any(word in way[0] for word in words)]
    results = {}
    for name, run in ways:
        results[name] = run()
        wall, cpu = results[name]
        base_wall, base_cpu = results[ways[0][0]]
        print(
            "%-52s wall %7.1f s  cpu %7.1f s  wall / tutorial %.2f  cpu / tutorial %.2f  (load %.1f)"
            % (name, wall, cpu, wall / base_wall, cpu / base_cpu, os.getloadavg()[0]),
            flush=True,
        )
    steps_run = len(channels) * args.steps
    floors, split = profile(args.size, 16)
    for b, (wall, cpu) in floors.items():
        print(
            "bare model step (floor), batch %d: wall %.3f s  cpu %.3f s per image  (load %.1f)"
            % (b, wall / 10 / b, cpu / 10 / b, os.getloadavg()[0])
        )
    print(
        "floor per image, batch 16 / batch 1: wall %.2f  cpu %.2f; the least a batch-16 float32 render can cost "
        "(its floor, %d steps) / tutorial loop: wall %.2f  cpu %.2f"
        % (
            floors[16][0] / 16 / floors[1][0],
            floors[16][1] / 16 / floors[1][1],
            args.steps,
            floors[16][0] / 10 * steps_run / 16 / results[ways[0][0]][0],
            floors[16][1] / 10 * steps_run / 16 / results[ways[0][0]][1],
        )
    )
    for fast, (inside, around) in split.items():
        print(
            "batch 16 step%s, op time: inside the model (fwd+bwd) %.3f s, around it (image, transforms, Adam) %.3f s "
            "= %.0f%%  (load %.1f)"
            % (" fast" if fast else "", inside, around, 100 * around / (inside + around), os.getloadavg()[0])
        )
    start = batch_start_seconds(8, args.size)
    per_batch = results[ways[0][0]][0] / len(channels) * 8
    print(
        "graph reuse, at most: a batch-8 batch's start (build, init, first run minus a step) %.2f s = %.1f%% of "
        "8 channels of the tutorial loop (load %.1f)" % (start, 100 * start / per_batch, os.getloadavg()[0])
    )


if __name__ == "__main__":
    main()
