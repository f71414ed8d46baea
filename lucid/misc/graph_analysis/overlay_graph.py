"""Overlay graphs: a simplified view of a TensorFlow graph on a subset of its tensors.

An OverlayGraph keeps some of a graph's tensors (named like "mixed4a:0") and connects each to the nearest kept
tensors it is computed from: edges pass through the tensors left out. Filtering again gives an overlay of the overlay;
collapsing structures (chains, branches, see parse_overlay) replaces groups of nodes by one node holding the group.
This is the graph the model diagrams of lucid.scratch.pretty_graphs are drawn from.
"""

from collections import defaultdict

import tensorflow as tf

from lucid.misc import safe_ops

__all__ = [
    "OverlayGraph",
    "OverlayNode",
    "OverlayStructure",
    "print_graphviz",
]


class OverlayNode:
    """A kept tensor of an OverlayGraph, named like the tensor; `tf_node` is the tensor (None if the graph has no
    tensor of that name). Its edges are those of the overlay, not of the TF graph."""

    def __init__(self, name, overlay_graph):
        self.name = name
        self.overlay_graph = overlay_graph
        self.tf_graph = overlay_graph.tf_graph
        try:
            self.tf_node = self.tf_graph.get_tensor_by_name(name)
        except (KeyError, ValueError):
            self.tf_node = None
        self.sub_structure = None  # an OverlayStructure when this node stands for a collapsed group

    @staticmethod
    def as_name(node):
        """The name of `node`: a tensor name, an OverlayNode or a tf.Tensor."""
        if isinstance(node, str):
            return node
        if isinstance(node, (OverlayNode, tf.Tensor)):
            return node.name
        raise NotImplementedError(
            "Overlay nodes are named by tensor names ('mixed4a:0'), OverlayNodes or tf.Tensors, not %s."
            % type(node).__name__
        )

    def __repr__(self):
        return "<%s: %s>" % (self.name, self.op)

    @property
    def op(self):
        """The type ("Conv2D", ...) of the op computing this tensor."""
        return self.tf_node.op.type

    @property
    def inputs(self):
        """The set of nodes this one is computed from directly (in the overlay)."""
        return self.overlay_graph.node_to_inputs[self]

    @property
    def consumers(self):
        """The set of nodes computed directly from this one (in the overlay)."""
        return self.overlay_graph.node_to_consumers[self]

    @property
    def extended_inputs(self):
        """Every node this one depends on (transitively)."""
        return self.overlay_graph.node_to_extended_inputs[self]

    @property
    def extended_consumers(self):
        """Every node that depends on this one (transitively)."""
        return self.overlay_graph.node_to_extended_consumers[self]

    @property
    def gcd(self):
        """The latest node all of this node's inputs depend on (or are): where its input branches split."""
        return self.overlay_graph.gcd(self.inputs)

    @property
    def lcm(self):
        """The earliest node that depends on (or is) all of this node's consumers: where its branches join."""
        return self.overlay_graph.lcm(self.consumers)


class OverlayStructure:
    """A group of nodes to collapse into one: `structure_type` names the kind ("Sequence", "HeadBranch",
    "TailBranch", ...) and `structure` is a dict of its parts, each a node or a list of nodes. `children` is every
    part's nodes, in the dict's order."""

    def __init__(self, structure_type, structure):
        self.structure_type = structure_type
        self.structure = structure
        self.children = []
        for part in structure.values():
            self.children.extend(part if isinstance(part, (list, tuple)) else [part])

    def __contains__(self, item):
        return OverlayNode.as_name(item) in [child.name for child in self.children]


