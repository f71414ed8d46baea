"""Filters that simplify an OverlayGraph for drawing: keep the interesting ops, keep what the input flows into, drop
Shape ops, fold chains like Conv2D -> Relu into one node. Each returns a new overlay.

    overlay = filter_overlay.ops_whitelist(OverlayGraph(graph))
    overlay = filter_overlay.is_dynamic(overlay)
    overlay = filter_overlay.collapse_sequence(overlay, ["Conv2D", "Relu"])
"""

__all__ = [
    "collapse_sequence",
    "cut_shapes",
    "forward_reachable",
    "is_dynamic",
    "ops_whitelist",
    "standard_include_ops",
]

standard_include_ops = [
    "Placeholder",
    "Relu",
    "Relu6",
    "Add",
    "Split",
    "Softmax",
    "Concat",
    "ConcatV2",
    "Conv2D",
    "MaxPool",
    "AvgPool",
    "MatMul",
    "EwZXy",
]


def ops_whitelist(graph, include_ops=standard_include_ops):
    """Keep only nodes whose op type is in `include_ops`."""
    return graph.filter([node.name for node in graph.nodes if node.op in include_ops])


def cut_shapes(graph):
    """Drop the Shape ops' outputs, cutting the edges that passed through them."""
    return graph.filter([node.name for node in graph.nodes if node.op != "Shape"], pass_through=False)


def forward_reachable(node):
    """The names of `node` and of every node computed from it (following `.consumers`; overlay or graph nodes)."""
    reached, pending = set(), [node]
    while pending:
        node = pending.pop()
        if node.name not in reached:
            reached.add(node.name)
            pending.extend(node.consumers)
    return reached


def is_dynamic(graph):
    """Keep the overlay's first node (a graph's input, usually) and every node computed from it."""
    reached = forward_reachable(graph.nodes[0])
    return graph.filter([node.name for node in graph.nodes if node.name in reached])


def collapse_sequence(graph, sequence):
    """Fold every chain of nodes whose op types are `sequence` (e.g. ["Conv2D", "Relu"]), each the only consumer of
    the one before, into its last node."""
    folded = set()
    for start in graph.nodes:
        node, chain = start, []
        for i, op in enumerate(sequence):
            if node.op != op:
                break
            chain.append(node.name)
            if i + 1 < len(sequence):
                if len(node.consumers) != 1:
                    break
                (node,) = node.consumers
        if len(chain) == len(sequence):
            folded.update(chain[:-1])
    return graph.filter([node.name for node in graph.nodes if node.name not in folded])
