"""lucid.scratch.pretty_graphs: graph simplification, layout and SVG drawing of the tiny net and EfficientNet-Lite0."""

import re

import numpy as np
import pytest

from lucid.modelzoo.vision_models import EfficientNetLite0
from lucid.scratch.pretty_graphs import format_graph, graph, visualizations


def test_graph_from_graphdef_and_filters(model):
    g = graph.Graph.from_graphdef(model.graph_def)
    assert [n.name for n in g["conv1"].inputs] == ["BiasAdd"] and g["input"].op == "Placeholder"
    simple = graph.filter_graph_ops(graph.filter_graph_dynamic(g))
    assert [n.name for n in simple.nodes] == [
        "input",
        "Conv2D",
        "conv1",
        "Conv2D_1",
        "conv2",
        "Mean",
        "MatMul",
        "softmax",
    ]
    folded = graph.filter_graph_collapse_sequence(graph.filter_graph_dynamic(g), ["Conv2D", "BiasAdd", "Relu"])
    assert "Conv2D" not in [n.name for n in folded.nodes] and [n.name for n in folded["conv1"].inputs] == ["input"]
    cut = graph.filter_graph(simple, ["input", "conv2"], pass_through=False)
    assert cut["conv2"].inputs == []
    assert [n.name for n in graph.filter_graph(simple, ["input", "conv2"])["conv2"].inputs] == ["input"]
    assert '"conv1" -> "Conv2D_1";' in simple.graphviz()
    with pytest.raises(ValueError, match="already has"):
        simple.add_node(graph.Node("conv1", "Relu", None))


def test_names_and_groups():
    g = graph.Graph()
    for name in ["net/a/x", "net/a/y", "net/b", "other"]:
        g.add_node(graph.Node(name, "Relu", g))
    g.add_edge("net/a/x", "net/a/y")
    g.add_edge("net/a/x", "net/a/y")
    assert len(g["net/a/y"].inputs) == 1 and g["net/a/x"].consumers == [g["net/a/y"]]
    graph.clip_node_names(g, "net/")
    assert [n.pretty_name for n in g.nodes] == ["a/x", "a/y", "b", "other"]
    assert {k: [n.name for n in v] for k, v in graph.find_groups(g).items()} == {"a": ["net/a/x", "net/a/y"]}


def _overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_layout_places_sequences_below_and_branches_beside():
    seq = format_graph.LayoutSeq(
        [
            format_graph.LayoutNode("in"),
            format_graph.LayoutBranch(
                [
                    format_graph.LayoutSeq([format_graph.LayoutNode("a1"), format_graph.LayoutNode("a2")]),
                    format_graph.LayoutSeq([format_graph.LayoutNode("b")]),
                    format_graph.LayoutSeq([]),
                ]
            ),
            format_graph.LayoutNode("<out>"),
        ]
    )
    assert seq.contained_nodes() == ["in", "a1", "a2", "b", "<out>"]
    rendered = seq.render()
    boxes = {f.node: f.box() for f in rendered.fragments() if f.node}
    assert boxes["a1"][3] <= boxes["a2"][1] and boxes["in"][3] <= boxes["a1"][1] <= boxes["b"][1]
    assert boxes["a1"][2] <= boxes["b"][0] and boxes["a2"][3] <= boxes["<out>"][1]
    assert not any(_overlaps(boxes[m], boxes[n]) for m in boxes for n in boxes if m < n)
    x0, y0, x1, y1 = rendered.box()
    assert all(x0 <= b[0] and b[2] <= x1 and y0 <= b[1] and b[3] <= y1 for b in boxes.values())
    svg = rendered.svg()
    assert "&lt;out&gt;" in svg and "<out>" not in svg
    padded = format_graph.render_with_groups(seq, {"g": ["a1", "b"]})
    assert padded.shape[0] > rendered.shape[0] and padded.svg().count("<rect") == 6


def test_alignment_and_fragments():
    assert format_graph.alignment_func("center")(10, 4) == 3 and format_graph.alignment_func("bottom")(10, 4) == 6
    with pytest.raises(ValueError, match="Unknown alignment"):
        format_graph.alignment_func("diagonal")
    box = format_graph.one_fragement("<circle/>", (10, 10), "n", inner_shape=(4, 4)).shift((1, 2))
    assert box.fragments()[0].box() == (4, 5, 8, 9) and box.box() == (1, 2, 11, 12)


@pytest.fixture(scope="module")
def efficientnet():
    return EfficientNetLite0()


def test_display_model_with_tooltips(efficientnet, monkeypatch):
    shown = []
    monkeypatch.setattr(visualizations, "_display_html", shown.append)
    visualizations.display_model(efficientnet, tooltips={"stem": "</script><b>stem</b>"})
    html = shown[0]
    names = re.findall(r'data-name="([^"]+)"', html)
    assert "stem" in names and "input" in names and len(names) > 50
    assert html.count("</script>") == 1 and "\\u003c/script\\u003e" in html
    render = format_graph.complete_render_model_graph(efficientnet)
    stem, block = visualizations.get_box(render, "stem"), visualizations.get_box(render, "head")
    assert stem[3] < block[1]
    with pytest.raises(KeyError, match="No node"):
        visualizations.get_box(render, "nope")


def test_model_align_display_draws_a_line_per_pair(efficientnet, monkeypatch, model):
    shown = []
    monkeypatch.setattr(visualizations, "_display_html", shown.append)
    visualizations.model_align_display(efficientnet, model, [("stem", "conv1"), ("head", "conv2")], middle_sep=100)
    assert shown[0].count("<path") == 2
    assert visualizations.p((1, 2), dy=3) == "1,5"
    visualizations.vpad(20.7)
    assert shown[1] == '<div style="height:20px"></div>'
    assert np.isfinite([float(v) for v in re.findall(r'width="([\d.]+)"', shown[0])[:1]]).all()
