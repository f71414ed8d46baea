"""Lay out a model's graph as nested sequences (drawn top to bottom) and branches (side by side), and draw it as
SVG. Every node is a Fragment (an SVG snippet with a size and an offset); containers move and pad them together,
so the box of any node can be looked up after layout (for tooltips and for lines between two models)."""

import html

import numpy as np

from lucid.misc.graph_analysis import filter_overlay, overlay_graph, parse_overlay
from lucid.misc.io.showing import _display_html

NODE_HEIGHT = 22
SEQ_GAP = 12
BRANCH_GAP = 10


class Fragment:
    """The SVG snippet `svg` of size `shape` (width, height) at `offset`, drawing `node` (a name or None)."""

    def __init__(self, svg, shape, node, offset=None):
        self.svg = svg
        self.shape = np.array(shape, dtype=float)
        self.node = node
        self.offset = np.zeros(2) if offset is None else np.array(offset, dtype=float)

    def render(self):
        return '<g transform="translate(%g,%g)">%s</g>' % (self.offset[0], self.offset[1], self.svg)

    def shift(self, delta):
        self.offset = self.offset + np.asarray(delta, dtype=float)
        return self

    def fragments(self):
        return [self]

    def box(self):
        """(x0, y0, x1, y1)."""
        return tuple(np.concatenate([self.offset, self.offset + self.shape]))


class FragmentContainer:
    """Fragments and containers laid out in a `shape` (width, height) box, moved together."""

    def __init__(self, children, shape):
        self.children = list(children)
        self.shape = np.array(shape, dtype=float)
        self.offset = np.zeros(2)

    def shift(self, delta):
        self.offset = self.offset + np.asarray(delta, dtype=float)
        for child in self.children:
            child.shift(delta)
        return self

    def pad(self, pad):
        """Grow by `pad` on every side, the contents staying in place relative to the new top-left corner."""
        for child in self.children:
            child.shift((pad, pad))
        self.shape = self.shape + 2 * pad
        return self

    def fragments(self):
        return [fragment for child in self.children for fragment in child.fragments()]

    def box(self):
        return tuple(np.concatenate([self.offset, self.offset + self.shape]))

    def render(self):
        return "".join(fragment.render() for fragment in self.fragments())

    def svg(self, show_bounds=False):
        """A standalone <svg> element; `show_bounds` outlines every fragment (to debug layouts)."""
        body = self.render()
        if show_bounds:
            body += "".join(
                '<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="red" stroke-width="0.5"/>'
                % (f.offset[0], f.offset[1], f.shape[0], f.shape[1])
                for f in self.fragments()
            )
        x0, y0, x1, y1 = self.box()
        return '<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="%g %g %g %g">%s</svg>' % (
            x1 - x0,
            y1 - y0,
            x0,
            y0,
            x1 - x0,
            y1 - y0,
            body,
        )

    def show(self, show_bounds=False):
        _display_html(self.svg(show_bounds))


def alignment_func(name):
    """f(outer, inner) -> the offset placing a size `inner` in a size `outer`: "left"/"top" (0), "center"/"middle"
    or "right"/"bottom"."""
    funcs = {
        "left": lambda outer, inner: 0.0,
        "top": lambda outer, inner: 0.0,
        "center": lambda outer, inner: (outer - inner) / 2.0,
        "middle": lambda outer, inner: (outer - inner) / 2.0,
        "right": lambda outer, inner: outer - inner,
        "bottom": lambda outer, inner: outer - inner,
    }
    if name not in funcs:
        raise ValueError("Unknown alignment %r; use one of %s." % (name, sorted(funcs)))
    return funcs[name]


def one_fragement(svg, shape, node=None, inner_shape=None):
    """A container of size `shape` holding the fragment `svg` of size `inner_shape` (default `shape`) centred."""
    inner_shape = np.array(shape if inner_shape is None else inner_shape, dtype=float)
    offset = (np.array(shape, dtype=float) - inner_shape) / 2.0
    return FragmentContainer([Fragment(svg, inner_shape, node, offset)], shape)


def _line(x0, y0, x1, y1):
    return Fragment('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#999"/>' % (x0, y0, x1, y1), (0, 0), None)


class LayoutComponent:
    """A part of the layout: render() gives a FragmentContainer at the origin."""

    def __init__(self):
        self.children = []

    def contained_nodes(self):
        return [node for child in self.children for node in child.contained_nodes()]

    def render(self):
        raise NotImplementedError


