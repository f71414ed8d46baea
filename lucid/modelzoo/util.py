"""GraphDef helpers for the model zoo: loading, freezing, Lucid's metadata node, graph navigation."""

import json
import logging
import math
import os
from collections import defaultdict, deque
from contextlib import nullcontext

import tensorflow as tf

from lucid.misc.io import load
from lucid.misc.io.loading import decompressors, load_using_loader, loaders
from lucid.misc.io.saving import ClarityJSONEncoder

__all__ = [
    "ClarityJSONEncoder",
    "extract_metadata",
    "forget_xy",
    "frozen_default_graph_def",
    "GraphDefHelper",
    "infuse_metadata",
    "load",
    "load_graphdef",
    "load_text_labels",
    "metadata_node_name",
    "needed_nodes",
    "node_name",
    "subgraph_def",
    "weightless_graph_def",
]

log = logging.getLogger(__name__)

# Name of the Const node in which `Model.save` stores the model's metadata as JSON.
metadata_node_name = "lucid_metadata_json"


def node_name(name):
    """Node name of a GraphDef input or tensor name: drops a leading '^' and a ':<index>' suffix."""
    return name.lstrip("^").split(":")[0]


def needed_nodes(graph_def, node_names):
    """The names of the nodes `node_names` and of those they depend on (data and control inputs) that
    `graph_def` holds."""
    by_name = {node.name: node for node in graph_def.node}
    keep, pending = set(), [node_name(name) for name in node_names]
    while pending:
        name = pending.pop()
        if name not in keep and name in by_name:
            keep.add(name)
            pending.extend(node_name(inp) for inp in by_name[name].input)
    return keep


def subgraph_def(graph_def, node_names):
    """A GraphDef with only the nodes `node_names` and those they depend on (data and control inputs).

    Like tf.compat.v1.graph_util.extract_sub_graph, without its deprecation warning on every first use.
    """
    keep = needed_nodes(graph_def, node_names)
    sub = tf.compat.v1.GraphDef()
    sub.versions.CopyFrom(graph_def.versions)
    sub.library.CopyFrom(graph_def.library)
    sub.node.extend(node for node in graph_def.node if node.name in keep)
    return sub


def weightless_graph_def(graph_def):
    """A copy of `graph_def` whose float Const nodes of more than 64 values (the weights: their values never decide
    a shape) are Placeholders of the same dtype and shape: it imports with the same static shapes and dtypes,
    without a copy of the weights. For shape inference: tensor specs, the sizes a graph accepts."""
    light = tf.compat.v1.GraphDef()
    light.versions.CopyFrom(graph_def.versions)
    light.library.CopyFrom(graph_def.library)
    for node in graph_def.node:
        if node.op == "Const":
            tensor = node.attr["value"].tensor
            shape = tensor.tensor_shape
            if (
                tf.dtypes.as_dtype(tensor.dtype).is_floating
                and not shape.unknown_rank
                and math.prod(d.size for d in shape.dim) > 64
            ):
                stub = light.node.add(name=node.name, op="Placeholder", input=node.input, device=node.device)
                stub.attr["dtype"].CopyFrom(node.attr["dtype"])
                stub.attr["shape"].shape.CopyFrom(shape)
                continue
        light.node.append(node)
    return light


def load_text_labels(labels_path):
    """Lines of the text file at `labels_path` (local path or URL)."""
    return load(labels_path).splitlines()


def _load_nonempty_graphdef(handle):
    """A GraphDef with nodes; an empty one (an empty file parses as one) is an error, so a cached download of it is
    fetched again."""
    graph_def = loaders[".pb"](handle)
    if not graph_def.node:
        raise ValueError(
            "{} holds a GraphDef without any nodes: the file is empty or not a frozen model graph.".format(
                getattr(handle, "name", "the file")
            )
        )
    return graph_def


