"""Render-step benchmark: how close a render_vis step comes to the bare cost of the network, in float32 and a
reduced precision side by side.

    python benchmarks/bench_render.py [--steps 200] [--repeats 5] [--quick] [--reduced bfloat16]

Prints one line per figure, ratios last. Every figure is measured in this run, on this machine: compare ratios,
not seconds, across machines. Render steps are timed one by one inside render_vis: the step figure is their median
(the floor is a median too), their mean is printed beside it. Models: the random-weight InceptionV1-architecture
graph (same nodes and shapes as the zoo's InceptionV1) and the embedded EfficientNet-Lite0. Memory: peak RSS of a
fresh process's render against the floor (TensorFlow and lucid imported, plus one copy of the model's weights).
"""

import argparse
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import lucid.modelzoo.vision_models as models
from lucid.optvis import objectives, param, render
from lucid.optvis.progress import RenderProgress
from lucid.optvis.session import graph_and_session, initialize_variables, session_config
from lucid.testing import random_inception_v1

# The steps whose ReLU gradients are redirected (overrides.redirected_relu_grad): CPU figures start after them.
REDIRECTED_STEPS = 16
# 128 px through the standard transforms: pad 12 -> 152, jitter 8 -> 144, scale 0.9..1.1, jitter 4 -> ~140.
POST_TRANSFORM = {128: 140, 224: 236}


