"""Time to first step and peak memory of a render of a big model's logits: weights held in variables (the
library's renders now) against constants (before), beside the bare model's first forward+backward.

    python benchmarks/bench_big_models.py [--rounds 3] [--models VGG16 InceptionResNetV2]

keras.applications models with weights=None (random weights) converted with Model.from_keras and exported once;
every figure is a fresh process (so each render is its process's first, with its size probe and imports), the
three kinds interleaved per round. The bare model runs in a render's session configuration
(lucid.optvis.session.session_config: TF's default Grappler passes take several times longer on VGG16), and
the Keras model itself (eager, weights in variables) as the bare floor the target compares with.
Printed: medians of seconds and of per-round ratios, the load average.
Floor of memory: TensorFlow and lucid imported plus the model loaded (one copy of its weights).
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

SIDE = 224
LOAD = "from lucid.modelzoo.vision_base import Model\nmodel = Model.load(%r)\ngraph_def = model.graph_def\n"
PEAK = "\nprint([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
BARE = """
import time
import numpy as np, tensorflow as tf
from lucid.optvis.session import session_config
with tf.Graph().as_default():
    start = time.perf_counter()
    image = tf.compat.v1.Variable(np.random.rand(1, %d, %d, 3).astype(np.float32))
    T = model.import_graph(image)
    update = image.assign_add(0.01 * tf.gradients(tf.reduce_mean(T(%%r)[..., 0]), image)[0])
    with tf.compat.v1.Session(config=session_config()) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        sess.run(update)
        print(time.perf_counter() - start)
""" % (SIDE, SIDE)
KERAS = """
import time
import keras, numpy as np, tensorflow as tf
net = getattr(keras.applications, %%r)(weights=None, input_shape=(%d, %d, 3))
x = tf.constant(np.random.rand(1, %d, %d, 3).astype(np.float32))
start, cpu = time.perf_counter(), time.process_time()
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.reduce_mean(net(x, training=False)[..., 0])
tape.gradient(y, x).numpy()
print(time.perf_counter() - start, time.process_time() - cpu)
""" % (SIDE, SIDE, SIDE, SIDE)
RENDER = (
    """
import time
from lucid.optvis import held_weights, render
from lucid.optvis.progress import RenderProgress
held_weights.HOLD_BYTES = %%s
ends, update, now = [], RenderProgress.update, lambda: (time.perf_counter(), time.process_time())
RenderProgress.update = lambda self, *a, **k: (ends.append(now()), update(self, *a, **k))
start = now()
render.render_vis(model, %%r, thresholds=(2,), verbose=False, image_size=%d)
print(ends[0][0] - start[0], ends[0][1] - start[1])
"""
    % SIDE
)


def run(code):
    """(seconds printed by `code`, CPU seconds if it printed them too, peak RSS in MB) of a fresh process."""
    out = subprocess.run([sys.executable, "-c", code + PEAK], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError("exit status %d: %s" % (out.returncode, out.stderr[-3000:]))
    *seconds, peak_kb = out.stdout.splitlines()[-2:]
    wall, cpu = (seconds[0].split() + ["nan"])[:2]
    return float(wall), float(cpu), float(peak_kb) / 1024


def export(name, directory):
    import keras

    from lucid.modelzoo.vision_base import Model

    net = getattr(keras.applications, name)(weights=None, input_shape=(SIDE, SIDE, 3))
    path = os.path.join(directory, name + ".pb")
    Model.from_keras(net).export(path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=["VGG16", "InceptionResNetV2"])
    parser.add_argument("--skip-constants", action="store_true", help="measure only the held weights and the floors")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for name in args.models:
            path = export(name, directory)
            load = LOAD % path
            logits = "predictions_pre_activation:0"
            rows = []
            nan = (float("nan"),) * 3
            for _ in range(args.rounds):
                floor_mb = run(load + "print(0)")[2]
                keras_bare = run(KERAS % name)
                held = run(load + RENDER % ("held_weights.HOLD_BYTES", logits))
                # The constant paths peak at 3.5-5.5x the floor (6-9 GB for VGG16): left out on a crowded machine.
                bare = nan if args.skip_constants else run(load + BARE % logits)
                constants = nan if args.skip_constants else run(load + RENDER % ("None", logits))
                bare, constants = (bare[0], bare[2]), (constants[0], constants[2])
                rows.append((floor_mb, *bare, *keras_bare[:2], *constants, *held, os.getloadavg()[0]))
            floor_mb, bare_s, bare_mb, keras_s, keras_cpu, const_s, const_mb, held_s, held_cpu, held_mb, load = (
                np.array(rows).T
            )
            print("%s at %d px, load average %.1f (%d rounds, medians)" % (name, SIDE, np.median(load), args.rounds))
            for label, values in [
                ("bare model, imported (constants): first forward+backward (s)", bare_s),
                ("bare model, Keras (eager): first forward+backward (s)", keras_s),
                ("render, weights as constants: time to first step (s)", const_s),
                ("render, weights in variables: time to first step (s)", held_s),
                ("ratio constants / bare imported", const_s / bare_s),
                ("ratio variables / bare imported", held_s / bare_s),
                ("ratio constants / bare Keras", const_s / keras_s),
                ("ratio variables / bare Keras (target <= 2)", held_s / keras_s),
                ("the same in CPU seconds (less sensitive to the load)", held_cpu / keras_cpu),
                ("memory floor: TF + lucid + the model loaded (MB)", floor_mb),
                ("peak RSS / floor: bare model", bare_mb / floor_mb),
                ("peak RSS / floor: render, constants", const_mb / floor_mb),
                ("peak RSS / floor: render, variables (target <= 1.3)", held_mb / floor_mb),
            ]:
                print("  %-60s %.2f" % (label, float(np.median(values))), flush=True)


if __name__ == "__main__":
    main()