class OverlayGraph:
    """The tensors named in `nodes` (default: every output of every op) of `tf_graph` (a tf.Graph, or a GraphDef
    imported into a new graph), each connected to the kept tensors it is computed from. Edges pass through left-out
    tensors, except that a node named in `no_pass_through` only connects to its direct inputs that are kept.
    `prev_overlay` is the overlay this one filters (edges are then read from it)."""

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
        if nodes is None:
            nodes = [out.name for op in tf_graph.get_operations() for out in op.outputs]
        nodes = [OverlayNode.as_name(node) for node in nodes]
        self.name_map = {name: OverlayNode(name, self) for name in nodes}
        self.nodes = [self.name_map[name] for name in nodes]
        self.no_pass_through = [] if no_pass_through is None else no_pass_through
        self.prev_overlay = prev_overlay
        self._index = {node: i for i, node in enumerate(self.nodes)}

        self.node_to_inputs = defaultdict(set)
        self.node_to_consumers = defaultdict(set)
        found = {}
        for node in self.nodes:
            for inp in self._kept_inputs(node, found):
                self.node_to_inputs[node].add(inp)
                self.node_to_consumers[inp].add(node)

        # Transitive closures; the node order is the graph's op order, inputs first.
        self.node_to_extended_inputs = defaultdict(set)
        for node in self.nodes:
            for inp in self.node_to_inputs[node]:
                self.node_to_extended_inputs[node] |= {inp} | self.node_to_extended_inputs[inp]
        self.node_to_extended_consumers = defaultdict(set)
        for node in reversed(self.nodes):
            for out in self.node_to_consumers[node]:
                self.node_to_extended_consumers[node] |= {out} | self.node_to_extended_consumers[out]

    def _raw_inputs(self, name):
        if self.prev_overlay is not None:
            return [inp.name for inp in self.prev_overlay[name].inputs]
        return [inp.name for inp in self.tf_graph.get_tensor_by_name(name).op.inputs]

    def _kept_inputs(self, node, found):
        """The kept nodes `node` reads, looking through left-out tensors (not those read by a node in
        no_pass_through); `found` memoizes them by name. Iterative, and a cycle (a while loop) ends the walk."""
        name = OverlayNode.as_name(node)
        stack, started = [name], set()
        while stack:
            current = stack[-1]
            if current in found:
                stack.pop()
                continue
            raw = self._raw_inputs(current)
            looks_through = current not in self.no_pass_through
            dropped = [inp for inp in raw if inp not in self.name_map] if looks_through else []
            if current not in started:
                started.add(current)
                stack.extend(inp for inp in dropped if inp not in found and inp not in started)
                continue
            kept = [self.name_map[inp] for inp in raw if inp in self.name_map]
            for inp in dropped:
                kept.extend(found.get(inp, []))
            found[current] = kept
            stack.pop()
        return found[name]

    def __getitem__(self, index):
        name = OverlayNode.as_name(index)
        if name not in self.name_map:
            raise KeyError("No node %r in this overlay: nodes are tensor names such as 'mixed4a:0'." % (name,))
        return self.name_map[name]

    def __contains__(self, item):
        return OverlayNode.as_name(item) in self.name_map

    def get_tf_node(self, node):
        """The tf.Tensor of `node` (a name, OverlayNode or tensor)."""
        return self.tf_graph.get_tensor_by_name(OverlayNode.as_name(node))

    def graphviz(self, groups=None):
        """Print the overlay as Graphviz DOT source; `groups` ({root node: nodes}) are printed as clusters."""
        print_graphviz(self.nodes, groups, lambda node: node.name, lambda node: self.sorted(node.inputs))

    def filter(self, keep_nodes, pass_through=True):
        """An overlay of this one on `keep_nodes` (in this overlay's order); without `pass_through`, no edge passes
        through the nodes left out."""
        keep = {self[node].name for node in keep_nodes}
        kept = [name for name in self.name_map if name in keep]
        no_pass_through = set(self.no_pass_through)
        if pass_through:
            overlay = OverlayGraph(self.tf_graph, kept, no_pass_through, prev_overlay=self)
        else:
            # Kept nodes that look through nothing: edges through the left-out nodes are cut.
            overlay = OverlayGraph(self.tf_graph, kept, no_pass_through | set(kept), prev_overlay=self)
            overlay.no_pass_through = no_pass_through | (set(self.name_map) - keep)
        for node in overlay.nodes:
            node.sub_structure = self[node].sub_structure
        return overlay

    def gcd(self, branches):
        """The latest node that every one of `branches` is or depends on."""
        branches = [self[node] for node in branches]
        shared = set.intersection(*[{node} | node.extended_inputs for node in branches])
        return max(shared, key=self._index.__getitem__)

    def lcm(self, branches):
        """The earliest node that is or depends on every one of `branches`."""
        branches = [self[node] for node in branches]
        shared = set.intersection(*[{node} | node.extended_consumers for node in branches])
        return min(shared, key=self._index.__getitem__)

    def sorted(self, items):
        """`items` (nodes, names or tensors, returned as given) in the overlay's order."""
        return sorted(items, key=lambda item: self._index[self[item]])

    def collapse_structures(self, structure_map):
        """An overlay in which each {node: OverlayStructure} of `structure_map` stands for the structure: the
        structure's other children are left out and `node` holds it as `sub_structure`."""
        keep = [
            node.name
            for node in self.nodes
            if node in structure_map or not any(node in structure.children for structure in structure_map.values())
        ]
        overlay = self.filter(keep)
        for node, structure in structure_map.items():
            overlay[node].sub_structure = structure
        return overlay


def print_graphviz(nodes, groups, label, inputs_of):
    """Print DOT source: each {root: nodes} of `groups` as a cluster, then an edge from each of `inputs_of(node)` to
    each of `nodes`, every node written as `label(node)`."""
    print("digraph G {")
    for root, group in (groups or {}).items():
        print("")
        print('  subgraph "cluster_%s" {' % root.name.replace("/", "_"))
        print('  label = "%s"' % label(root))
        for node in group:
            print('    "%s"' % label(node))
        print("  }")
    for node in nodes:
        for inp in inputs_of(node):
            print("  ", '"%s"' % label(inp), " -> ", '"%s"' % label(node))
    print("}")
