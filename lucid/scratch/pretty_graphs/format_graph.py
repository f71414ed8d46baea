"""Lay out a model's graph as SVG: a sequence is drawn left to right, the branches of a block one above the other.
Every node is a Fragment (an SVG snippet with a size and an offset); containers shift and pad them together, so
the box of every node is known after layout (for edges, group backgrounds, tooltips, lines between two models).
Names put in the SVG are HTML-escaped."""

import html

from lucid.misc.io.showing import _display_html
from lucid.scratch.pretty_graphs.graph import (  # noqa: F401  (the original offers these names here too)
    Graph,
    Node,
    clip_node_names,
    filter_graph,
    filter_graph_collapse_sequence,
    filter_graph_cut_shapes,
    filter_graph_dynamic,
    filter_graph_ops,
    find_groups,
    load,
    show,
    standard_include_ops,
)


class Fragment:
    """The SVG snippet `svg` of size `shape` ([width, height]) at `offset`, drawing `node` (a Node or None)."""

    def __init__(self, svg, shape, node, offset=None):
        self.svg = svg
        self.shape = shape
        self.node = node
        self.offset = [0, 0] if offset is None else offset

    def render(self):
        return '<g transform="translate(%s,%s)">%s</g>' % (self.offset[0], self.offset[1], self.svg)

    def shift(self, delta):
        self.offset[0] += delta[0]
        self.offset[1] += delta[1]

    @property
    def fragments(self):
        return [self]

    @property
    def box(self):
        """[[x0, x1], [y0, y1]]."""
        x, y = self.offset
        return [[x, x + self.shape[0]], [y, y + self.shape[1]]]


class FragmentContainer:
    """Fragments and containers laid out in a `shape` ([width, height]) box, shifted together."""

    def __init__(self, children, shape):
        self.children = children
        self.shape = shape

    def shift(self, delta):
        for child in self.children:
            child.shift(delta)

    def pad(self, pad):
        """Grow by `pad` ([[left, right], [top, bottom]]), the contents moving right by left and down by top."""
        for child in self.children:
            child.shift([pad[0][0], pad[1][0]])
        self.shape[0] += pad[0][0] + pad[0][1]
        self.shape[1] += pad[1][0] + pad[1][1]

    @property
    def fragments(self):
        return [fragment for child in self.children for fragment in child.fragments]

    @property
    def box(self):
        """[[x0, x1], [y0, y1]] around every child."""
        boxes = [child.box for child in self.children]
        return [
            [min(b[0][0] for b in boxes), max(b[0][1] for b in boxes)],
            [min(b[1][0] for b in boxes), max(b[1][1] for b in boxes)],
        ]

    def show(self, show_bounds=False):
        """Display the fragments as an SVG in the notebook; `show_bounds` shades the container's box."""
        width, height = self.shape
        bounds = ""
        if show_bounds:
            bounds = '<rect x=0 y=0 width=%s height=%s fill="#E55" style="opacity: 0.3"> </rect>' % (width, height)
        _display_html(
            "<style>.node, .background {fill: #B8D8FF; } .node:hover, .background:hover {fill: rgb(117, 172, 240);}"
            " .background {opacity: 0.7;}</style>\n<svg width=%s height=%s>\n%s\n%s\n</svg>"
            % (width + 20, height + 20, bounds, "\n  ".join(f.render() for f in self.fragments))
        )


def one_fragement(svg, shape, node=None, inner_shape=None):
    """A container of size `shape` holding one fragment `svg` of size `inner_shape` (default `shape`)."""
    return FragmentContainer([Fragment(svg, inner_shape or shape, node)], shape)


def alignment_func(name):
    """f(outer size, inner size) -> offset of the inner thing: "min" (start), "max" (end), "mid" (centred); None
    for any other name."""
    if name == "min":
        return lambda max_size, size: 0
    if name == "max":
        return lambda max_size, size: max_size - size
    if name == "mid":
        return lambda max_size, size: (max_size - size) / 2.0
    return None


class LayoutComponent:
    """A part of the layout, with `pad` ([[left, right], [top, bottom]]) around it."""

    def __init__(self):
        self.pad = [[0, 0], [0, 0]]
        self.inner_spacing = 4

    def render(self):
        return ""


