"""A big model's weights held in variables during the library's own renders, instead of constants in the graph.

TensorFlow runs Grappler over the whole graph for every new run signature of a session (a render has several: the
initializers, the step, the snapshot), and each pass copies constants: a render of VGG16's logits (528 MB of
constant weights) spent 16-24 s before its first step. Held in variables, the weights are outside every graph
Grappler sees; a variable read gives the same tensor values, so images stay the same.

Only renders that own their session use this (render_vis, render_channels, and the sweep and Microscope through
them): `Model.import_graph` and make_vis_T still import constants for user code.
"""

import copy
from collections import OrderedDict

import numpy as np
import tensorflow as tf

from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import Model

# Models whose weights (float constants that weightless_graph_def strips) take more bytes than this are held in
# variables; smaller ones import faster as constants. Benchmarks set it to None to measure the constant path.
HOLD_BYTES = 64 * 2**20
# Weights copied into variables per session run: bounds the extra memory while they are copied.
_CHUNK_BYTES = 64 * 2**20


def _weights(graph_def, light):
    """The Const nodes of `graph_def` that `light` (its weightless copy) has as Placeholders."""
    stubbed = {node.name for node in light.node if node.op == "Placeholder"}
    return [node for node in graph_def.node if node.op == "Const" and node.name in stubbed]


def _nbytes(node):
    tensor = node.attr["value"].tensor
    size = int(np.prod([d.size for d in tensor.tensor_shape.dim]))
    return size * tf.dtypes.as_dtype(tensor.dtype).size


def holding(model, sess):
    """`(model_to_import, input_map)`: `model` itself and {} for small models or other objects; for big ones, a
    copy of `model` whose weights are Placeholders and the input_map that feeds each from a variable, already
    initialized in `sess` (variables outside the graph's collections, so initializers and optimizers skip them)."""
    if HOLD_BYTES is None or not isinstance(model, Model):
        return model, {}
    graph_def = model.graph_def
    if sum(_nbytes(node) for node in graph_def.node if node.op == "Const") <= HOLD_BYTES:
        return model, {}
    light = copy.copy(model)
    light._graph_def = model_util.weightless_graph_def(graph_def)
    light._size_support = model.size_support  # the same graph: no second probe
    light._pruned_cache = OrderedDict()
    input_map, chunk, chunk_bytes = {}, {}, 0
    with tf.name_scope("held_weights"):
        for node in _weights(graph_def, light.graph_def):
            tensor = node.attr["value"].tensor
            fed = tf.compat.v1.placeholder(tf.dtypes.as_dtype(tensor.dtype), [d.size for d in tensor.tensor_shape.dim])
            variable = tf.compat.v1.Variable(fed, trainable=False, collections=[], use_resource=True)
            input_map[node.name + ":0"] = variable.read_value()
            chunk[variable.initializer] = (fed, node)
            chunk_bytes += _nbytes(node)
            if chunk_bytes > _CHUNK_BYTES:
                _initialize(sess, chunk)
                chunk, chunk_bytes = {}, 0
    _initialize(sess, chunk)
    return light, input_map


def _initialize(sess, chunk):
    """Run the initializers of `chunk` ({initializer: (placeholder, Const node)}) fed the nodes' values."""
    if chunk:
        feed = {fed: tf.make_ndarray(node.attr["value"].tensor) for fed, node in chunk.values()}
        sess.run(list(chunk), feed)
