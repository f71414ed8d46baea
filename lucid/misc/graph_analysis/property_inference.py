"""Infer properties of graph tensors that TensorFlow does not record on the tensor itself.

Objectives use `infer_data_format` to tell whether a 4-D layer is NHWC or NCHW, so they can index channels last.
"""

import logging
from collections import deque

import tensorflow as tf

from lucid.misc.graph_analysis.overlay_graph import OverlayGraph, OverlayNode  # noqa: F401

__all__ = [
    "as_tensor",
    "infer_data_format",
    "OverlayGraph",
    "OverlayNode",
]

log = logging.getLogger(__name__)

_IMAGE_FORMATS = ("NHWC", "NCHW")


def as_tensor(t):
    """The tensor meant by `t`: an OverlayNode's tensor, an Operation's first output, a Tensor itself; else None."""
    if isinstance(t, OverlayNode):
        return t.tf_node
    if isinstance(t, tf.Operation):
        return t.outputs[0]
    if isinstance(t, tf.Tensor):
        return t
    return None


def _graph_tensor(t):
    """as_tensor, also taking a Variable or a tensor name (in the default graph), raising for anything else."""
    if isinstance(t, tf.Operation) and not t.outputs:
        raise ValueError("Operation %r has no outputs, so it has no tensor; pass a tensor instead." % t.name)
    if isinstance(t, tf.Variable):
        return tf.convert_to_tensor(t)
    if isinstance(t, str):
        name = t if ":" in t else t + ":0"
        try:
            return tf.compat.v1.get_default_graph().get_tensor_by_name(name)
        except (KeyError, ValueError) as e:
            raise KeyError("No tensor named %r in the default graph (%s)." % (name, e)) from None
    tensor = as_tensor(t)
    if tensor is None:
        raise TypeError(
            "Expected a tf.Tensor, tf.Operation, OverlayNode, tf.Variable or tensor name, got %s." % type(t).__name__
        )
    return tensor


def infer_data_format(t, max_depth=20):
    """Return "NHWC" or "NCHW" for a 4-D graph tensor, or None when its rank is not 4 or no op tells.

    Walks breadth-first up through the ops producing `t` (at most `max_depth` levels, following only 4-D
    inputs, since a reshape to or from another rank breaks the layout) and returns the `data_format`
    attribute of the nearest op that has an image format (Conv2D, BiasAdd, MaxPool, FusedBatchNorm, ...).
    """
    t = _graph_tensor(t)
    if t.shape.rank != 4 or not hasattr(t, "op"):
        return None
    seen = {t.op.name}
    queue = deque([(t.op, 0)])
    while queue:
        op, depth = queue.popleft()
        try:
            data_format = op.get_attr("data_format")
        except ValueError:
            data_format = None
        if isinstance(data_format, bytes):
            data_format = data_format.decode()
        if data_format in _IMAGE_FORMATS:
            return data_format
        if depth >= max_depth:
            continue
        for inp in op.inputs:
            if inp.shape.rank == 4 and inp.op.name not in seen:
                seen.add(inp.op.name)
                queue.append((inp.op, depth + 1))
    return None
