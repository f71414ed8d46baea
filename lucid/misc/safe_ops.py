"""The op allowlist checked before lucid imports any GraphDef: a model file must not be able to run code.

TensorFlow runs whatever ops a graph holds, and some ops read or write files (ReadFile, WriteFile, Save, Restore),
call Python (PyFunc), talk to other processes or keep state. A frozen vision model needs none of them, so every
GraphDef is checked against ALLOWED_OPS before import, including the bodies of the functions in its library. The
opt-in for a trusted file: `allow_unsafe_ops=True` on the model (or on `Model.load`), or the environment variable
LUCID_ALLOW_UNSAFE_OPS=1.

How the list was chosen: the union of the op types of the embedded EfficientNet-Lite0, the InceptionV1 graph
(spec Appendix A, and its random-weight builder), the Lucid zoo's caffe and slim architectures, and the
`Model.from_keras` conversions of every keras.applications family (ConvNeXt, DenseNet, EfficientNet(V2),
InceptionResNetV2, InceptionV3, MobileNet V1-V3, NASNet, ResNet(V2), VGG, Xception), plus the other versions of
the same pure tensor math (Concat / ConcatV2, Add / AddV2, FusedBatchNorm V1-V3, BatchMatMul V1-V3, ...). Every
op on it is a function of its input tensors only: no file, network, process, variable or random state.
The same check refuses a library whose calls form a cycle, and the caps of lucid.misc.limits (call depth, number of
functions, elements of a tensor the graph states the size of) hold whatever the opt-in. SavedModels are checked the
same way before TensorFlow loads them (`check_saved_model`).
"""

import math
import os

import numpy as np
import tensorflow as tf

from lucid.misc import limits

__all__ = [
    "ALLOWED_OPS",
    "check_calls",
    "check_graph_def",
    "check_ops_added",
    "check_saved_model",
    "check_tensor_sizes",
    "disallowed_nodes",
    "ENVIRONMENT_VARIABLE",
    "SAVED_MODEL_OPS",
    "unsafe_ops_allowed",
    "UnsafeGraphError",
]

ALLOWED_OPS = frozenset(
    # Graph plumbing and function calls (the called functions are checked too).
    "Placeholder PlaceholderWithDefault Const Identity IdentityN NoOp StopGradient PreventGradient Snapshot "
    "CheckNumerics PartitionedCall StatefulPartitionedCall "
    # Convolution, pooling, normalization, dense layers.
    "Conv2D DepthwiseConv2dNative Conv2DBackpropInput BiasAdd BiasAddV1 AvgPool MaxPool MaxPoolV2 LRN "
    "FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 MatMul BatchMatMul BatchMatMulV2 BatchMatMulV3 Einsum "
    # Activations.
    "Relu Relu6 Elu Selu LeakyRelu Softplus Softsign Sigmoid Tanh Softmax LogSoftmax Erf Erfc "
    # Elementwise math and comparisons.
    "Add AddV2 AddN Sub Mul RealDiv Div DivNoNan FloorDiv FloorMod Maximum Minimum Neg Abs Sign Square Sqrt Rsqrt "
    "Reciprocal Exp Log Log1p Pow SquaredDifference Floor Ceil Round Cast ClipByValue Select SelectV2 Equal "
    "NotEqual Greater GreaterEqual Less LessEqual LogicalAnd LogicalOr LogicalNot "
    # Reductions.
    "Mean Sum Max Min Prod ArgMax ArgMin All Any "
    # Shapes and array manipulation.
    "Reshape Squeeze ExpandDims Shape ShapeN Size Rank Pack Unpack Concat ConcatV2 Split SplitV Slice StridedSlice "
    "Transpose Pad PadV2 MirrorPad Tile Gather GatherV2 Fill ZerosLike OnesLike Range BroadcastTo BroadcastArgs "
    "ReverseV2 DepthToSpace SpaceToDepth SpaceToBatchND BatchToSpaceND ResizeBilinear ResizeNearestNeighbor "
    "ResizeBicubic".split()
)

ENVIRONMENT_VARIABLE = "LUCID_ALLOW_UNSAFE_OPS"


class UnsafeGraphError(ValueError):
    """A GraphDef holds ops outside ALLOWED_OPS."""


