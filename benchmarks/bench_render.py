"""Render-step benchmark: how close a render_vis step comes to the bare cost of the network.

    python benchmarks/bench_render.py [--steps 200] [--repeats 5] [--quick]

Prints one line per figure, ratios last. Every figure is measured in this run, on this machine: compare ratios,
not seconds, across machines. Render steps are timed one by one inside render_vis: the step figure is their median
(the floor is a median too), their mean is printed beside it. Models: the random-weight InceptionV1-architecture
graph (same nodes and shapes as the zoo's InceptionV1) and the embedded EfficientNet-Lite0.
"""

import argparse
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import lucid.modelzoo.vision_models as models
from lucid.modelzoo.random_weights import random_inception_v1
from lucid.optvis import objectives, param, render
from lucid.optvis.progress import RenderProgress

# 128 px through the standard transforms: pad 12 -> 152, jitter 8 -> 144, scale 0.9..1.1, jitter 4 -> ~140.
POST_TRANSFORM = {128: 140, 224: 236}


class Floor:
    """The floor: one bare step, a variable image through the imported graph, tf.gradients, an update. Its session
    stays open so it can be timed right before and after each render it is compared with."""

    def __init__(self, model, layer, channel, size):
        self.graph = tf.Graph()
        with self.graph.as_default():
            image = tf.compat.v1.Variable(np.random.rand(1, size, size, 3).astype(np.float32))
            T = model.import_graph(image)
            loss = tf.reduce_mean(T(layer)[..., channel])
            self.update = image.assign_add(0.01 * tf.gradients(loss, image)[0])
            self.sess = tf.compat.v1.Session()
            self.sess.run(tf.compat.v1.global_variables_initializer())

    def seconds(self, repeats=40):
        """Median seconds of one step."""
        return _median_time(lambda: self.sess.run(self.update), repeats)

    def close(self):
        self.sess.close()


def _median_time(f, repeats, warmup=5):
    for _ in range(warmup):
        f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def timed_render(model, objective, steps, **kwargs):
    """Run render_vis for `steps` steps; return (seconds from the call to the end of step 0, [seconds of each later
    step]). Steps are timed between render_vis's progress updates, so they include its Python loop."""
    ends = []
    update = RenderProgress.update

    def record(self, step, loss, image=None):
        ends.append(time.perf_counter())
        update(self, step, loss, image)

    RenderProgress.update = record
    try:
        start = time.perf_counter()
        render.render_vis(model, objective, thresholds=(steps - 1,), verbose=False, **kwargs)
    finally:
        RenderProgress.update = update
    return ends[0] - start, np.diff(ends)


def paired_step(model, objective, layer, channel, size, steps, repeats):
    """(floor, median step, mean step, ratio of medians, ratio of means) for renders at `size`.

    Each of `repeats` renders is paired with the floor timed just before and after it, at the post-transform size;
    the ratios are medians of the per-render ratios, so a machine whose speed drifts during the run does not bias
    them. The median step is the steady step; the mean also carries the first steps' extra costs (redirected ReLU
    gradients until step 16, the first use of each transformed image size).
    """
    floor = Floor(model, layer, channel, POST_TRANSFORM[size])
    floors, medians, means = [], [], []
    try:
        for _ in range(repeats):
            before = floor.seconds()
            _, step_seconds = timed_render(model, objective, steps, image_size=size)
            floors.append((before + floor.seconds()) / 2)
            medians.append(np.median(step_seconds))
            means.append(np.mean(step_seconds))
    finally:
        floor.close()
    floors, medians, means = np.array(floors), np.array(medians), np.array(means)
    return [float(np.median(x)) for x in (floors, medians, means, medians / floors, means / floors)]


def batch_step(model, layer, batch, steps):
    """Median seconds per step of one render of `batch` channels of `layer` (one objective per image)."""
    objective = objectives.Objective.sum([objectives.channel(layer, c, batch=i) for i, c in enumerate(range(batch))])
    _, step_seconds = timed_render(model, objective, steps, param_f=lambda: param.image(128, batch=batch))
    return float(np.median(step_seconds))


def first_step_seconds(model, objective):
    """Seconds from calling render_vis to the end of its first step (graph build, import, init, one step)."""
    return timed_render(model, objective, 1)[0]


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
    parser.add_argument("--repeats", type=int, default=5, help="paired renders per figure (medians are reported)")
    parser.add_argument("--quick", action="store_true", help="InceptionV1 at 128 px only (step, floor, ratio)")
    args = parser.parse_args()

    inception = random_inception_v1()
    effnet = models.EfficientNetLite0()
    lines = []

    def report(name, value, fmt="%.4f"):
        lines.append(("%-62s " + fmt) % (name, value))
        print(lines[-1], flush=True)

    first = first_step_seconds(inception, "mixed4a:476")
    report("InceptionV1 time to first step, first call (s)", first, "%.3f")
    later = float(np.median([first_step_seconds(inception, "mixed4a:476") for _ in range(5)]))
    report("InceptionV1 time to first step, later calls (s)", later, "%.3f")
    report("InceptionV1 time to first step, later / first call (target <= 0.5)", later / first, "%.2f")

    ratios = []
    sizes = (128,) if args.quick else (128, 224)
    for name, model, objective, layer, channel in [
        ("InceptionV1", inception, "mixed4a:476", "mixed4a", 476),
        ("EfficientNetLite0", effnet, "block5:17", "block5", 17),
    ]:
        for size in sizes:
            floor, step, mean, ratio, mean_ratio = paired_step(
                model, objective, layer, channel, size, args.steps, args.repeats
            )
            report("%s floor: bare fwd+bwd at %d px (s)" % (name, POST_TRANSFORM[size]), floor)
            report("%s render_vis step, defaults, %d px, median (s)" % (name, size), step)
            report("%s render_vis step, defaults, %d px, mean (s)" % (name, size), mean)
            ratios.append(("%s step / floor at %d px" % (name, size), ratio))
            ratios.append(("%s mean step / floor at %d px" % (name, size), mean_ratio))
        if args.quick:
            break

    if not args.quick:
        per_image = {1: [], 8: [], 32: []}
        for _ in range(args.repeats):  # interleaved, so each round's ratios compare runs made close in time
            for batch in per_image:
                per_image[batch].append(batch_step(inception, "mixed4a", batch, args.steps // 4) / batch)
        for batch in (8, 32):
            report("InceptionV1 per-image step, batch %d, 128 px (s)" % batch, float(np.median(per_image[batch])))
            ratio = np.median(np.array(per_image[batch]) / np.array(per_image[1]))
            ratios.append(("InceptionV1 per-image step batch %d / batch 1" % batch, ratio))
        report("InceptionV1 peak RSS of a 128 px render (MB)", peak_rss_mb(), "%.0f")
    for name, ratio in ratios:
        report("ratio " + name, ratio, "%.2f")


if __name__ == "__main__":
    main()