# The shape drawn for a node, by op type: SVG (with "%s" where the node's attributes go) and [width, height].
_NODE_SHAPES = {
    "Placeholder": ('<polygon points="0,10 5,20 15,20 20,10 15,0 5,0 0,10" %s></polygon>', [20, 20]),
    "Concat": ("<rect width=10 height=20 rx=2 ry=2 x=4 %s></rect>", [14, 20]),
    "MaxPool": ('<polygon points=" 0,0 0,20 3,20 10,12 10,7 3,0 0,0 " %s></polygon>', [10, 20]),
    "Add": ("<circle r=6 cx=5 cy=10 %s></circle>", [12, 20]),
}
_NODE_SHAPES.update(Softmax=_NODE_SHAPES["Placeholder"], ConcatV2=_NODE_SHAPES["Concat"])
_NODE_SHAPES["AvgPool"] = _NODE_SHAPES["MaxPool"]
_DEFAULT_NODE_SHAPE = ("<rect width=10 height=20 rx=2 ry=2 %s></rect>", [10, 20])


class LayoutNode(LayoutComponent):
    """One node (or None: an empty branch), drawn as a small shape that depends on its op."""

    def __init__(self, node):
        super().__init__()
        self.node = node

    @property
    def contained_nodes(self):
        return [self.node]

    def render(self):
        if self.node is None:
            inner, shape = "", [10, 20]
        else:
            template, shape = _NODE_SHAPES.get(self.node.op, _DEFAULT_NODE_SHAPE)
            attributes = 'class="node" data-tf-name="%s" data-tf-op="%s" ' % (
                html.escape(self.node.name),
                html.escape(self.node.op),
            )
            inner = template % attributes
        inner = '<g transform="translate(%s, %s)">%s</g>' % (self.pad[0][0], self.pad[1][0], inner)
        padded = [shape[0] + self.pad[0][0] + self.pad[0][1], shape[1] + self.pad[1][0] + self.pad[1][1]]
        return one_fragement(inner, padded, node=self.node, inner_shape=list(shape))


def _stack(parts, axis, alignment, spacing, pad):
    """`parts` (rendered containers) placed one after the other along `axis` (0: x, 1: y) `spacing` apart, aligned
    across it, in a padded container."""
    align = alignment_func(alignment)
    across = max(part.shape[1 - axis] for part in parts)
    along = 0
    for part in parts:
        delta = [0, 0]
        delta[axis], delta[1 - axis] = along, align(across, part.shape[1 - axis])
        part.shift(delta)
        along += part.shape[axis] + spacing
    if parts:
        along -= spacing
    shape = [0, 0]
    shape[axis], shape[1 - axis] = along, across
    container = FragmentContainer(parts, shape)
    container.pad(pad)
    return container


class LayoutBranch(LayoutComponent):
    """Parallel branches one above the other, aligned right ("max")."""

    def __init__(self, branches):
        super().__init__()
        self.branches = branches
        self.alignment = "max"

    @property
    def contained_nodes(self):
        return [node for branch in self.branches for node in branch.contained_nodes]

    def render(self):
        parts = [branch.render() for branch in self.branches]
        return _stack(parts, 1, self.alignment, self.inner_spacing, self.pad)


class LayoutSeq(LayoutComponent):
    """Components left to right, centred vertically ("mid")."""

    def __init__(self, nodes):
        super().__init__()
        self.nodes = nodes
        self.alignment = "mid"

    @property
    def contained_nodes(self):
        return [node for child in self.nodes for node in child.contained_nodes]

    def render(self):
        parts = [child.render() for child in self.nodes]
        return _stack(parts, 0, self.alignment, self.inner_spacing, self.pad)


def parse_graph(graph):
    """The layout (a LayoutSeq) of a pretty_graphs Graph whose branches split from one node and join at one node,
    from its first node to its last."""
    index = {node: i for i, node in enumerate(graph.nodes)}
    ancestors = {}
    for node in graph.nodes:
        ancestors[node.name] = set(node.inputs).union(*[ancestors[inp.name] for inp in node.inputs])

    def split_point(node):
        """The latest node that all of `node`'s inputs are or come from."""
        shared = set.intersection(*[{inp} | ancestors[inp.name] for inp in node.inputs])
        return max(shared, key=index.__getitem__)

    def parse_list(first, last):
        layout, pres = [], last
        while pres is not first:
            prev = split_point(pres)
            layout.append(LayoutNode(pres))
            if prev not in pres.inputs or len(pres.inputs) > 1:
                layout.append(parse_branch(prev, pres))
            pres = prev
        layout.append(LayoutNode(first))
        return LayoutSeq(layout[::-1])

    def parse_branch(start, stop):
        before = {start} | ancestors[start.name]
        branches = [({inp} | ancestors[inp.name]) - before for inp in stop.inputs]
        if any(b1 != b2 and b1 & b2 for b1 in branches for b2 in branches):
            raise ValueError("The branches into %r share nodes: this graph cannot be laid out." % stop.name)
        layouts = []
        for nodes in branches:
            nodes = sorted(nodes, key=index.__getitem__)
            if len(nodes) > 1:
                layouts.append(parse_list(nodes[0], nodes[-1]))
            else:
                layouts.append(LayoutNode(nodes[0] if nodes else None))
        return LayoutBranch(layouts)

    return parse_list(graph.nodes[0], graph.nodes[-1])


