"""Render-step benchmark: how close a render_vis step comes to the bare cost of the network.

    python benchmarks/bench_render.py [--steps 200] [--repeats 3] [--quick]

Prints one line per figure, ratios last. Every figure is measured in this run, on this machine: compare ratios,
not seconds, across machines. Models: the random-weight InceptionV1-architecture graph (same nodes and shapes as
the zoo's InceptionV1) and the embedded EfficientNet-Lite0.
"""
import argparse
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import lucid.modelzoo.vision_models as models
from lucid.misc.io.progress import RenderProgress
from lucid.modelzoo.random_weights import random_inception_v1
from lucid.optvis import objectives, param, render

# 128 px through the standard transforms: pad 12 -> 152, jitter 8 -> 144, scale 0.9..1.1, jitter 4 -> ~140.
POST_TRANSFORM = {128: 140, 224: 236}


def floor_step(model, layer, channel, size, repeats=60):
    """Median seconds of one bare step: a variable image through the imported graph, tf.gradients, an update."""
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        image = tf.compat.v1.Variable(np.random.rand(1, size, size, 3).astype(np.float32))
        T = model.import_graph(image)
        loss = tf.reduce_mean(T(layer)[..., channel])
        update = image.assign_add(0.01 * tf.gradients(loss, image)[0])
        sess.run(tf.compat.v1.global_variables_initializer())
        return _median_time(lambda: sess.run(update), repeats)


def _median_time(f, repeats, warmup=5):
    for _ in range(warmup):
        f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def render_step(model, objective, steps, repeats, **kwargs):
    """Seconds per step of render_vis: (time for steps+1 steps - time for 1 step) / steps, median of repeats."""

    def run(last):
        start = time.perf_counter()
        render.render_vis(model, objective, thresholds=(last,), verbose=False, **kwargs)
        return time.perf_counter() - start

    per_step = [(run(steps) - run(0)) / steps for _ in range(repeats)]
    return float(np.median(per_step))


def batch_step(model, layer, batch, steps, repeats):
    """Seconds per step of one render of `batch` channels of `layer` (one objective per image)."""
    objective = objectives.Objective.sum([objectives.channel(layer, c, batch=i) for i, c in enumerate(range(batch))])
    return render_step(model, objective, steps, repeats, param_f=lambda: param.image(128, batch=batch))


def first_step_seconds(model, objective):
    """Seconds from calling render_vis to the end of its first step (graph build, import, init, one step)."""
    ends = []
    update = RenderProgress.update

    def record(self, step, loss, image=None):
        ends.append(time.perf_counter())
        update(self, step, loss, image)

    RenderProgress.update = record
    try:
        start = time.perf_counter()
        render.render_vis(model, objective, thresholds=(0,), verbose=False)
    finally:
        RenderProgress.update = update
    return ends[0] - start


def peak_rss_mb():
    """Peak resident memory (VmHWM) of a fresh process rendering InceptionV1 'mixed4a:476' at 128 px (20 steps).

    VmHWM, not getrusage's ru_maxrss: on Linux a child's ru_maxrss can report the parent's size at fork.
    """
    code = (
        "from lucid.modelzoo.random_weights import random_inception_v1; from lucid.optvis import render; "
        "render.render_vis(random_inception_v1(), 'mixed4a:476', thresholds=(19,), verbose=False); "
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per timed render")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="InceptionV1 at 128 px only (step, floor, ratio)")
    args = parser.parse_args()

    inception = random_inception_v1()
    effnet = models.EfficientNetLite0()
    lines = []

    def report(name, value, fmt="%.4f"):
        lines.append(("%-58s " + fmt) % (name, value))
        print(lines[-1], flush=True)

    report("InceptionV1 time to first step, first call (s)", first_step_seconds(inception, "mixed4a:476"), "%.3f")
    later = float(np.median([first_step_seconds(inception, "mixed4a:476") for _ in range(3)]))
    report("InceptionV1 time to first step, later calls (s)", later, "%.3f")

    ratios = []
    sizes = (128,) if args.quick else (128, 224)
    for name, model, objective, layer, channel in [
        ("InceptionV1", inception, "mixed4a:476", "mixed4a", 476),
        ("EfficientNetLite0", effnet, "block5:17", "block5", 17),
    ]:
        for size in sizes:
            floor = floor_step(model, layer, channel, POST_TRANSFORM[size])
            step = render_step(model, objective, args.steps, args.repeats, image_size=size)
            report("%s floor: bare fwd+bwd at %d px (s)" % (name, POST_TRANSFORM[size]), floor)
            report("%s render_vis step, defaults, %d px (s)" % (name, size), step)
            ratios.append(("%s step / floor at %d px" % (name, size), step / floor))
        if args.quick:
            break

    if not args.quick:
        one = batch_step(inception, "mixed4a", 1, args.steps // 4, args.repeats)
        for batch in (8, 32):
            per_image = batch_step(inception, "mixed4a", batch, args.steps // 4, args.repeats) / batch
            report("InceptionV1 per-image step, batch %d, 128 px (s)" % batch, per_image)
            ratios.append(("InceptionV1 per-image step batch %d / batch 1" % batch, per_image / one))
        report("InceptionV1 peak RSS of a 128 px render (MB)", peak_rss_mb(), "%.0f")
    for name, ratio in ratios:
        report("ratio " + name, ratio, "%.2f")


if __name__ == "__main__":
    main()
