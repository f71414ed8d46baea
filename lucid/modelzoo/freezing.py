"""Graph surgery for the converters: trace a function of an image, freeze it into a GraphDef (variables become
constants) and inline every function call, so that the graph is plain ops that Lucid can import and differentiate.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf
from tensorflow.python.eager import context
from tensorflow.python.framework import convert_to_constants, op_def_registry

from lucid.modelzoo import util as model_util

__all__ = ["freeze", "inline_function_calls"]

# Name scope of the traced model's own ops, so that the top-level names stay free for the named outputs.
_BODY_SCOPE = "lucid_model_body"


def freeze(
    call: Callable[[tf.Tensor], dict[str, tf.Tensor]], input_spec: tf.TensorSpec, input_name: str, model_name: str
) -> tuple[tf.compat.v1.GraphDef, dict[str, tf.TensorShape]]:
    """(GraphDef, {output name: static shape}) of `call` (image -> dict name -> tensor) traced on a float32 input
    named `input_name`, frozen with every function call inlined, holding only the nodes its outputs need; each
    output is an Identity node of its name. ValueError if a name clashes or a call could not be inlined."""
    shape = input_spec.shape
    # Traced for any height and width where the model allows it (a fixed-size signature does not): the probe of
    # the frozen graph then finds which sizes work.
    try:
        graph_def, traced = _trace_and_freeze(call, [None, None, None, shape[-1]], input_name, input_spec.dtype)
    except (TypeError, ValueError, tf.errors.InvalidArgumentError):
        graph_def, traced = _trace_and_freeze(call, shape, input_name, input_spec.dtype)
    ops = {node.name: node.op for node in graph_def.node}
    expected = [(input_name, "Placeholder")] + [(name, "Identity") for name in traced]
    clashes = [name for name, op in expected if ops.get(name) != op]
    if clashes:
        raise ValueError(
            "Could not give the nodes {} their names in the frozen graph (a name is used twice, e.g. "
            "input_name {!r} is also an output name); pass another input_name.".format(clashes, input_name)
        )
    needed = model_util.needed_nodes(graph_def, list(traced))  # not tf.function's output Identities
    for index in reversed(range(len(graph_def.node))):  # in place: copying the weights takes long
        if graph_def.node[index].name not in needed:
            del graph_def.node[index]
    calls = sorted({node.op for node in graph_def.node if node.op in _FUNCTION_CALLS})
    if calls:
        raise ValueError(
            "{}: the frozen graph still calls functions ({}), so gradients would fail.".format(model_name, calls)
        )
    for node in graph_def.node:
        # Ops made by tf.custom_gradient (e.g. swish) name a gradient function that lives only in this process and
        # refers to the traced graph. Without it, their gradient is the autodiff of the forward ops they wrap.
        node.attr.pop("_gradient_op_type", None)
    return graph_def, traced


# Ops that call a function of the graph's library; inlined away, as a graph that keeps them cannot be
# differentiated after import (SymbolicGradient fails) and is not plain ops.
_FUNCTION_CALLS = {"PartitionedCall", "StatefulPartitionedCall"}


def _trace_and_freeze(call, shape, input_name, dtype):
    """(GraphDef, {output name: static shape}) of `call` traced on a float32 input of `shape`, variables turned
    into constants and every function call inlined (the function library is dropped)."""
    traced = {}  # output name -> static shape, in the order `call` returns them

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32, name=input_name)], autograph=False)
    def probe(image):
        with tf.name_scope(_BODY_SCOPE):
            outputs = call(tf.cast(image, dtype))
        traced.update((name, tensor.shape) for name, tensor in outputs.items())
        return {name: tf.identity(tensor, name=name) for name, tensor in outputs.items()}

    # Trace and freeze eagerly, also when called inside a `with tf.Graph().as_default():` block.
    with context.eager_mode():
        # The GraphDef of convert_variables_to_constants_v2, without the ConcreteFunction it builds from it (most of
        # its time).
        function = probe.get_concrete_function()
        converter = _ConverterData(func=function, lower_control_flow=True, aggressive_inlining=True)
        graph_def, _ = convert_to_constants._replace_variables_by_constants(converter_data=converter)
    return inline_function_calls(graph_def), traced


class _ConverterData(convert_to_constants._FunctionConverterDataInEager):
    """Reads each variable's value without the copy that .numpy() makes: the GraphDef's constant copies it anyway
    (for VGG16's 500 MB of weights, up to a second)."""

    def _eval(self, tensor):
        return (tensor.read_value() if isinstance(tensor, tf.Variable) else tensor)._numpy()


def inline_function_calls(graph_def: tf.compat.v1.GraphDef) -> tf.compat.v1.GraphDef:
    """Replace, in place, each call (PartitionedCall / StatefulPartitionedCall) of a function of `graph_def`'s
    library by the function's body, recursively, and drop the library; returns `graph_def`.

    Freezing inlines most calls itself, but not those it must keep, e.g. the XLA-compiled function Keras runs
    grouped convolutions (ConvNeXt's depthwise Conv2D(groups=C)) in on CPU; a SavedModel's graph holds them too.
    The body's nodes are named "<call>/<node>"; an IdentityN named after the call passes on its outputs, so the
    nodes that read it are unchanged. A call that cannot be inlined (its function is not in the library, does not
    fit the call, or calls itself) is kept, and refused by the converters.
    """
    library = {function.signature.name: function for function in graph_def.library.function}
    callers: dict[str, frozenset] = {}  # inlined node name -> the functions it was inlined from

    def calls_in(nodes):
        return [node for node in nodes if node.op in _FUNCTION_CALLS and node.attr["f"].func.name in library]

    calls = calls_in(graph_def.node)
    while calls:
        first_new = len(graph_def.node)
        for node in calls:
            function, chain = node.attr["f"].func.name, callers.get(node.name, frozenset())
            inlined = None if function in chain else _function_body(library[function], node)
            if inlined is None:
                continue
            body, outputs = inlined
            callers.update((new.name, chain | {function}) for new in body)
            graph_def.node.extend(body)
            inputs = outputs + [name for name in node.input if name.startswith("^")]
            name, types = node.name, list(node.attr["Tout"].list.type)
            node.Clear()
            node.name, node.op = name, ("IdentityN" if outputs else "NoOp")
            node.input.extend(inputs)
            if outputs:
                node.attr["T"].list.type.extend(types)
        calls = calls_in(graph_def.node[first_new:])  # the bodies may call functions too
    graph_def.ClearField("library")
    return graph_def


def _function_body(function, call):
    """(the NodeDefs of `function`'s body, renamed "<call>/<node>" and reading the call's inputs in place of the
    function's arguments; the graph names of its output tensors), or None if the body does not fit the call."""
    arguments = [name for name in call.input if not name.startswith("^")]
    if len(arguments) != len(function.signature.input_arg):
        return None
    names = {arg.name: tensor for arg, tensor in zip(function.signature.input_arg, arguments)}
    prefix = call.name + "/"
    for node in function.node_def:
        # In a function, output tensors are named "<node>:<output argument>:<index>"; in a graph "<node>:<n>".
        op_def = op_def_registry.get(node.op)
        flat = 0
        for arg in op_def.output_arg if op_def else ():
            if arg.number_attr:
                count = node.attr[arg.number_attr].i
            elif arg.type_list_attr:
                count = len(node.attr[arg.type_list_attr].list.type)
            else:
                count = 1
            for index in range(count):
                names["{}:{}:{}".format(node.name, arg.name, index)] = "{}{}:{}".format(prefix, node.name, flat)
                flat += 1
    body = []
    for node in function.node_def:
        renamed = tf.compat.v1.NodeDef()
        renamed.CopyFrom(node)
        renamed.name = prefix + node.name
        renamed.device = ""
        renamed.attr.pop("_class", None)  # colocation with nodes of the function's own names
        del renamed.input[:]
        for name in node.input:
            if not name.startswith("^"):
                if name not in names:  # e.g. the output of an op this TensorFlow does not know
                    return None
                renamed.input.append(names[name])
            elif name[1:] not in names:  # a control input on an argument orders nothing in a frozen graph
                renamed.input.append("^" + prefix + name[1:])
        body.append(renamed)
    outputs = [names.get(function.ret.get(arg.name)) for arg in function.signature.output_arg]
    return None if None in outputs else (body, outputs)
