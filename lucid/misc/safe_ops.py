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
Memory use is not bounded by this check: a graph can still ask for a huge tensor.
"""

import os

__all__ = [
    "ALLOWED_OPS",
    "check_graph_def",
    "check_ops_added",
    "disallowed_nodes",
    "ENVIRONMENT_VARIABLE",
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


def disallowed_nodes(graph_def):
    """`{op type: [node names]}` of the nodes of `graph_def` and of its library functions whose op is not allowed.

    A node may call a function of the library by name; a function-valued attribute (the `f` of a PartitionedCall)
    must name one of them too, so a call cannot reach a function from elsewhere.
    """
    functions = {function.signature.name for function in graph_def.library.function}
    found = {}

    def visit(nodes, prefix):
        for node in nodes:
            called = [value.func.name for value in node.attr.values() if value.HasField("func")]
            called += [func.name for value in node.attr.values() for func in value.list.func]
            bad = [name for name in called if name not in functions]
            if node.op not in ALLOWED_OPS and node.op not in functions:
                bad.append(node.op)
            for op in bad:
                found.setdefault(op, []).append(prefix + node.name)

    visit(graph_def.node, "")
    for function in graph_def.library.function:
        visit(function.node_def, function.signature.name + "/")
    return found


def check_graph_def(graph_def, source, allow_unsafe_ops=False):
    """Raise UnsafeGraphError if `graph_def` (from `source`, named in the message) has an op not allowed."""
    if unsafe_ops_allowed(allow_unsafe_ops):
        return
    found = disallowed_nodes(graph_def)
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
        "allow_unsafe_ops=True (Model.load(url, allow_unsafe_ops=True), or model.allow_unsafe_ops = True) or set "
        "{}=1.".format(source, listing, ENVIRONMENT_VARIABLE)
    )


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
