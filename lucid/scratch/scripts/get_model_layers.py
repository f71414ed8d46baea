"""Propose a model's "layers" from its GraphDef: ReLU, concat, add and softmax nodes that are not inside a branch
of a concat or add (so each proposal sees the whole network up to it), and print them as code for a model class.

    print_model_layer_code(model)   # layers = [ {'name': 'mixed3a/concat', 'type': 'conv', 'size': 256} , ... ]
"""

import numpy as np
import tensorflow as tf

from lucid.optvis import render

LAYER_OPS = ("Relu", "Concat", "ConcatV2", "Softmax", "Add")
MERGE_OPS = ("Concat", "ConcatV2", "Add")


def predecessors(graphdef, name):
    """Every input name reachable backwards from node `name` (as spelled in the nodes' inputs), in no set order."""
    nodes = {node.name: node for node in graphdef.node}
    found, pending = set(), [name]
    while pending:
        node = nodes.get(pending.pop())
        for inp in node.input if node is not None else ():
            if inp not in found:
                found.add(inp)
                pending.append(inp)
    return list(found)


def get_branch_nodes(graphdef, concat_node):
    """Names that belong to only one of the branches merged by `concat_node` (each branch: an input and all its
    predecessors)."""
    branches = [predecessors(graphdef, name) + [name] for name in concat_node.input]
    unique = []
    for index, branch in enumerate(branches):
        others = branches[:index] + branches[index + 1 :]
        unique += [name for name in branch if not any(name in other for other in others)]
    return unique


def propose_layers(graphdef):
    """NodeDefs of ReLU, concat, add and softmax nodes, in graph order, minus those inside a merge's branch."""
    branch_nodes = set()
    for node in graphdef.node:
        if node.op in MERGE_OPS:
            branch_nodes.update(get_branch_nodes(graphdef, node))
    return [node for node in graphdef.node if node.op in LAYER_OPS and node.name not in branch_nodes]


def propose_layers_with_shapes(model):
    """`zip` of the proposed NodeDefs and their activation shapes without the batch axis, on a zero image."""
    proposed = propose_layers(model.graph_def)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [1] + list(model.image_shape))
        T = render.import_model(model, t_input, t_input)
        t_shapes = [tf.shape(T(node.name))[1:] for node in proposed]
        shapes = sess.run(t_shapes, {t_input: np.zeros([1] + list(model.image_shape))})
    return zip(proposed, shapes)


def print_model_layer_code(model):
    """Print the proposed layers as a Python list of dicts (name, "conv" or "dense", channel count)."""
    print("layers = [")
    for node, shape in propose_layers_with_shapes(model):
        layer = {"name": node.name, "type": "conv" if len(shape) == 3 else "dense", "size": int(shape[-1])}
        print("  ", layer, ",")
    print(" ]")
