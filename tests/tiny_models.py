"""Tiny frozen graphs built in the tests, wrapped as lucid Models (no download, no files)."""

import numpy as np
import tensorflow as tf

from lucid.modelzoo.vision_base import Model


def tiny_conv_graph_def(seed=0):
    """input [N,H,W,3] in [0,1] -> conv1 (8, relu) -> conv2 (16, stride 2, relu) -> pool -> logits (10) -> softmax."""
    rng = np.random.RandomState(seed)
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="input")
        w1 = tf.constant(rng.normal(0, 0.5, (3, 3, 3, 8)).astype(np.float32))
        pre1 = tf.nn.bias_add(tf.nn.conv2d(x, w1, 1, "SAME"), rng.normal(0, 0.1, 8).astype(np.float32))
        conv1 = tf.nn.relu(pre1, name="conv1")
        w2 = tf.constant(rng.normal(0, 0.3, (3, 3, 8, 16)).astype(np.float32))
        pre2 = tf.nn.bias_add(tf.nn.conv2d(conv1, w2, 2, "SAME"), rng.normal(0, 0.1, 16).astype(np.float32))
        tf.identity(pre2, name="conv2_pre_relu")
        conv2 = tf.nn.relu(pre2, name="conv2")
        pooled = tf.reduce_mean(conv2, [1, 2])
        w3 = tf.constant(rng.normal(0, 0.3, (16, 10)).astype(np.float32))
        logits = tf.identity(tf.matmul(pooled, w3), name="logits")
        tf.nn.softmax(logits, name="softmax")
    return graph.as_graph_def()


def save_tiny_pb(path, size=32, value_range=(0, 1)):
    """The tiny conv net written with Model.save (so it carries lucid's metadata) to `path`; returns `path`."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph):
        tf.import_graph_def(tiny_conv_graph_def(), name="")
        Model.save(path, "input", ["softmax"], [size, size, 3], value_range)
    return path


class TinyConvNet(Model):
    model_path = "tiny-conv-net (built in memory)"
    image_shape = [32, 32, 3]
    image_value_range = (0, 1)
    input_name = "input"

    def __init__(self, seed=0):
        self._graph_def = tiny_conv_graph_def(seed)


def layer_values(model, layer, images):
    """Evaluate `layer` of `model` on a batch of images `[N,H,W,3]` in [0,1] (no transforms)."""
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_input)
        return sess.run(T(layer), {t_input: images})
