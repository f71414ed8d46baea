"""Edit the weights of a frozen graph in place, by constant name and numpy index.

model = models.InceptionV1()
editor = ParameterEditor(model.graph_def)
editor["conv2d0_w", :, :, :, 0] *= -1     # flip the first channel's filter; later imports use the edit
"""

import numpy as np
import tensorflow as tf

# Name of the boolean constant that ParameterEditor adds to a GraphDef it edits (the original's name).
EDITED_MARKER = "lucid_is_edited"


class ParameterEditor:
    """Constants (node op "Const") of `graph_def` as numpy arrays: `editor[name]`, `editor[name, index...]`, and the
    same on the left of `=` or `*=` to write them back into the GraphDef (same shape and dtype kept)."""

    def __init__(self, graph_def):
        if not isinstance(graph_def, tf.compat.v1.GraphDef):
            raise TypeError(
                "ParameterEditor takes a GraphDef (e.g. model.graph_def), got %s." % type(graph_def).__name__
            )
        self.graph_def = graph_def
        self.nodes = {node.name: node for node in graph_def.node if node.op == "Const"}
        if EDITED_MARKER not in self.nodes:  # as the original: a constant True node marks the graph as edited
            marker = graph_def.node.add(name=EDITED_MARKER, op="Const")
            marker.attr["dtype"].type = tf.bool.as_datatype_enum
            marker.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(True))

    def keys(self):
        return list(self.nodes)

    def __contains__(self, name):
        return name in self.nodes

    def _split(self, key):
        name, index = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        if name not in self.nodes:
            raise KeyError("%r is not a constant of the graph; constants include %s." % (name, sorted(self.nodes)[:10]))
        return name, index

    def __getitem__(self, key):
        name, index = self._split(key)
        array = tf.make_ndarray(self.nodes[name].attr["value"].tensor)
        return array[index] if index else array

    def __setitem__(self, key, value):
        name, index = self._split(key)
        array = np.array(self[name])
        if index:
            array[index] = value
        else:
            value = np.asarray(value)
            if value.shape != array.shape:
                raise ValueError("%s has shape %s; cannot set a value of shape %s." % (name, array.shape, value.shape))
            array = value.astype(array.dtype)
        self.nodes[name].attr["value"].tensor.CopyFrom(tf.make_tensor_proto(array))
