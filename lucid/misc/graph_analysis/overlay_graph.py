"""Overlay graphs: a simplified view of a TensorFlow graph on a subset of its ops.

An OverlayGraph keeps some of a graph's ops and connects each to its nearest kept ancestors: edges pass through the
ops left out (except those in `no_pass_through`). Filtering again gives an overlay of the overlay; collapsing
structures (chains, parallel branches, see parse_overlay) replaces groups of nodes by one node holding the group.
This is the graph the model diagrams of lucid.scratch.pretty_graphs are drawn from.
"""

import tensorflow as tf

from lucid.misc import safe_ops


class OverlayNode:
    """A kept op of an OverlayGraph, named like the op. Its edges are those of the overlay, not of the TF graph."""

    def __init__(self, name, overlay_graph):
        self.name = name
        self.overlay_graph = overlay_graph
        self.tf_graph = overlay_graph.tf_graph
        self.sub_structure = None  # an OverlayStructure when this node stands for a collapsed group

    @staticmethod
    def as_name(node):
        """The name of `node` (an OverlayNode or a name)."""
        return node if isinstance(node, str) else node.name

    def __repr__(self):
        return "<%s: %s>" % (self.name, self.op)

    @property
    def op(self):
        """The op type ("Conv2D", ...) of the TF op this node is, or None if it is not one of the graph's ops."""
        try:
            return self.tf_graph.get_operation_by_name(self.name).type
        except KeyError:
            return None

    @property
    def inputs(self):
        return self.overlay_graph.node_to_inputs[self]

    @property
    def consumers(self):
        return self.overlay_graph.node_to_consumers[self]

    @property
    def extended_inputs(self):
        """Every node this one depends on (transitively)."""
        return self.overlay_graph.extended_inputs[self]

    @property
    def extended_consumers(self):
        """Every node that depends on this one (transitively)."""
        return self.overlay_graph.extended_consumers[self]

    @property
    def gcd(self):
        """The latest node all of this node's inputs depend on (or are): where its input branches split."""
        return self.overlay_graph.gcd(self.inputs)

    @property
    def lcm(self):
        """The earliest node that depends on (or is) all of this node's consumers: where its branches join."""
        return self.overlay_graph.lcm(self.consumers)


class OverlayStructure:
    """A group of nodes collapsed into one: `structure_type` "Sequence" (`structure`: {"sequence": [nodes]}) or
    "Branch" (`structure`: {"input": node, "branches": [[nodes], ...], "output": node})."""

    def __init__(self, structure_type, structure):
        if structure_type not in ("Sequence", "Branch"):
            raise ValueError("structure_type must be 'Sequence' or 'Branch', got %r." % (structure_type,))
        self.structure_type = structure_type
        self.structure = structure

    @property
    def children(self):
        """The nodes the structure groups, in order (a Branch's input excluded: it stays outside)."""
        if self.structure_type == "Sequence":
            return list(self.structure["sequence"])
        return [node for branch in self.structure["branches"] for node in branch] + [self.structure["output"]]

    def __repr__(self):
        return "<%s: %s>" % (self.structure_type, [node.name for node in self.children])


def topological_order(starts, inputs_of):
    """`starts` and everything they reach through `inputs_of(x)`, each after its inputs, in the order the starts
    first reach them. Iterative, so deep graphs do not hit Python's recursion limit."""
    order, done = [], set()
    for start in starts:
        stack = [(start, False)]
        while stack:
            current, expanded = stack.pop()
            if current in done:
                continue
            if expanded:
                done.add(current)
                order.append(current)
                continue
            stack.append((current, True))
            stack.extend((parent, False) for parent in reversed(inputs_of(current)) if parent not in done)
    return order


