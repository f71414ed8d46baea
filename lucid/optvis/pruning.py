"""Import only the part of a model that a render reads: InceptionV1's GraphDef is 54 MB, the part up to mixed4a
4 MB, and importing the whole model costs most of a render's start-up.

The library's objectives declare the layers they read (`Objective.layers`). For a function of T, which does not,
the objectives are built once in a scratch graph on stand-ins of the layers, recording the names they ask for:
measured on a function of T reading mixed4a of the test InceptionV1 and a middle block of EfficientNet-Lite0,
that trial build plus the part's import started a render 0.6-0.9 s sooner than importing the whole model.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from lucid.modelzoo.util import node_name
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives
from lucid.optvis.objectives_util import model_T

__all__ = [
    "pruned_for",
]

# Per model: the static shape and dtype of every tensor of its imported graph, for the trial build's stand-ins.
_tensor_specs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def pruned_for(model: Any, objective_fns: Sequence[Any], t_image: tf.Tensor) -> Any:
    """`model`, or a copy whose graph_def holds only the nodes that `objective_fns` read and what they depend on.

    The whole model when that is not known: a model that is not a lucid Model (any object with import_graph, as
    the original allowed), an objective reading nothing of the model, or a name outside the GraphDef (a typo, or a
    tensor that post_import adds): importing it whole lets its T serve or report that name.
    """
    if not isinstance(model, Model):
        return model
    layers = objectives.layers_read(objective_fns)
    if layers is None:
        layers = _trial_build(model, objective_fns, t_image)
    nodes = {node_name(layer) for layer in layers or ()}
    graph_nodes = {node.name for node in model.graph_def.node}
    if not nodes or not nodes <= graph_nodes or model.input_name not in graph_nodes:
        return model
    return model.pruned(nodes)


class _NotInGraph(Exception):
    """A trial build asked for a name that is not a tensor of the model's graph."""


def _trial_build(model, objective_fns, t_image):
    """The layers `objective_fns` ask T for when built in a scratch graph on placeholders with the layers' static
    shapes and dtypes (and a global step, as make_vis_T's graph has); None if they ask for a name the imported
    model does not have. Errors of the objectives themselves propagate: the real build would raise them too."""
    specs = _model_tensor_specs(model)
    read = set()

    def stand_in(name):
        key = name if ":" in name else name + ":0"
        if key not in specs:
            raise _NotInGraph(name)
        read.add(name)
        shape, dtype = specs[key]
        if shape.rank:
            shape = [t_image.shape[0]] + shape.as_list()[1:]
        return tf.compat.v1.placeholder(dtype, shape)

    with tf.Graph().as_default():
        tf.compat.v1.train.get_or_create_global_step()
        T = model_T(stand_in, tf.compat.v1.placeholder(t_image.dtype, t_image.shape), model)
        try:
            for objective in objective_fns:
                objectives.as_objective(objective)(T)
        except _NotInGraph:
            return None
    return read


def _model_tensor_specs(model):
    if model not in _tensor_specs:
        channels = list(model.image_shape or [None])[-1]
        light = model.weightless()
        with tf.Graph().as_default() as graph:
            light.import_graph(tf.compat.v1.placeholder(tf.float32, [None, None, None, channels]), scope="import")
            _tensor_specs[model] = {
                t.name[len("import/") :]: (t.shape, t.dtype)
                for op in graph.get_operations()
                if op.name.startswith("import/")
                for t in op.outputs
            }
    return _tensor_specs[model]
