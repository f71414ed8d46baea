"""A small, editable graph of a GraphDef's nodes (by op name), and filters that simplify it for drawing: keep some
op types, keep what the input flows into, fold chains like Conv2D -> Relu into their last node."""

from collections import defaultdict

from lucid.misc.graph_analysis import filter_overlay
from lucid.misc.graph_analysis.overlay_graph import print_graphviz
from lucid.misc.io import load, show  # noqa: F401  (names the original offers here)


class Node:
    """A node: its `name`, `op` type and the `graph` it is in; `pretty_name`, if set, is the label to show."""

    def __init__(self, name, op, graph, pretty_name=None):
        self.name = name
        self.op = op
        self.graph = graph
        self.pretty_name = pretty_name

    def __repr__(self):
        return "<%s: %s>" % (self.name, self.op)

    @property
    def inputs(self):
        return self.graph.node_to_inputs[self.name]

    @property
    def consumers(self):
        return self.graph.node_to_consumers[self.name]

    def copy(self):
        """A copy in the same graph, without the pretty name."""
        return Node(self.name, self.op, self.graph)


class Graph:
    """Nodes in the order added and edges between them: `inputs` and `consumers` are lists, in the order added."""

    def __init__(self):
        self.nodes = []
        self.name_map = {}
        self.node_to_consumers = defaultdict(list)
        self.node_to_inputs = defaultdict(list)

    def add_node(self, node):
        self.nodes.append(node)
        self.name_map[node.name] = node

    def add_edge(self, node1, node2):
        """An edge from `node1` (an input) to `node2` (its consumer); nodes or names."""
        node1, node2 = self[node1], self[node2]
        self.node_to_consumers[node1.name].append(node2)
        self.node_to_inputs[node2.name].append(node1)

    def __getitem__(self, index):
        if isinstance(index, Node):
            index = index.name
        if not isinstance(index, str):
            raise TypeError("A Graph is indexed by node names or Nodes, not %s." % type(index).__name__)
        return self.name_map[index]

    def graphviz(self, groups=None):
        """Print the graph as Graphviz DOT source; `groups` ({root node: nodes}) are printed as clusters."""
        print_graphviz(self.nodes, groups, lambda node: node.pretty_name or node.name, lambda node: node.inputs)

    @staticmethod
    def from_graphdef(graphdef):
        """The graph of a GraphDef's nodes, in its order, and data edges (control edges left out)."""
        graph = Graph()
        for node_def in graphdef.node:
            graph.add_node(Node(node_def.name, node_def.op, graph))
        for node_def in graphdef.node:
            for inp in node_def.input:
                if not inp.startswith("^"):
                    graph.add_edge(inp.split(":")[0], node_def.name)
        return graph


def filter_graph(graph, keep_nodes, pass_through=True):
    """A graph of copies of the nodes named in `keep_nodes`, each connected to the kept nodes it reads, looking
    through the left-out nodes unless `pass_through` is False; a kept node's `subsumed` lists the left-out nodes it
    looked through."""
    keep_nodes = set(keep_nodes)
    new_graph = Graph()
    for node in graph.nodes:
        if node.name in keep_nodes:
            copy = node.copy()
            copy.graph = new_graph
            copy.subsumed = []
            new_graph.add_node(copy)

    def kept_inputs(node):
        found, visited, pending = [], [], list(reversed(node.inputs))
        while pending:  # depth first, inputs in order
            inp = pending.pop()
            if inp in visited:
                continue
            visited.append(inp)
            if inp.name in keep_nodes:
                found.append(inp)
            elif pass_through:
                new_graph[node].subsumed.append(inp.name)
                pending.extend(reversed(inp.inputs))
        return found

    for node in graph.nodes:
        if node.name in keep_nodes:
            for inp in kept_inputs(node):
                new_graph.add_edge(inp, node)
    return new_graph


# The original's list here is graph_analysis's without its last entry ("EwZXy", an op type no graph has).
standard_include_ops = [op for op in filter_overlay.standard_include_ops if op != "EwZXy"]


def filter_graph_ops(graph, include_ops=standard_include_ops):
    """Keep only nodes whose op type is in `include_ops`."""
    return filter_graph(graph, [node.name for node in graph.nodes if node.op in include_ops])


def filter_graph_cut_shapes(graph):
    """Drop Shape ops, cutting the edges through them."""
    return filter_graph(graph, [node.name for node in graph.nodes if node.op != "Shape"], pass_through=False)


def filter_graph_dynamic(graph):
    """Keep the graph's first node (its input, usually) and every node computed from it."""
    reached = filter_overlay.forward_reachable(graph.nodes[0])
    return filter_graph(graph, [node.name for node in graph.nodes if node.name in reached])


def filter_graph_collapse_sequence(graph, sequence):
    """Fold every chain of nodes whose op types are `sequence` (e.g. ["Conv2D", "Relu"]) into its last node. The
    chain follows each node's first consumer; all but the last node of the chain must have only that one."""
    folded = set()
    for start in graph.nodes:
        node, chain = start, []
        for i, op in enumerate(sequence):
            last = i + 1 == len(sequence)
            if node.op != op or (not last and len(node.consumers) > 1):
                break
            chain.append(node.name)
            if not last:
                if not node.consumers:
                    break
                node = node.consumers[0]
        if len(chain) == len(sequence):
            folded.update(chain[:-1])
    return filter_graph(graph, [node.name for node in graph.nodes if node.name not in folded])


def clip_node_names(graph, prefix):
    """A copy of `graph` in which nodes named `prefix`... show the rest of their name (their pretty name)."""
    new_graph = Graph()
    for node in graph.nodes:
        copy = node.copy()
        copy.graph = new_graph
        copy.subsumed = []
        new_graph.add_node(copy)
        for inp in node.inputs:
            new_graph.add_edge(inp, copy)
    for node in new_graph.nodes:
        if node.name.startswith(prefix):
            node.pretty_name = node.name[len(prefix) :]
    return new_graph


def find_groups(graph):
    """The blocks of a network: for each node joining several inputs (Concat, ConcatV2, Add) that is not itself
    inside another block, {node: the set of it and the nodes on its input branches after they split}."""
    ancestors = {}
    for node in graph.nodes:
        ancestors[node.name] = set(node.inputs).union(*[ancestors[inp.name] for inp in node.inputs])
    groups, inner = {}, set()
    for root in graph.nodes:
        if root.op not in ("Concat", "ConcatV2", "Add") or len(root.inputs) <= 1:
            continue
        branches = [{inp} | ancestors[inp.name] for inp in root.inputs]
        unique = set.union(*branches) - set.intersection(*branches)
        groups[root] = {root} | unique
        inner |= unique
    return {root: group for root, group in groups.items() if root not in inner}
