"""Random-weight stand-ins for zoo models, for tests and benchmarks: the real graph structure and node names, no
download.

`random_inception_v1()` is a `Model` with InceptionV1's architecture, layer names and depths (the graph users
render most), filled with random weights; `inception_v1_graph_def(seed)` is its frozen GraphDef. Memory, speed and
size behaviour measured on it holds for the real model; the visualizations it gives are meaningless.

`render_workloads(model)` and `rss_mb()` are the memory measurement of the tests and benchmarks/bench_memory.py.
"""

import gc
import logging
import os

import numpy as np
import tensorflow as tf

from lucid.modelzoo.other_models.InceptionV1 import InceptionV1

__all__ = [
    "inception_v1_graph_def",
    "random_inception_v1",
    "render_workloads",
    "rss_mb",
]

log = logging.getLogger(__name__)

# InceptionV1 mixed layers: branch depths (1x1, 3x3 bottleneck, 3x3, 5x5 bottleneck, 5x5, pool reduce),
# and the stride-2 max pool that comes before some of them.
_MIXED_LAYERS = [
    ("mixed3a", (64, 96, 128, 16, 32, 32), None),
    ("mixed3b", (128, 128, 192, 32, 96, 64), None),
    ("mixed4a", (192, 96, 204, 16, 48, 64), "maxpool4"),
    ("mixed4b", (160, 112, 224, 24, 64, 64), None),
    ("mixed4c", (128, 128, 256, 24, 64, 64), None),
    ("mixed4d", (112, 144, 288, 32, 64, 64), None),
    ("mixed4e", (256, 160, 320, 32, 128, 128), None),
    ("mixed5a", (256, 160, 320, 48, 128, 128), "maxpool10"),
    ("mixed5b", (384, 192, 384, 48, 128, 128), None),
]
# Auxiliary classifier heads: head name, mixed layer they start from, suffix of their nn/softmax nodes.
_AUX_HEADS = [("head0", "mixed4a", "0"), ("head1", "mixed4d", "1")]
_NUM_CLASSES = 1008
# RMS of a uniform [0, 1] image mapped to InceptionV1's input range (-117, 138): 255 / sqrt(12).
_INPUT_RMS = 255 / np.sqrt(12)


class _Builder:
    """Adds InceptionV1-style layers to the default graph, their weights as Placeholders named `<name>_w`/`_b`;
    `weights()` then draws He-normal values for them in order, one at a time (see `inception_v1_graph_def`)."""

    def __init__(self, seed):
        self.seed = seed
        self.draws = []  # (node name, shape, standard deviation), in the order they were asked for

    def _weights(self, name, shape, fan_in, input_rms=1.0):
        """He-normal weights `<name>_w` for inputs of RMS `input_rms`, and a small random bias `<name>_b`."""
        self.draws.append((name + "_w", shape, np.sqrt(2.0 / fan_in) / input_rms))
        self.draws.append((name + "_b", shape[-1:], 0.1))
        return tuple(tf.compat.v1.placeholder(tf.float32, shape, name=n) for n, shape, _ in self.draws[-2:])

    def weights(self):
        """(node name, float32 array) for every weight, drawn from the seed's normal stream in order."""
        rng = np.random.default_rng(self.seed)
        for name, shape, std in self.draws:
            yield name, rng.normal(0.0, std, shape).astype(np.float32)

    def conv(self, x, in_depth, name, size, depth, stride=1, input_rms=1.0, bias_add_name=None):
        """`<name>_pre_relu/conv` (SAME) -> BiasAdd `<name>_pre_relu` (or `bias_add_name`) -> Relu `<name>`."""
        w, b = self._weights(name, (size, size, in_depth, depth), size * size * in_depth, input_rms)
        t = tf.nn.conv2d(x, w, strides=stride, padding="SAME", name=name + "_pre_relu/conv")
        t = tf.nn.bias_add(t, b, name=bias_add_name or name + "_pre_relu")
        return tf.nn.relu(t, name=name)

    def dense(self, x, in_depth, name, depth, pre_name, activation):
        """MatMul `<pre_name>/matmul` -> BiasAdd `<pre_name>` -> `activation` named `<name>`."""
        w, b = self._weights(name, (in_depth, depth), in_depth)
        t = tf.matmul(x, w, name=pre_name + "/matmul")
        t = tf.nn.bias_add(t, b, name=pre_name)
        return activation(t, name=name)

    def mixed(self, x, in_depth, name, depths):
        """An inception block: four branches joined by a v1 `Concat` op named `name` (axis first)."""
        d1x1, d3x3_bottleneck, d3x3, d5x5_bottleneck, d5x5, dpool = depths
        branch_1x1 = self.conv(x, in_depth, name + "_1x1", 1, d1x1)
        t = self.conv(x, in_depth, name + "_3x3_bottleneck", 1, d3x3_bottleneck)
        branch_3x3 = self.conv(t, d3x3_bottleneck, name + "_3x3", 3, d3x3)
        t = self.conv(x, in_depth, name + "_5x5_bottleneck", 1, d5x5_bottleneck)
        branch_5x5 = self.conv(t, d5x5_bottleneck, name + "_5x5", 5, d5x5)
        t = tf.nn.max_pool2d(x, 3, 1, "SAME", name=name + "_pool")
        # The original graph names this one BiasAdd "2"; kept so the stand-in has the same node names.
        bias_add_name = "2" if name == "mixed4e" else None
        branch_pool = self.conv(t, in_depth, name + "_pool_reduce", 1, dpool, bias_add_name=bias_add_name)
        axis = tf.constant(3, name=name + "/concat_dim")
        branches = [branch_1x1, branch_3x3, branch_5x5, branch_pool]
        return tf.raw_ops.Concat(concat_dim=axis, values=branches, name=name), d1x1 + d3x3 + d5x5 + dpool

    def aux_head(self, x, in_depth, name, suffix):
        """Auxiliary classifier (valid at 224 px only): 5x5/3 avg pool, 1x1 bottleneck, dense 1024, dense 1008."""
        t = tf.nn.avg_pool2d(x, 5, 3, "VALID", name=name + "_pool")
        t = self.conv(t, in_depth, name + "_bottleneck", 1, 128)
        t = tf.reshape(t, [-1, 4 * 4 * 128], name=name + "_bottleneck/reshape")
        t = self.dense(t, 4 * 4 * 128, "nn" + suffix, 1024, "nn" + suffix + "_pre_relu", tf.nn.relu)
        t = tf.reshape(t, [-1, 1024], name="nn" + suffix + "/reshape")
        return self.dense(
            t, 1024, "softmax" + suffix, _NUM_CLASSES, "softmax" + suffix + "_pre_activation", tf.nn.softmax
        )