class OverlayGraph:
    """The ops named in `nodes` (default: all ops) of `tf_graph` (a tf.Graph or GraphDef), with edges passing
    through left-out ops except those named in `no_pass_through`; `prev_overlay` is the overlay it filters."""

    def __init__(self, tf_graph, nodes=None, no_pass_through=None, prev_overlay=None):
        if isinstance(tf_graph, tf.compat.v1.GraphDef):
            graph_def = tf_graph
            safe_ops.check_graph_def(graph_def, "the GraphDef given to OverlayGraph")  # like every import
            tf_graph = tf.Graph()
            with tf_graph.as_default():
                tf.compat.v1.import_graph_def(graph_def, name="")
        if not isinstance(tf_graph, tf.Graph):
            raise TypeError("OverlayGraph takes a tf.Graph or GraphDef, got %s." % type(tf_graph).__name__)
        self.tf_graph = tf_graph
        self.prev_overlay = prev_overlay
        if nodes is None:
            nodes = [op.name for op in tf_graph.get_operations()]
        self.nodes = [OverlayNode(OverlayNode.as_name(node), self) for node in nodes]
        self.name_map = {node.name: node for node in self.nodes}
        if prev_overlay is not None:
            for node in self.nodes:
                node.sub_structure = prev_overlay.name_map[node.name].sub_structure
        self.no_pass_through = {OverlayNode.as_name(node) for node in no_pass_through or []}
        self._connect()

    def _prev_inputs(self, name):
        if self.prev_overlay is not None:
            return [node.name for node in self.prev_overlay.name_map[name].inputs]
        return [tensor.op.name for tensor in self.tf_graph.get_operation_by_name(name).inputs]

    def _connect(self):
        kept_inputs = {}

        def reach(name):
            """The kept nodes that `name`'s inputs are, or pass through to."""
            if name not in kept_inputs:
                found = []
                for parent in self._prev_inputs(name):
                    if parent in self.name_map:
                        found.append(parent)
                    elif parent not in self.no_pass_through:
                        found.extend(reach(parent))
                kept_inputs[name] = list(dict.fromkeys(found))
            return kept_inputs[name]

        self.node_to_inputs = {node: [self.name_map[n] for n in reach(node.name)] for node in self.nodes}
        self.node_to_consumers = {node: [] for node in self.nodes}
        for node in self.nodes:
            for parent in node.inputs:
                self.node_to_consumers[parent].append(node)
        self.nodes = self.sorted(self.nodes)
        self.extended_inputs = {}
        for node in self.nodes:
            self.extended_inputs[node] = set(node.inputs).union(*[self.extended_inputs[i] for i in node.inputs])
        self.extended_consumers = {}
        for node in reversed(self.nodes):
            self.extended_consumers[node] = set(node.consumers).union(
                *[self.extended_consumers[c] for c in node.consumers]
            )

    def __getitem__(self, index):
        return self.name_map[OverlayNode.as_name(index)]

    def __contains__(self, item):
        return OverlayNode.as_name(item) in self.name_map

    def __repr__(self):
        return "<OverlayGraph of %d nodes>" % len(self.nodes)

    def get_tf_node(self, node):
        """The tf.Operation of `node` (an OverlayNode or name)."""
        return self.tf_graph.get_operation_by_name(OverlayNode.as_name(node))

    def sorted(self, items):
        """`items` (nodes or names) as nodes in a topological order (inputs first), stable in the graph's op order."""
        items = [self[item] if isinstance(item, str) else item for item in items]
        order = topological_order(items, lambda node: self.node_to_inputs[node])
        wanted = set(items)
        return [node for node in order if node in wanted]

    def gcd(self, branches):
        """The latest node that every one of `branches` is or depends on; None if there is none."""
        branches = [self[b] for b in branches]
        if not branches:
            return None
        common = set.intersection(*[self.extended_inputs[b] | {b} for b in branches])
        return self.sorted(common)[-1] if common else None

    def lcm(self, branches):
        """The earliest node that is or depends on every one of `branches`; None if there is none."""
        branches = [self[b] for b in branches]
        if not branches:
            return None
        common = set.intersection(*[self.extended_consumers[b] | {b} for b in branches])
        return self.sorted(common)[0] if common else None

    def filter(self, keep_nodes, pass_through=True):
        """An overlay of this one on `keep_nodes`; without `pass_through`, edges through the dropped nodes are cut."""
        keep = {OverlayNode.as_name(node) for node in keep_nodes}
        dropped = [node.name for node in self.nodes if node.name not in keep]
        kept = [node.name for node in self.nodes if node.name in keep]
        return OverlayGraph(self.tf_graph, kept, None if pass_through else dropped, prev_overlay=self)

    def collapse_structures(self, structure_map):
        """An overlay in which each {node: OverlayStructure} of `structure_map` replaces the structure's children:
        only `node` (one of them) remains, holding the structure as `sub_structure`."""
        hidden = set()
        for key, structure in structure_map.items():
            hidden.update(child.name for child in structure.children if child.name != OverlayNode.as_name(key))
        collapsed = self.filter([node for node in self.nodes if node.name not in hidden])
        for key, structure in structure_map.items():
            collapsed[key].sub_structure = structure
        return collapsed

    def graphviz(self, groups=None):
        """Graphviz DOT source of the overlay; `groups` (lists of nodes) are drawn as boxed clusters."""
        return graphviz_source(self.nodes, groups)


def _dot_string(*lines):
    return '"%s"' % "\\n".join(str(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines)


def graphviz_source(nodes, groups=None):
    """DOT source drawing `nodes` (with .name, .op, .inputs) and their input edges, `groups` as clusters."""
    lines = ["digraph G {", "  node [shape=box, style=rounded];"]
    for i, group in enumerate(groups or []):
        lines.append("  subgraph cluster_%d {" % i)
        lines.extend("    %s;" % _dot_string(OverlayNode.as_name(node)) for node in group)
        lines.append("  }")
    for node in nodes:
        lines.append("  %s [label=%s];" % (_dot_string(node.name), _dot_string(node.name, node.op or "")))
        lines.extend("  %s -> %s;" % (_dot_string(parent.name), _dot_string(node.name)) for parent in node.inputs)
    lines.append("}")
    return "\n".join(lines)
