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
from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import Model

__all__ = [
    "held",
    "HOLD_BYTES",
    "weightless",
]

# Models whose weights (float constants that weightless_graph_def strips) take more bytes than this are held in
# variables; smaller ones import faster as constants. Benchmarks set it to None to measure the constant path.
HOLD_BYTES = 64 * 2**20
# Weights copied into variables per session run: bounds the extra memory while they are copied.
_CHUNK_BYTES = 64 * 2**20


def _nbytes(node):
    tensor = node.attr["value"].tensor
    size = int(np.prod([d.size for d in tensor.tensor_shape.dim]))
    return size * tf.dtypes.as_dtype(tensor.dtype).size


def weightless(model: object) -> tuple[Model | None, dict[str, tf.compat.v1.NodeDef]]:
    """`(light, weights)`: for a lucid Model whose weights take more than HOLD_BYTES, a copy whose weights are
    Placeholders (prune and import it instead of `model`: its parts copy no weights) and {name: Const node} of
    those weights; for others None and {}. The copy is kept on the model for its next render."""
    if HOLD_BYTES is None or not isinstance(model, Model):
        return None, {}
    graph_def = model.graph_def
    kept = model.__dict__.get("_held_weights")
    if kept is None or kept["graph_def"] is not graph_def:
        constants = [node for node in graph_def.node if node.op == "Const"]
        kept = dict(graph_def=graph_def, nbytes=sum(_nbytes(node) for node in constants), light=None)
        model.__dict__["_held_weights"] = kept
    if kept["nbytes"] <= HOLD_BYTES:
        return None, {}
    if kept["light"] is None:
        light = copy.copy(model)
        light._graph_def = model_util.weightless_graph_def(graph_def)
        light._size_support = model.size_support  # the same graph: no second probe
        light._pruned_cache = OrderedDict()
        light.__dict__.pop("_held_weights", None)
        stubbed = {node.name for node in light.graph_def.node if node.op == "Placeholder"}
        kept["light"] = light
        kept["weights"] = {node.name: node for node in graph_def.node if node.op == "Const" and node.name in stubbed}
    return kept["light"], kept["weights"]


def held(light: Model, weights: Mapping[str, tf.compat.v1.NodeDef], sess: tf.compat.v1.Session) -> dict[str, tf.Tensor]:
    """The input_map that feeds each weight of `weights` that `light` (the copy from `weightless`, or a part of it)
    holds from a variable, initialized in `sess` (variables outside the graph's collections, so initializers and
    optimizers skip them)."""
    input_map, chunk, chunk_bytes = {}, {}, 0
    with tf.name_scope("held_weights"):
        for node in light.graph_def.node:
            if node.name not in weights or node.op != "Placeholder":
                continue
            node = weights[node.name]
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
    return input_map


def _initialize(sess, chunk):
    """Run the initializers of `chunk` ({initializer: (placeholder, Const node)}) fed the nodes' values."""
    if chunk:
        sess.run(list(chunk), {fed: _value(node.attr["value"].tensor) for fed, node in chunk.values()})


def _value(tensor):
    """The array of a TensorProto: a view of its bytes when it has them (tf.make_ndarray copies them twice)."""
    if not tensor.tensor_content:
        return tf.make_ndarray(tensor)
    dtype = tf.dtypes.as_dtype(tensor.dtype).as_numpy_dtype
    return np.frombuffer(tensor.tensor_content, dtype).reshape([d.size for d in tensor.tensor_shape.dim])