def inception_v1_graph_def(seed=0):
    """A frozen GraphDef with InceptionV1's node names, ops and depths and random weights drawn from `seed`.

    The input `input` is a shapeless float32 Placeholder expecting values in (-117, 138); the auxiliary heads and
    `softmax2` only evaluate at 224x224, the rest at any size from about 64 px.
    """
    builder = _Builder(seed)
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, name="input")
        t = builder.conv(x, 3, "conv2d0", 7, 64, stride=2, input_rms=_INPUT_RMS)
        t = tf.nn.max_pool2d(t, 3, 2, "SAME", name="maxpool0")
        t = tf.nn.local_response_normalization(t, 2, bias=1.0, alpha=0.0001 / 5, beta=0.75, name="localresponsenorm0")
        t = builder.conv(t, 64, "conv2d1", 1, 64)
        t = builder.conv(t, 64, "conv2d2", 3, 192)
        t = tf.nn.local_response_normalization(t, 2, bias=1.0, alpha=0.0001 / 5, beta=0.75, name="localresponsenorm1")
        t = tf.nn.max_pool2d(t, 3, 2, "SAME", name="maxpool1")
        depth = 192
        outputs = {}
        for name, branch_depths, maxpool_name in _MIXED_LAYERS:
            if maxpool_name:
                t = tf.nn.max_pool2d(t, 3, 2, "SAME", name=maxpool_name)
            t, depth = builder.mixed(t, depth, name, branch_depths)
            outputs[name] = (t, depth)
        t = tf.nn.avg_pool2d(t, 7, 1, "VALID", name="avgpool0")
        heads = [builder.aux_head(*outputs[mixed_name], name, suffix) for name, mixed_name, suffix in _AUX_HEADS]
        t = tf.reshape(t, [-1, depth], name="avgpool0/reshape")
        heads.append(builder.dense(t, depth, "softmax2", _NUM_CLASSES, "softmax2_pre_activation", tf.nn.softmax))
        for name, head in zip(["output", "output1", "output2"], heads):
            tf.identity(head, name=name)
    # The original file's node order: the input, every weight, then the ops (graph walks depend on it). Reordered
    # while the weights are still placeholders (reordering copies the nodes), then filled in one at a time rather
    # than held by the graph too: the build's peak memory stays near one copy of them (most of the model's 51 MB).
    graph_def = graph.as_graph_def()
    first = ["input"] + [name for name, _, _ in builder.draws]
    nodes = {node.name: node for node in graph_def.node}
    reordered = [nodes[name] for name in first] + [node for node in graph_def.node if node.name not in set(first)]
    del graph_def.node[:]
    graph_def.node.extend(reordered)
    nodes = {node.name: node for node in graph_def.node}
    for name, value in builder.weights():
        node = nodes[name]
        node.op = "Const"
        del node.attr["shape"]
        node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
    return graph_def


def random_inception_v1(seed=0):
    """An `InceptionV1` whose graph_def is `inception_v1_graph_def(seed)`: usable offline, never downloads."""
    model = InceptionV1()
    # Not the zoo's path: the model must not compare equal to (or reload as) the real, trained InceptionV1.
    model.model_path = "random-weights InceptionV1 (seed %d, built in memory)" % seed
    model._graph_def = inception_v1_graph_def(seed)
    return model


def rss_mb():
    """This process's resident memory in MB, after a garbage collection (Linux: /proc/self/statm)."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def render_workloads(model):
    """One call of each render workload whose memory must stay flat over repeated calls, as `{name: f(i)}` (i: the
    call's number, which picks its channels): `render_vis`, `render_channels`, a user's own `make_vis_T` loop, and
    a sweep worker's `render_batch` (whose model loader is pointed at `model` for the call)."""
    from lucid.optvis import param, render
    from lucid.optvis.session import initialize_variables
    from lucid.scale import tasks

    def sweep_worker(i):
        load_model = tasks.load_model
        tasks.load_model = lambda spec: model
        try:
            return tasks.render_batch("InceptionV1", "mixed4a", [2 * i, 2 * i + 1], 3, 64, None)
        finally:
            tasks.load_model = load_model

    def user_loop(i):
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            T = render.make_vis_T(model, "mixed4a:476", lambda: param.image(64))
            initialize_variables(sess)
            sess.run(T("vis_op"))
            sess.run(T("vis_op"))
        gc.collect()

    return {
        "render_vis": lambda i: render.render_vis(
            model, "mixed4a:476", lambda: param.image(64), thresholds=(2,), verbose=False
        ),
        "render_channels": lambda i: render.render_channels(
            model, "mixed4a", [2 * i, 2 * i + 1], batch_size=2, steps=3, image_size=64
        ),
        "make_vis_T": user_loop,
        "sweep": sweep_worker,
    }