class Floor:
    """The floor: one bare step, a variable image through the imported graph, tf.gradients, an update. Its session
    stays open so it can be timed right before and after each render it is compared with."""

    def __init__(self, model, layer, channel, size, precision="float32", batch=1):
        self.graph = tf.Graph()
        with self.graph.as_default():
            image = tf.compat.v1.Variable(np.random.rand(batch, size, size, 3).astype(np.float32))
            T = model.import_graph(image)
            loss = tf.reduce_mean(T(layer)[..., channel])
            self.update = image.assign_add(0.01 * tf.gradients(loss, image)[0])
            self.sess = tf.compat.v1.Session(config=session_config(precision))
            self.sess.run(tf.compat.v1.global_variables_initializer())

    def seconds(self, repeats=40):
        """Median seconds of one step."""
        return _median_time(lambda: self.sess.run(self.update), repeats)

    def cpu_seconds(self, repeats=40):
        """Mean CPU seconds (user + system, every thread of this process) of one step."""
        self.sess.run(self.update)
        start = time.process_time()
        for _ in range(repeats):
            self.sess.run(self.update)
        return (time.process_time() - start) / repeats

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
    step], mean CPU seconds of a step after the redirected-gradient steps). Steps are timed between render_vis's
    progress updates, so they include its Python loop."""
    ends, cpu_ends = [], []
    update = RenderProgress.update

    def record(self, step, loss, image=None):
        ends.append(time.perf_counter())
        cpu_ends.append(time.process_time())
        update(self, step, loss, image)

    RenderProgress.update = record
    try:
        start = time.perf_counter()
        render.render_vis(model, objective, thresholds=(steps - 1,), verbose=False, **kwargs)
    finally:
        RenderProgress.update = update
    late = cpu_ends[REDIRECTED_STEPS:] if steps > REDIRECTED_STEPS + 1 else cpu_ends
    cpu = (late[-1] - late[0]) / (len(late) - 1) if len(late) > 1 else float("nan")
    return ends[0] - start, np.diff(ends), cpu


def paired_step(model, objective, layer, channel, size, steps, repeats, variants):
    """{variant: (floor, median step, mean step, ratio of medians, ratio of means, ratio of CPU seconds)} for
    renders at `size`.

    `variants`: {name: (precision, render_vis keyword arguments)}. Each of `repeats` rounds renders once per
    variant (interleaved), each render paired with the floor (in the same precision) timed just before and after
    it, at the post-transform size; the ratios are medians of the per-render ratios, so a machine whose speed
    drifts during the run does not bias them. The median step is the steady step; the mean also carries the first
    steps' extra costs (redirected ReLU gradients until step 16, the first use of each transformed image size).
    The CPU ratio: a late step's CPU seconds (mean) over the floor's, both every thread of this process: unlike
    wall time, it hardly moves when other programs share the machine. Also each round's median steps, last, for
    ratios across variants.
    """
    precisions = {p for p, _ in variants.values()}
    floors = {p: Floor(model, layer, channel, POST_TRANSFORM[size], p) for p in precisions}
    runs = {v: [] for v in variants}
    try:
        for _ in range(repeats):
            for v, (p, kwargs) in variants.items():
                before, cpu_before = floors[p].seconds(), floors[p].cpu_seconds()
                _, step_seconds, cpu = timed_render(model, objective, steps, image_size=size, precision=p, **kwargs)
                floor, cpu_floor = (before + floors[p].seconds()) / 2, (cpu_before + floors[p].cpu_seconds()) / 2
                runs[v].append((floor, np.median(step_seconds), np.mean(step_seconds), cpu / cpu_floor))
    finally:
        for floor in floors.values():
            floor.close()
    results = {}
    for v, rows in runs.items():
        f, medians, means, cpu_ratios = np.array(rows).T
        results[v] = [float(np.median(x)) for x in (f, medians, means, medians / f, means / f, cpu_ratios)] + [medians]
    return results


def batch_step(model, layer, batch, steps, precision):
    """Median seconds per step of one render of `batch` channels of `layer` (one objective per image)."""
    objective = objectives.Objective.sum([objectives.channel(layer, c, batch=i) for i, c in enumerate(range(batch))])
    _, step_seconds, _ = timed_render(
        model, objective, steps, param_f=lambda: param.image(128, batch=batch), precision=precision
    )
    return float(np.median(step_seconds))


def first_step_seconds(model, objective):
    """Seconds from calling render_vis to the end of its first step (graph build, import, init, one step)."""
    return timed_render(model, objective, 1)[0]


def first_step_phases(model, objective):
    """What a later call's time to first step is made of, as render_vis does it: (seconds building the graph with
    make_vis_T, running the initializers, running the first step: Grappler, executor creation and the step)."""
    with graph_and_session() as (graph, sess):
        start = time.perf_counter()
        T = render.make_vis_T(model, objective, relu_gradient_override=True)
        built = time.perf_counter()
        initialize_variables(sess)
        initialized = time.perf_counter()
        sess.run([T("loss"), T("vis_op")])
        return built - start, initialized - built, time.perf_counter() - initialized


def step_op_split(model, objective, steps=20, param_f=None, fast=False):
    """Per-step seconds of op time (summed over ops, from TF's step trace) inside the model (its forward ops and
    their gradients) and around it (parameterization, transforms, their gradients, the guard, Adam); `param_f`
    and `fast` as render_vis takes them."""
    inside = around = 0.0
    with graph_and_session() as (graph, sess):
        T = render._make_vis_T(model, objective, param_f, None, None, True, fast=fast)
        initialize_variables(sess)
        for _ in range(20):
            sess.run(T("vis_op"))
        options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        for _ in range(steps):
            metadata = tf.compat.v1.RunMetadata()
            sess.run([T("loss"), T("vis_op")], options=options, run_metadata=metadata)
            for device in metadata.step_stats.dev_stats:
                for node in device.node_stats:
                    seconds = node.all_end_rel_micros / 1e6 / steps
                    if node.node_name.startswith(("import/", "gradients/import/")):
                        inside += seconds
                    else:
                        around += seconds
    return inside, around


def _peak_rss_mb(code):
    """Peak resident memory (VmHWM) of a fresh process running `code`. VmHWM, not getrusage's ru_maxrss: on Linux
    a child's ru_maxrss can report the parent's size at fork."""
    code += "; print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1]) / 1024


def peak_rss_mb(precision):
    """Peak RSS of a fresh process rendering InceptionV1 'mixed4a:476' at 128 px (20 steps)."""
    return _peak_rss_mb(
        "from lucid.testing import random_inception_v1; from lucid.optvis import render; "
        "render.render_vis(random_inception_v1(), 'mixed4a:476', thresholds=(19,), verbose=False, precision=%r)"
        % precision
    )


def memory_floor_mb(model):
    """The floor: peak RSS of a process that imported TensorFlow and lucid's render, plus one copy of the model's
    weights (its GraphDef's size)."""
    return _peak_rss_mb("import tensorflow; import lucid.optvis.render") + model.graph_def.ByteSize() / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per timed render")
    parser.add_argument("--repeats", type=int, default=5, help="paired renders per figure (medians are reported)")
    parser.add_argument("--quick", action="store_true", help="InceptionV1 at 128 px only")
    parser.add_argument("--reduced", default="bfloat16", help="the reduced precision measured beside float32")
    args = parser.parse_args()
    precisions = ("float32", args.reduced)

    inception = random_inception_v1()
    effnet = models.EfficientNetLite0()
    lines = []

    def report(name, value, fmt="%.4f"):
        lines.append(("%-70s " + fmt) % (name, value))
        print(lines[-1], flush=True)

    ratios = []
    first = first_step_seconds(inception, "mixed4a:476")
    report("InceptionV1 time to first step, first call (s)", first, "%.3f")
    later = float(np.median([first_step_seconds(inception, "mixed4a:476") for _ in range(5)]))
    report("InceptionV1 time to first step, later calls (s)", later, "%.3f")
    report("InceptionV1 time to first step, later / first call (target <= 0.5)", later / first, "%.2f")
    build, init, run = np.median([first_step_phases(inception, "mixed4a:476") for _ in range(5)], axis=0)
    report("  later call: building the graph (make_vis_T) (s)", build, "%.3f")
    report("  later call: running the initializers (s)", init, "%.3f")
    report("  later call: first run (Grappler, executor, one step) (s)", run, "%.3f")
    inside, around = step_op_split(inception, "mixed4a:476")
    report("InceptionV1 128 px step op time inside the model, fwd+bwd (s)", inside)
    report("InceptionV1 128 px step op time around the model (s)", around)
    ratios.append(("InceptionV1 step op time around / inside the model", around / inside))

    sizes = (128,) if args.quick else (128, 224)
    models_ = [("InceptionV1", inception, "mixed4a:476", "mixed4a", 476)]
    if not args.quick:
        models_.append(("EfficientNetLite0", effnet, "block5:17", "block5", 17))
    for name, model, objective, layer, channel in models_:
        for size in sizes:
            variants = {p: (p, {}) for p in precisions}
            variants["float32 fast"] = ("float32", {"fast": True})
            results = paired_step(model, objective, layer, channel, size, args.steps, args.repeats, variants)
            for v, (floor, step, mean, ratio, mean_ratio, cpu_ratio, _) in results.items():
                report("%s %s floor: bare fwd+bwd at %d px (s)" % (name, v, POST_TRANSFORM[size]), floor)
                report("%s %s render_vis step, %d px, median (s)" % (name, v, size), step)
                report("%s %s render_vis step, %d px, mean (s)" % (name, v, size), mean)
                ratios.append(("%s %s step / floor at %d px" % (name, v, size), ratio))
                ratios.append(("%s %s mean step / floor at %d px" % (name, v, size), mean_ratio))
                ratios.append(("%s %s CPU step / CPU floor at %d px" % (name, v, size), cpu_ratio))
            f32_steps = results["float32"][-1]
            for v in (args.reduced, "float32 fast"):
                ratios.append(
                    ("%s %s step / float32 step at %d px" % (name, v, size), np.median(results[v][-1] / f32_steps))
                )
            ratios.append(
                (
                    "%s %s floor / float32 floor at %d px" % (name, args.reduced, size),
                    results[args.reduced][0] / results["float32"][0],
                )
            )

    batches = (1, 16) if args.quick else (1, 8, 16, 32)
    per_image = {(p, b): [] for p in precisions for b in batches}
    floor_per_image = {}
    for p in precisions:  # the floor's batch scaling: what the model alone allows
        for b in (1, 16):
            floor = Floor(inception, "mixed4a", 476, POST_TRANSFORM[128], p, batch=b)
            floor_per_image[p, b] = floor.seconds(repeats=10) / b
            floor.close()
        ratios.append(
            ("InceptionV1 %s floor per image batch 16 / batch 1" % p, floor_per_image[p, 16] / floor_per_image[p, 1])
        )
    for _ in range(args.repeats):  # interleaved, so each round's ratios compare runs made close in time
        for p in precisions:
            for b in batches:
                per_image[p, b].append(batch_step(inception, "mixed4a", b, max(20, args.steps // 4), p) / b)
    for p in precisions:
        for b in batches[1:]:
            report("InceptionV1 %s per-image step, batch %d, 128 px (s)" % (p, b), float(np.median(per_image[p, b])))
            ratio = np.median(np.array(per_image[p, b]) / np.array(per_image[p, 1]))
            ratios.append(("InceptionV1 %s per-image step batch %d / batch 1" % (p, b), ratio))

    floor_mb = memory_floor_mb(inception)
    report("memory floor: TF + lucid imported, plus one copy of InceptionV1's weights (MB)", floor_mb, "%.0f")
    for p in precisions:
        peak = peak_rss_mb(p)
        report("InceptionV1 %s peak RSS of a 128 px render (MB)" % p, peak, "%.0f")
        ratios.append(("InceptionV1 %s peak RSS / floor" % p, peak / floor_mb))
    for name, ratio in ratios:
        report("ratio " + name, ratio, "%.2f")


if __name__ == "__main__":
    main()