class LayoutNode(LayoutComponent):
    """One node (a name, or an object with .name and .op): a rounded box labelled with its name."""

    def __init__(self, node):
        super().__init__()
        self.node = node
        self.name = getattr(node, "name", node)
        self.label = getattr(node, "pretty_name", self.name).split("/")[-1] or self.name

    def contained_nodes(self):
        return [self.name]

    def render(self):
        width = max(40, 7 * len(self.label) + 12)
        svg = (
            '<g class="node" data-name="%s"><rect width="%d" height="%d" rx="4" fill="#fff" stroke="#777"/>'
            '<text x="%g" y="15" font-size="11" font-family="sans-serif" text-anchor="middle">%s</text></g>'
            % (html.escape(self.name), width, NODE_HEIGHT, width / 2.0, html.escape(self.label))
        )
        return one_fragement(svg, (width, NODE_HEIGHT), self.name)


class LayoutBranch(LayoutComponent):
    """Parallel branches side by side (an empty branch, a skip connection, is drawn as a line)."""

    def __init__(self, branches):
        super().__init__()
        self.children = list(branches)

    def render(self):
        parts = [child.render() if child.children or isinstance(child, LayoutNode) else None for child in self.children]
        height = max([part.shape[1] for part in parts if part is not None], default=NODE_HEIGHT)
        placed, x = [], 0.0
        for part in parts:
            if part is None:
                part = FragmentContainer([_line(4, 0, 4, height)], (8, height))
            placed.append(part.shift((x, 0)))
            x += part.shape[0] + BRANCH_GAP
        return FragmentContainer(placed, (max(x - BRANCH_GAP, 0), height))


class LayoutSeq(LayoutComponent):
    """Components one below the other, centred, joined by lines."""

    def __init__(self, nodes):
        super().__init__()
        self.children = list(nodes)

    def render(self):
        parts = [child.render() for child in self.children]
        width = max([part.shape[0] for part in parts], default=0)
        center = alignment_func("center")
        placed, y = [], 0.0
        for i, part in enumerate(parts):
            if i:
                placed.append(_line(width / 2, y - SEQ_GAP, width / 2, y))
            placed.append(part.shift((center(width, part.shape[0]), y)))
            y += part.shape[1] + SEQ_GAP
        return FragmentContainer(placed, (width, max(y - SEQ_GAP, 0)))


def _layout(structure):
    kind = structure["type"]
    if kind == "Node":
        return LayoutNode(structure["name"])
    if kind == "Branch":
        branches = LayoutBranch([LayoutSeq([_layout(s) for s in branch]) for branch in structure["branches"]])
        return LayoutSeq([branches, _layout(structure["output"])])
    return LayoutSeq([_layout(child) for child in structure["children"]])


def simplified_overlay(graph_def, custom_ops=None):
    """The overlay drawn for a model: ops that depend on the input, without shape arithmetic, of the standard op
    types plus `custom_ops`."""
    overlay = overlay_graph.OverlayGraph(graph_def)
    include_ops = filter_overlay.standard_include_ops + list(custom_ops or [])
    return filter_overlay.ops_whitelist(filter_overlay.cut_shapes(filter_overlay.is_dynamic(overlay)), include_ops)


def parse_graph(graph):
    """The layout (a LayoutSeq) of an OverlayGraph, or of a GraphDef simplified with simplified_overlay."""
    if not isinstance(graph, overlay_graph.OverlayGraph):
        graph = simplified_overlay(graph)
    layout = _layout(parse_overlay.parse_overlay(graph))
    return layout if isinstance(layout, LayoutSeq) else LayoutSeq([layout])


def render_with_groups(seq, groups, bg_pad=6, pad_diff=8, pad_none=2):
    """Render the layout `seq` with a shaded box behind each group ({name: [node names]} or lists of names),
    reaching `bg_pad` beyond the group's nodes; the drawing is padded by `pad_diff` with groups, else `pad_none`."""
    rendered = seq.render()
    groups = groups.values() if isinstance(groups, dict) else groups
    boxes = {f.node: f.box() for f in rendered.fragments() if f.node is not None}
    backgrounds = []
    for group in groups:
        members = [boxes[getattr(n, "name", n)] for n in group if getattr(n, "name", n) in boxes]
        if not members:
            continue
        x0, y0 = np.min([b[:2] for b in members], axis=0) - bg_pad
        x1, y1 = np.max([b[2:] for b in members], axis=0) + bg_pad
        svg = '<rect width="%g" height="%g" rx="6" fill="#eef3fb" stroke="#c9d6ee"/>' % (x1 - x0, y1 - y0)
        backgrounds.append(Fragment(svg, (x1 - x0, y1 - y0), None, (x0, y0)))
    container = FragmentContainer(backgrounds + [rendered], rendered.shape)
    pad = pad_diff if backgrounds else pad_none
    return container.pad(pad + (bg_pad if backgrounds else 0))


def complete_render_model_graph(model, custom_ops=None):
    """The drawing (a FragmentContainer) of `model`'s graph, its blocks shaded."""
    overlay = simplified_overlay(model.graph_def, custom_ops)
    groups = [part["nodes"] for part in parse_overlay.toplevel_group_data(overlay) if part["type"] != "Node"]
    return render_with_groups(parse_graph(overlay), groups)
