"""Memory stays flat over many renders on the InceptionV1-size graph: no render keeps its graph (a copy of the
model's weights) alive. Measured in a fresh subprocess, so other tests' allocations do not count."""

import gc
import os
import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

from lucid.optvis import param, render

# Calls per workload: RSS is read after the 5th call (the allocator and TF's caches warm up) and after the last.
CALLS = 25
MEASURE = textwrap.dedent(
    """
    import sys
    from lucid.testing import random_inception_v1, render_workloads, rss_mb

    work = render_workloads(random_inception_v1())[sys.argv[1]]
    for i in range(int(sys.argv[2])):
        work(i)
        if i == 4:
            start = rss_mb()
    print("growth %.1f" % (rss_mb() - start))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
@pytest.mark.parametrize("workload", ["render_vis", "render_channels", "make_vis_T", "sweep"])
def test_memory_is_flat_over_renders_on_inception_v1(workload):
    """Before the fix each call kept its graph: ~10 MB per render_vis call, ~58 MB per make_vis_T round."""
    env = dict(os.environ, PYTHONPATH=os.getcwd(), TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, workload, str(CALLS)], capture_output=True, text=True, env=env, check=True
    ).stdout
    growth = float(out.split("growth")[-1])
    print("%s: RSS growth over calls 5 to %d: %.1f MB" % (workload, CALLS, growth))
    assert growth < 30, "RSS grew %.1f MB over %d %s calls" % (growth, CALLS - 5, workload)


def test_no_render_keeps_its_graph(model):
    """A graph kept alive keeps the model's weights: count the graphs left after repeated renders and user loops."""

    def live_graphs():
        gc.collect()
        return sum(isinstance(obj, tf.Graph) for obj in gc.get_objects())

    def user_loop():
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            T = render.make_vis_T(model, "conv2:3", lambda: param.image(16))
            render.initialize_variables(sess)
            sess.run(T("vis_op"))

    user_loop()
    render.render_vis(model, "conv2:3", lambda: param.image(16), thresholds=(1,), verbose=False)
    before = live_graphs()
    for _ in range(3):
        user_loop()
        render.render_vis(model, "conv2:3", lambda: param.image(16), thresholds=(1,), verbose=False)
        render.render_channels(model, "conv2", [0, 1], batch_size=2, steps=2, image_size=16)
    assert live_graphs() <= before
