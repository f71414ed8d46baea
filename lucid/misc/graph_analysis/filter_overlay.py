"""Filters that simplify an OverlayGraph for drawing: keep the interesting ops, drop shape arithmetic and constant
subgraphs, fold chains like Conv2D -> BiasAdd -> Relu into one node. Each returns a new overlay."""

standard_include_ops = [
    "Placeholder",
    "Conv2D",
    "DepthwiseConv2dNative",
    "MatMul",
    "Relu",
    "Relu6",
    "Elu",
    "Sigmoid",
    "Tanh",
    "MaxPool",
    "AvgPool",
    "Mean",
    "Concat",
    "ConcatV2",
    "Add",
    "AddV2",
    "Mul",
    "Softmax",
    "LRN",
]


def ops_whitelist(graph, include_ops=standard_include_ops):
    """Keep only nodes whose op type is in `include_ops`."""
    return graph.filter([node for node in graph.nodes if node.op in include_ops])


def cut_shapes(graph):
    """Drop shape arithmetic: Shape ops and the nodes computed only from them (and constants), cutting edges
    through them, so that e.g. a Reshape's input is its data and not the shape computation."""
    shape_nodes = set()
    for node in graph.nodes:
        from_shapes = any(i in shape_nodes for i in node.inputs)
        if node.op == "Shape" or (from_shapes and all(i in shape_nodes or i.op == "Const" for i in node.inputs)):
            shape_nodes.add(node)
    return graph.filter([node for node in graph.nodes if node not in shape_nodes], pass_through=False)


def is_dynamic(graph):
    """Keep only nodes whose value depends on a Placeholder (the input): weights and other constants go."""
    dynamic = set()
    for node in graph.nodes:
        if node.op == "Placeholder" or any(i in dynamic for i in node.inputs):
            dynamic.add(node)
    return graph.filter([node for node in graph.nodes if node in dynamic], pass_through=False)


def collapse_sequence(graph, sequence):
    """Fold every chain of nodes whose op types are `sequence` (e.g. ["Conv2D", "BiasAdd", "Relu"]), each the only
    consumer of the one before, into its last node."""
    sequence = list(sequence)
    if not sequence:
        raise ValueError("collapse_sequence needs a non-empty list of op types.")
    dropped = set()
    for node in graph.nodes:
        chain = [node]
        while len(chain) < len(sequence) and len(chain[-1].consumers) == 1:
            chain.append(chain[-1].consumers[0])
        if [n.op for n in chain] == sequence and all(len(n.inputs) >= 1 for n in chain):
            if all(chain[i] in chain[i + 1].inputs for i in range(len(chain) - 1)):
                dropped.update(chain[:-1])
    return graph.filter([node for node in graph.nodes if node not in dropped])
