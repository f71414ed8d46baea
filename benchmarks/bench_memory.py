"""RSS growth over repeated renders on the random-weight InceptionV1, measured after each 25 calls against the 5th.

    python benchmarks/bench_memory.py MODE N      # MODE: render_vis, render_channels, make_vis_T or sweep

The workloads of tests/optvis/test_render_memory.py (the slow test runs 25 calls of each); issue 12 asks for less
than 30 MB of growth over 100 calls.
"""

import gc
import os
import sys
import time

import tensorflow as tf

from lucid.optvis import param, render
from lucid.testing import random_inception_v1

MODES = ("render_vis", "render_channels", "make_vis_T", "sweep")
if len(sys.argv) != 3 or sys.argv[1] not in MODES or not sys.argv[2].isdigit():
    sys.exit("usage: python benchmarks/bench_memory.py {%s} N" % ",".join(MODES))
mode, n = sys.argv[1], int(sys.argv[2])
model = random_inception_v1()


def rss():
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def one(i):
    if mode == "render_vis":
        render.render_vis(model, "mixed4a:476", lambda: param.image(64), thresholds=(2,), verbose=False)
    elif mode == "render_channels":
        render.render_channels(model, "mixed4a", [i % 500, (i + 1) % 500], batch_size=2, steps=3, image_size=64)
    elif mode == "make_vis_T":
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            T = render.make_vis_T(model, "mixed4a:476", lambda: param.image(64))
            render.initialize_variables(sess)
            sess.run(T("vis_op"))
            sess.run(T("vis_op"))
        gc.collect()
    elif mode == "sweep":
        from lucid.scale import tasks

        tasks.load_model = lambda spec: model
        tasks.render_batch("InceptionV1", "mixed4a", [2 * i % 500, (2 * i + 1) % 500], 3, 64, None)


start = time.time()
for i in range(n):
    one(i)
    if i == 4:
        base = rss()
    if i % 25 == 24 or i == n - 1:
        print(
            "%s call %d: %.0f MB (+%.1f after the 5th) %.0fs" % (mode, i + 1, rss(), rss() - base, time.time() - start),
            flush=True,
        )
