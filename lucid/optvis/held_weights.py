"""A big model's weights held in variables during the library's own renders, instead of constants in the graph.

TensorFlow runs Grappler over the whole graph for every new run signature of a session (a render has several: the
initializers, the step, the snapshot), and each pass copies constants: a render of VGG16's logits (528 MB of
constant weights) spent 16-24 s before its first step. Held in variables, the weights are outside every graph
Grappler sees; a variable read gives the same tensor values, so images stay the same.

Only renders that own their session use this (render_vis, render_channels, and the sweep and Microscope through
them): `Model.import_graph` and make_vis_T still import constants for user code.
"""

import copy
import weakref
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
    holds from a variable, initialized in `sess`. A weight already held in `sess`'s graph (an earlier part) keeps
    its variable."""
    reads = _reads.setdefault(sess.graph, {})
    stubs = [node.name for node in light.graph_def.node if node.op == "Placeholder" and node.name in weights]
    new = [weights[name] for name in stubs if name not in reads]
    if new:
        names = [node.name for node in new]
        imported = tf.compat.v1.import_graph_def(
            _variables_def(new),
            name="held_weights",
            return_elements=["read%d:0" % i for i in range(len(new))]
            + ["fed%d:0" % i for i in range(len(new))]
            + ["assign%d" % i for i in range(len(new))],
        )
        read, fed, assign = (imported[i * len(new) : (i + 1) * len(new)] for i in range(3))
        reads.update(zip(names, (tensor.name for tensor in read)))
        _initialize(sess, list(zip(assign, fed, new)))
    return {name + ":0": sess.graph.get_tensor_by_name(reads[name]) for name in stubs}


# Per graph: {weight name: the name of the tensor reading its variable} (names: a tensor would keep its graph).
_reads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _variables_def(nodes):
    """A GraphDef holding, for the i-th Const node of `nodes`, a resource variable of its dtype and shape named
    after it (shared_name: the parts of a model imported into one graph share it), `read<i>` reading it and
    `assign<i>` assigning it the placeholder `fed<i>`. Built as a GraphDef and imported in one call: tf.Variable's
    Python took ~2 ms per weight (2 s for InceptionResNetV2's 900). The placeholder's first dimension is unknown:
    for a feed of fully known shape, every new run signature allocates a tensor of that shape for Grappler
    (seconds on VGG16's 400 MB fc1); for an unknown dimension it takes 1."""
    graph_def = tf.compat.v1.GraphDef()
    for i, node in enumerate(nodes):
        dtype = node.attr["value"].tensor.dtype
        shape = node.attr["value"].tensor.tensor_shape
        handle = graph_def.node.add(name="variable%d" % i, op="VarHandleOp")
        handle.attr["dtype"].type = dtype
        handle.attr["shape"].shape.CopyFrom(shape)
        handle.attr["shared_name"].s = ("lucid_held_weights/" + node.name).encode()
        read = graph_def.node.add(name="read%d" % i, op="ReadVariableOp", input=[handle.name])
        read.attr["dtype"].type = dtype
        fed = graph_def.node.add(name="fed%d" % i, op="Placeholder")
        fed.attr["dtype"].type = dtype
        fed.attr["shape"].shape.CopyFrom(shape)
        fed.attr["shape"].shape.dim[0].size = -1
        assign = graph_def.node.add(name="assign%d" % i, op="AssignVariableOp", input=[handle.name, fed.name])
        assign.attr["dtype"].type = dtype
    return graph_def


def _initialize(sess, weights):
    """Run the assignments of `weights` ([(assign op, placeholder, Const node)]) fed the nodes' values, about
    _CHUNK_BYTES per run: bounds the memory the copies take on the way."""
    chunk, chunk_bytes = [], 0
    for i, (assign, fed, node) in enumerate(weights):
        chunk.append((assign, fed, node))
        chunk_bytes += _nbytes(node)
        if chunk_bytes > _CHUNK_BYTES or i == len(weights) - 1:
            sess.run([a for a, _, _ in chunk], {f: _value(n.attr["value"].tensor) for _, f, n in chunk})
            chunk, chunk_bytes = [], 0


def _value(tensor):
    """The array of a TensorProto: a view of its bytes when it has them (tf.make_ndarray copies them twice)."""
    if not tensor.tensor_content:
        return tf.make_ndarray(tensor)
    dtype = tf.dtypes.as_dtype(tensor.dtype).as_numpy_dtype
    return np.frombuffer(tensor.tensor_content, dtype).reshape([d.size for d in tensor.tensor_shape.dim])
