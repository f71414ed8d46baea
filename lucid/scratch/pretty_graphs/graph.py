"""A small, editable graph of named nodes, built from a GraphDef and simplified with the filters of
lucid.misc.graph_analysis.filter_overlay (which work on it as on an OverlayGraph)."""

from lucid.misc.graph_analysis import filter_overlay
from lucid.misc.graph_analysis.filter_overlay import standard_include_ops
from lucid.misc.graph_analysis.overlay_graph import graphviz_source, topological_order


class Node:
    """A node: its `name`, `op` type and the `graph` it is in; `pretty_name` is the label to show (default name)."""

    def __init__(self, name, op, graph, pretty_name=None):
        self.name = name
        self.op = op
        self.graph = graph
        self.pretty_name = pretty_name or name

    def __repr__(self):
        return "<%s: %s>" % (self.name, self.op)

    @property
    def inputs(self):
        return self.graph.node_to_inputs[self.name]

    @property
    def consumers(self):
        return self.graph.node_to_consumers[self.name]

    def copy(self):
        """A copy outside any graph (add it to one with Graph.add_node)."""
        return Node(self.name, self.op, None, self.pretty_name)


class Graph:
    """Nodes in the order added (inputs before consumers when built by from_graphdef) and edges between them."""

    def __init__(self):
        self.nodes = []
        self.name_map = {}
        self.node_to_inputs = {}
        self.node_to_consumers = {}

    def __getitem__(self, name):
        return self.name_map[name]

    def add_node(self, node):
        if node.name in self.name_map:
            raise ValueError("The graph already has a node named %r." % node.name)
        node.graph = self
        self.nodes.append(node)
        self.name_map[node.name] = node
        self.node_to_inputs[node.name] = []
        self.node_to_consumers[node.name] = []

    def add_edge(self, node1, node2):
        """An edge from `node1` (an input) to `node2` (its consumer); nodes or names."""
        node1, node2 = (self.name_map[getattr(n, "name", n)] for n in (node1, node2))
        if node1 not in self.node_to_inputs[node2.name]:
            self.node_to_inputs[node2.name].append(node1)
            self.node_to_consumers[node1.name].append(node2)

    def graphviz(self, groups=None):
        """Graphviz DOT source; `groups` (lists of nodes or names) drawn as clusters."""
        return graphviz_source(self.nodes, groups)

    def filter(self, keep_nodes, pass_through=True):
        """The graph on `keep_nodes`; edges pass through dropped nodes unless `pass_through` is False."""
        keep = {getattr(node, "name", node) for node in keep_nodes}
        reached = {}

        def reach(node):
            if node.name not in reached:
                found = []
                for parent in node.inputs:
                    if parent.name in keep:
                        found.append(parent.name)
                    elif pass_through:
                        found.extend(reach(parent))
                reached[node.name] = list(dict.fromkeys(found))
            return reached[node.name]

        graph = Graph()
        for node in self.nodes:
            if node.name in keep:
                graph.add_node(node.copy())
        for node in self.nodes:
            if node.name in keep:
                for parent in reach(node):
                    graph.add_edge(parent, node.name)
        return graph

    @staticmethod
    def from_graphdef(graphdef):
        """The graph of a GraphDef's nodes and data edges (control edges left out), inputs first."""
        defs = {node.name: node for node in graphdef.node}
        graph = Graph()

        def input_names(node_def):
            names = [i.split(":")[0] for i in node_def.input if not i.startswith("^")]
            return [name for name in names if name in defs]

        for name in topological_order(defs, lambda name: input_names(defs[name])):
            graph.add_node(Node(name, defs[name].op, graph))
        for node in graph.nodes:
            for parent in input_names(defs[node.name]):
                graph.add_edge(parent, node.name)
        return graph


def filter_graph(graph, keep_nodes, pass_through=True):
    return graph.filter(keep_nodes, pass_through)


def filter_graph_ops(graph, include_ops=standard_include_ops):
    return filter_overlay.ops_whitelist(graph, include_ops)


def filter_graph_cut_shapes(graph):
    return filter_overlay.cut_shapes(graph)


def filter_graph_dynamic(graph):
    return filter_overlay.is_dynamic(graph)


def filter_graph_collapse_sequence(graph, sequence):
    return filter_overlay.collapse_sequence(graph, sequence)


def clip_node_names(graph, prefix):
    """Drop `prefix` (e.g. "InceptionV4/InceptionV4/") from the start of the nodes' pretty names, in place."""
    for node in graph.nodes:
        if node.pretty_name.startswith(prefix):
            node.pretty_name = node.pretty_name[len(prefix) :]
    return graph


def find_groups(graph):
    """Nodes grouped by the first part of their pretty name's scope ("mixed4a/conv" -> "mixed4a"), for groups with
    more than one node: {scope: [nodes]} in graph order."""
    groups = {}
    for node in graph.nodes:
        if "/" in node.pretty_name:
            groups.setdefault(node.pretty_name.split("/")[0], []).append(node)
    return {scope: nodes for scope, nodes in groups.items() if len(nodes) > 1}