def unsafe_ops_allowed(allow_unsafe_ops=False):
    """Whether the check is switched off: by the argument, or by LUCID_ALLOW_UNSAFE_OPS=1 (or true / yes)."""
    return bool(allow_unsafe_ops) or os.environ.get(ENVIRONMENT_VARIABLE, "").lower() in ("1", "true", "yes")


def _function_references(node):
    """Names of the functions `node` refers to through function-valued attributes: `f=F`, lists of functions, and
    the functions bound inside another's attributes (`f=Outer{g=Inner}`), at any depth."""
    names, stack = [], list(node.attr.values())
    while stack:
        value = stack.pop()
        kind = value.WhichOneof("value")  # most attributes are types, shapes or tensors: one call each
        if kind == "func":
            funcs = [value.func]
        elif kind == "list" and value.list.func:
            funcs = value.list.func
        else:
            continue
        for func in funcs:
            names.append(func.name)
            stack.extend(func.attr.values())
    return names


def _calls(nodes, functions):
    """The names in `functions` (a library's) that `nodes` call: as their op, or through function-valued attributes."""
    called = set()
    for node in nodes:
        if node.op in functions:
            called.add(node.op)
        called.update(name for name in _function_references(node) if name in functions)
    return called


def disallowed_nodes(graph_def, allowed=ALLOWED_OPS):
    """`{op type: [node names]}` of the nodes of `graph_def` and of its library functions whose op is not allowed.

    A node may call a function of the library by name; every function-valued attribute (the `f` of a
    PartitionedCall, lists of functions, functions bound in another's attributes) must name one of them too, so a
    call cannot reach a function or op from elsewhere.
    """
    functions = {function.signature.name for function in graph_def.library.function}
    found = {}

    def visit(nodes, prefix):
        for node in nodes:
            bad = [name for name in _function_references(node) if name not in functions]
            if node.op not in allowed and node.op not in functions:
                bad.append(node.op)
            for op in bad:
                found.setdefault(op, []).append(prefix + node.name)

    visit(graph_def.node, "")
    for function in graph_def.library.function:
        visit(function.node_def, function.signature.name + "/")
    return found


def check_calls(graph_def, source):
    """Raise UnsafeGraphError if the function library of `graph_def` has a call cycle (TensorFlow recurses until its
    stack overflows), calls nested deeper than limits.MAX_CALL_DEPTH or more than limits.MAX_FUNCTIONS functions.
    Linear in the size of the library."""
    library = graph_def.library.function
    if len(library) > limits.get("MAX_FUNCTIONS"):
        raise UnsafeGraphError(
            "Refusing to import the graph of {}: its library holds {} functions, more than {}. {}".format(
                source, len(library), limits.get("MAX_FUNCTIONS"), limits.how_to_raise("MAX_FUNCTIONS")
            )
        )
    names = {function.signature.name for function in library}
    callees = {function.signature.name: sorted(_calls(function.node_def, names)) for function in library}
    max_depth = limits.get("MAX_CALL_DEPTH")
    depth = {}  # function -> the length of the longest call chain it starts (1: it calls nothing)
    for start in callees:
        path, on_path = [(start, iter(callees[start]))], {start}  # a depth-first walk without Python recursion
        while path and start not in depth:
            name, pending = path[-1]
            callee = next(pending, None)
            if callee is None:
                path.pop()
                on_path.discard(name)
                depth[name] = 1 + max((depth[called] for called in callees[name]), default=0)
                if depth[name] > max_depth:
                    raise UnsafeGraphError(
                        "Refusing to import the graph of {}: its function {!r} nests calls {} deep, more than {}. "
                        "{}".format(source, name, depth[name], max_depth, limits.how_to_raise("MAX_CALL_DEPTH"))
                    )
            elif callee in on_path:
                cycle = [entry[0] for entry in path[[entry[0] for entry in path].index(callee) :]] + [callee]
                raise UnsafeGraphError(
                    "Refusing to import the graph of {}: its functions call themselves ({}), which would run until "
                    "TensorFlow's stack overflows.".format(source, " -> ".join(cycle))
                )
            elif callee not in depth:
                path.append((callee, iter(callees[callee])))
                on_path.add(callee)