def load_graphdef(model_url, reset_device=True):
    """The GraphDef stored at `model_url`; `reset_device` clears device pins so it imports anywhere.

    The bytes are parsed as a GraphDef whatever the file name says (an outer .xz is decompressed), so a model URL
    can never route a download to another decoder such as pickle.
    """
    decompressor = decompressors.get(os.path.splitext(str(model_url))[1].lower(), nullcontext)
    graph_def = load_using_loader(model_url, decompressor, _load_nonempty_graphdef, cache=None)
    if reset_device:
        for node in graph_def.node:
            node.device = ""
    return graph_def


def forget_xy(t):
    """`t` with unknown height and width in its static shape, so the graph accepts any image size."""
    shape = (t.shape[0], None, None, t.shape[3])
    return tf.compat.v1.placeholder_with_default(t, shape)


def frozen_default_graph_def(input_node_names, output_node_names):
    """GraphDef of the default graph pruned to what the outputs need, variables turned into constants.

    Needs a default session holding the variables' values.
    """
    sess = tf.compat.v1.get_default_session()
    if sess is None:
        raise RuntimeError("Default session not registered.")
    graph_def = tf.compat.v1.get_default_graph().as_graph_def()
    if not graph_def.node:
        raise RuntimeError(
            "Default graph is empty. Is it possible your model wasn't constructed or is in a different graph?"
        )
    node_names = [node.name for node in graph_def.node]
    missing = [name for name in list(input_node_names) + list(output_node_names) if name not in node_names]
    if missing:
        raise ValueError(
            "Nodes {} are not in the default graph; give node names such as {}.".format(missing, node_names[:10])
        )
    graph_def = tf.compat.v1.graph_util.remove_training_nodes(
        graph_def, protected_nodes=list(output_node_names) + list(input_node_names)
    )
    graph_def = tf.compat.v1.graph_util.extract_sub_graph(graph_def, list(output_node_names))
    for node in graph_def.node:
        node.device = ""
    variable_names = [v.op.name for v in tf.compat.v1.global_variables()]
    return tf.compat.v1.graph_util.convert_variables_to_constants(
        sess, graph_def, list(output_node_names), variable_names_whitelist=variable_names
    )


def infuse_metadata(graph_def, info):
    """Store `info` as JSON in the graph_def's metadata Const node (replacing an older one)."""
    with tf.Graph().as_default() as temp_graph:
        tf.constant(json.dumps(info, cls=ClarityJSONEncoder), name=metadata_node_name)
    kept = [node for node in graph_def.node if node.name != metadata_node_name]
    if len(kept) != len(graph_def.node):
        del graph_def.node[:]
        graph_def.node.extend(kept)
    graph_def.node.extend(temp_graph.as_graph_def().node)


def extract_metadata(graph_def):
    """The metadata dict stored by `infuse_metadata`, or None if the graph_def has none."""
    nodes = [node for node in graph_def.node if node.name == metadata_node_name]
    if len(nodes) > 1:
        raise ValueError("GraphDef has {} nodes named {}; expected at most one.".format(len(nodes), metadata_node_name))
    if not nodes:
        return None
    return json.loads(nodes[0].attr["value"].tensor.string_val[0])


class GraphDefHelper:
    """Indexes of a GraphDef's nodes by op type, by name and by the nodes they feed."""

    def __init__(self, graph_def):
        self.graph_def = graph_def
        self.by_op = defaultdict(list)
        self.by_name = {}
        self.by_input = defaultdict(list)
        for node in graph_def.node:
            if node.name in self.by_name:
                raise ValueError("GraphDef has two nodes named {!r}; node names must be unique.".format(node.name))
            self.by_op[node.op].append(node)
            self.by_name[node.name] = node
            for input_name in node.input:
                self.by_input[node_name(input_name)].append(node)

    def neighborhood(self, node, degree=4):
        """Nodes at most `degree` edges (inputs or consumers) away from `node`, `node` first, nearest first."""
        found = {node.name: node}
        frontier = deque([(node, 0)])
        while frontier:
            current, distance = frontier.popleft()
            if distance == degree:
                continue
            inputs = [self.by_name[node_name(name)] for name in current.input if node_name(name) in self.by_name]
            for neighbor in inputs + self.by_input.get(current.name, []):
                if neighbor.name not in found:
                    found[neighbor.name] = neighbor
                    frontier.append((neighbor, distance + 1))
        return list(found.values())