def _point(point, dx=0):
    return "%s,%s" % (point[0] + dx, point[1])


def _edge(source_box, dest_box, source, dest):
    """An SVG path from a third into the source's box to a third into the destination's."""
    start = [sum(source_box[0] + source_box[0][1:]) / 3.0, sum(source_box[1]) / 2.0]
    end = [sum(dest_box[0] + dest_box[0][:1]) / 3.0, sum(dest_box[1]) / 2.0]
    if end[0] - start[0] > 20:
        bend, dx = [start[0] + 20, end[1]], -8
    else:
        bend, dx = end[:], -6
    d = "M %s C %s %s %s L %s" % (_point(start), _point(start, 6), _point(bend, dx), _point(bend), _point(end))
    info = 'data-source-tf-name="%s" data-dest-tf-name="%s" class="edge" ' % (html.escape(source), html.escape(dest))
    return '<path d="%s" style="stroke: #DDD; stroke-width: 1.5px; fill: none;" %s ></path>' % (d, info)


def render_with_groups(seq, groups, bg_pad=6, pad_diff=8, pad_none=2):
    """Render the layout `seq` with a shaded background behind each of `groups` ({root node: nodes}, see
    find_groups) and the edges between nodes: {"svg_inner": SVG elements, "shape": [width, height],
    "node_boxes": {node: box}}. Neighbours in different groups are `pad_diff` apart, outside groups `pad_none`."""
    for child in seq.nodes:
        matched = [root.name for root, group in groups.items() if any(n in group for n in child.contained_nodes)]
        child.group = matched[0] if matched else None
    for left, right in zip(seq.nodes[:-1], seq.nodes[1:]):
        if left.group != right.group:
            left.pad[0][1] += pad_none if left.group is None else pad_diff
            right.pad[0][0] += pad_none if right.group is None else pad_diff
        elif left.group is None:
            left.pad[0][1] += pad_none
            right.pad[0][0] += pad_none

    container = seq.render()
    fragments = container.fragments
    for fragment in fragments:
        fragment.shift([bg_pad, bg_pad])

    grouped, group_fragments = [], []
    for root, group in reversed(list(groups.items())):
        members = [fragment for fragment in fragments if fragment.node in group]
        grouped += members
        (x0, x1), (y0, y1) = FragmentContainer(members, []).box
        background = (
            '\n      <g transform="translate(%s, %s)">\n        <rect width=%s height=%s rx=2 ry=2 %s></rect>\n'
            "      </g>"
            % (
                x0 - bg_pad,
                y0 - bg_pad,
                x1 - x0 + 2 * bg_pad,
                y1 - y0 + 2 * bg_pad,
                'class="background" data-group-tf-name="%s" ' % html.escape(root.name),
            )
        )
        svg = "<g>%s</g>" % "\n  ".join([fragment.render() for fragment in members] + [background])
        group_fragments.append(Fragment(svg, [], None))

    node_boxes = {fragment.node: fragment.box for fragment in fragments if fragment.node}
    edges = [
        Fragment(_edge(node_boxes[inp], node_boxes[node], inp.name, node.name), [], None)
        for node in node_boxes
        for inp in node.inputs
    ]
    ungrouped = [fragment for fragment in fragments if fragment not in grouped]
    svg_inner = "\n".join(fragment.render() for fragment in edges + ungrouped + group_fragments)
    return {"svg_inner": svg_inner, "shape": container.shape, "node_boxes": node_boxes}


def complete_render_model_graph(model, custom_ops=None):
    """The drawing of `model`'s graph (see render_with_groups): its standard ops (and `custom_ops`) that depend on
    the input, each Conv2D folded into its Relu, its blocks shaded."""
    graph = Graph.from_graphdef(model.graph_def)
    graph = filter_graph_ops(graph, include_ops=standard_include_ops + list(custom_ops or []))
    graph = filter_graph_dynamic(graph)
    graph = filter_graph_collapse_sequence(graph, ["Conv2D", "Relu"])
    layout = parse_graph(graph)
    if "Resnet" in (getattr(model, "model_path", None) or ""):
        layout.alignment = "min"
    return render_with_groups(layout, find_groups(graph))