# Ops whose output size the GraphDef states through a constant input: op -> index of that input (the shape, the
# multiples, the new size, the paddings).
_SIZE_INPUTS = {
    "Fill": 0,
    "BroadcastTo": 1,
    "Tile": 1,
    "Conv2DBackpropInput": 0,
    "ResizeBilinear": 1,
    "ResizeNearestNeighbor": 1,
    "ResizeBicubic": 1,
    "Pad": 1,
    "PadV2": 1,
    "MirrorPad": 1,
}


def _stated_elements(node, constants):
    """The number of elements of `node`'s output as the node and its constant inputs state it (a lower bound), or
    None if they do not. `constants`: node name -> Const NodeDef in the same graph or function."""

    def const(index):
        name = node.input[index].lstrip("^").split(":")[0] if len(node.input) > index else None
        value = constants.get(name)
        if value is None or _const_elements(value) > 64:  # a shape is small; a large Const is data
            return None
        return tf.make_ndarray(value.attr["value"].tensor).astype(np.float64)

    if node.op == "Const":
        return _const_elements(node)
    if node.op == "Range":
        start, limit, delta = const(0), const(1), const(2)
        if start is None or limit is None or delta is None or delta.size != 1 or not np.all(np.isfinite(delta)):
            return None
        steps = np.ceil((limit - start) / delta) if delta.item() else np.inf
        return math.inf if not np.all(np.isfinite(steps)) else max(0, int(steps.max()))
    if node.op not in _SIZE_INPUTS:
        return None
    size = const(_SIZE_INPUTS[node.op])
    if size is None or not np.all(np.isfinite(size)):
        return None
    if node.op in ("Pad", "PadV2", "MirrorPad"):
        size = 1 + np.abs(size.reshape(-1, 2)).sum(axis=1)  # each dimension is at least its padding plus one
    count = math.prod(int(abs(n)) for n in size.ravel())
    if node.op == "Tile" and node.input and node.input[0].split(":")[0] in constants:
        count *= _const_elements(constants[node.input[0].split(":")[0]])
    return count


def _const_elements(node):
    shape = node.attr["value"].tensor.tensor_shape
    return 0 if shape.unknown_rank else math.prod(max(dim.size, 0) for dim in shape.dim)


def check_tensor_sizes(graph_def, source):
    """Raise UnsafeGraphError naming the first node of `graph_def` (or of its library functions) whose output the
    graph states to have more than limits.MAX_TENSOR_ELEMENTS elements: a 400-byte file can ask for gigabytes."""
    cap = limits.get("MAX_TENSOR_ELEMENTS")
    scopes = [("", graph_def.node)] + [(f.signature.name + "/", f.node_def) for f in graph_def.library.function]
    for prefix, nodes in scopes:
        constants = {node.name: node for node in nodes if node.op == "Const"}
        for node in nodes:
            count = _stated_elements(node, constants)
            if count is not None and count > cap:
                raise UnsafeGraphError(
                    "Refusing to import the graph of {}: node {!r} ({}) makes a tensor of {} elements, more than "
                    "{}. {}".format(
                        source, prefix + node.name, node.op, count, cap, limits.how_to_raise("MAX_TENSOR_ELEMENTS")
                    )
                )


def check_graph_def(graph_def, source, allow_unsafe_ops=False, allowed=ALLOWED_OPS):
    """Raise UnsafeGraphError if `graph_def` (from `source`, named in the message) has an op not in `allowed`, a
    call cycle, or goes over a cap of lucid.misc.limits. The caps hold with allow_unsafe_ops too."""
    check_calls(graph_def, source)
    check_tensor_sizes(graph_def, source)
    if unsafe_ops_allowed(allow_unsafe_ops):
        return
    found = disallowed_nodes(graph_def, allowed)
    if not found:
        return
    listing = "; ".join(
        "{} (node{} {})".format(op, "s" if len(nodes) > 1 else "", ", ".join(repr(n) for n in nodes[:5]))
        + (" and {} more".format(len(nodes) - 5) if len(nodes) > 5 else "")
        for op, nodes in sorted(found.items())
    )
    raise UnsafeGraphError(
        "Refusing to import the graph of {}: it holds ops that a vision model does not need and that may read or "
        "write files or run code: {}. Only load it if you trust where it came from, then pass "
        "allow_unsafe_ops=True (to Model.load, Model.load_from_manifest or Model.from_saved_model, or set "
        "model.allow_unsafe_ops = True) or set {}=1.".format(source, listing, ENVIRONMENT_VARIABLE)
    )


# What a SavedModel may use besides ALLOWED_OPS: its variables, and restoring them from its own checkpoint.
SAVED_MODEL_OPS = frozenset(
    "VarHandleOp ReadVariableOp AssignVariableOp VarIsInitializedOp VariableV2 Assign IsVariableInitialized "
    "RestoreV2".split()
)


def _reached(graph_def, node_names, function_names):
    """(graph node names, library function names) that running the nodes `node_names` and calling the functions
    `function_names` of `graph_def` may run."""
    nodes = {node.name: node for node in graph_def.node}
    library = {function.signature.name: function for function in graph_def.library.function}
    node_stack, function_stack = list(node_names), list(function_names)
    seen_nodes, seen_functions = set(), set()
    while node_stack or function_stack:
        if node_stack:
            name = node_stack.pop()
            if name in seen_nodes or name not in nodes:
                continue
            seen_nodes.add(name)
            node_stack.extend(name.lstrip("^").split(":")[0] for name in nodes[name].input)
            function_stack.extend(_calls([nodes[name]], library))
        else:
            name = function_stack.pop()
            if name not in seen_functions:
                seen_functions.add(name)
                function_stack.extend(_calls(library[name].node_def, library))
    return seen_nodes, seen_functions


def _without_save_only(meta_graph):
    """The GraphDef of a SavedModel's `meta_graph` without what only its saver's save op reaches (SaveV2 and the
    like write checkpoints; loading never runs them): everything else may run when it loads or is called."""
    graph_def = meta_graph.graph_def
    save_op = meta_graph.saver_def.save_tensor_name.split(":")[0]
    if not save_op:
        return graph_def
    save_nodes, save_functions = _reached(graph_def, [save_op], [])
    other_nodes, other_functions = _reached(
        graph_def,
        [node.name for node in graph_def.node if node.name not in save_nodes],
        [f.signature.name for f in graph_def.library.function if f.signature.name not in save_functions],
    )
    checked = type(graph_def)()
    checked.node.extend(node for node in graph_def.node if node.name in other_nodes or node.name not in save_nodes)
    checked.library.function.extend(
        f
        for f in graph_def.library.function
        if f.signature.name in other_functions or f.signature.name not in save_functions
    )
    return checked


def check_saved_model(path, allow_unsafe_ops=False):
    """Check the SavedModel directory `path` before TensorFlow loads it (loading runs its restore and init ops, and
    a TF1 main_op can be any op): each meta graph, its function library and init ops as `check_graph_def` does,
    with its variable and restore ops allowed too."""
    from tensorflow.core.protobuf import saved_model_pb2  # imported on use, like SavedModels

    saved_model = saved_model_pb2.SavedModel()
    binary, text = os.path.join(path, "saved_model.pb"), os.path.join(path, "saved_model.pbtxt")
    if tf.io.gfile.exists(binary):  # tf.io.gfile: a SavedModel may live where TensorFlow reads, e.g. gs://
        with tf.io.gfile.GFile(binary, "rb") as handle:
            saved_model.ParseFromString(handle.read())
    elif tf.io.gfile.exists(text):
        from google.protobuf import text_format

        with tf.io.gfile.GFile(text) as handle:
            text_format.Parse(handle.read(), saved_model)
    else:
        raise FileNotFoundError("{} is not a SavedModel directory: it has no saved_model.pb.".format(path))
    for meta_graph in saved_model.meta_graphs:
        source = "the SavedModel {} (tags {})".format(path, list(meta_graph.meta_info_def.tags))
        check_graph_def(_without_save_only(meta_graph), source, allow_unsafe_ops, ALLOWED_OPS | SAVED_MODEL_OPS)


def check_ops_added(graph, ops_before, source, allow_unsafe_ops=False):
    """Check the ops added to `graph` after its first `ops_before` ops (what a duck-typed model's `import_graph`
    created), before anything runs them."""
    if unsafe_ops_allowed(allow_unsafe_ops):
        return
    added = graph.get_operations()[ops_before:]
    graph_def = graph.as_graph_def()
    names = {op.name for op in added}
    subset = type(graph_def)()
    subset.library.CopyFrom(graph_def.library)
    subset.node.extend(node for node in graph_def.node if node.name in names)
    check_graph_def(subset, source)
