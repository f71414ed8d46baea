"""lucid.scratch.pretty_graphs against the original Lucid 0.3.10: the expected values were measured by running the
same calls on the original, with the random-weight InceptionV1 file that has the node names and order of
lucid.testing's builder."""

import hashlib
import re

import pytest

from lucid.scratch.pretty_graphs import format_graph, graph, visualizations
from lucid.testing import inception_v1_graph_def


def _names(nodes):
    return [node.name for node in nodes]


class _Model:
    def __init__(self, graph_def, model_path="inceptionv1.pb"):
        self.graph_def, self.model_path = graph_def, model_path


@pytest.fixture(scope="module")
def model():
    return _Model(inception_v1_graph_def())


@pytest.fixture(scope="module")
def folded(model):
    simple = graph.filter_graph_dynamic(graph.filter_graph_ops(graph.Graph.from_graphdef(model.graph_def)))
    return graph.filter_graph_collapse_sequence(simple, ["Conv2D", "Relu"])


def test_graph_from_graphdef_and_filters(model, folded):
    g = graph.Graph.from_graphdef(model.graph_def)
    assert len(g.nodes) == 370 and _names(g["mixed4a"].inputs)[:2] == ["mixed4a/concat_dim", "mixed4a_1x1"]
    assert _names(g["mixed4a"].consumers)[-2:] == ["mixed4b_pool", "head0_pool"]
    subsumed = graph.filter_graph(g, [n.name for n in graph.filter_graph_dynamic(graph.filter_graph_ops(g)).nodes])
    assert subsumed["conv2d1"].subsumed == ["conv2d1_pre_relu", "conv2d1_b"]
    assert subsumed["conv2d1_pre_relu/conv"].subsumed == ["localresponsenorm0", "conv2d1_w"]
    assert len(folded.nodes) == 95 and _names(folded["mixed3a"].inputs) == [
        "mixed3a_1x1",
        "mixed3a_3x3",
        "mixed3a_5x5",
        "mixed3a_pool_reduce",
    ]
    cut = graph.filter_graph(folded, ["input", "mixed3a", "mixed4a"], pass_through=False)
    assert [_names(n.inputs) for n in cut.nodes] == [[], [], []]
    through = graph.filter_graph(folded, ["input", "mixed3a", "mixed4a"])
    assert [_names(n.inputs) for n in through.nodes] == [[], ["input"], ["mixed3a"]]
    assert graph.standard_include_ops[-3:] == ["MaxPool", "AvgPool", "MatMul"]
    copy = graph.Node("a", "Relu", g, "pretty").copy()
    assert (copy.name, copy.op, copy.pretty_name, copy.graph) == ("a", "Relu", None, g)


def test_find_groups_finds_the_nine_inception_blocks(folded):
    groups = graph.find_groups(folded)
    blocks = ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"]
    assert type(groups) is dict and [root.name for root in groups] == ["mixed" + b for b in blocks]
    assert sorted(_names(groups[folded["mixed4a"]])) == [
        "mixed4a",
        "mixed4a_1x1",
        "mixed4a_3x3",
        "mixed4a_3x3_bottleneck",
        "mixed4a_5x5",
        "mixed4a_5x5_bottleneck",
        "mixed4a_pool",
        "mixed4a_pool_reduce",
    ]


def test_clip_node_names_returns_a_new_graph(folded):
    clipped = graph.clip_node_names(folded, "mixed")
    assert clipped is not folded and folded["mixed3a_1x1"].pretty_name is None
    assert [n.pretty_name for n in clipped.nodes[5:8]] == [None, "3a_1x1", "3a_3x3_bottleneck"]


def test_graphviz_prints(folded, capsys):
    small = graph.filter_graph(folded, ["input", "conv2d0", "maxpool0"])
    assert small.graphviz(groups={small["conv2d0"]: [small["input"], small["conv2d0"]]}) is None
    assert capsys.readouterr().out == (
        'digraph G {\n\n  subgraph "cluster_conv2d0" {\n  label = "conv2d0"\n    "input"\n    "conv2d0"\n  }\n'
        '   "input"  ->  "conv2d0"\n   "conv2d0"  ->  "maxpool0"\n}\n'
    )


def _node(op):
    return format_graph.LayoutNode(graph.Node("n" + op, op, None))


def test_layout_and_fragments():
    seq = format_graph.LayoutSeq(
        [
            _node("Relu"),
            format_graph.LayoutBranch(
                [_node("Relu"), format_graph.LayoutSeq([_node("Add"), _node("MaxPool")]), format_graph.LayoutNode(None)]
            ),
            _node("Concat"),
        ]
    )
    rendered = seq.render()
    assert rendered.shape == [58, 68]
    assert [f.box for f in rendered.fragments] == [
        [[0, 10], [24.0, 44.0]],
        [[30, 40], [0.0, 20.0]],
        [[14, 26], [24.0, 44.0]],
        [[30, 40], [24.0, 44.0]],
        [[30, 40], [48.0, 68.0]],
        [[44, 58], [24.0, 44.0]],
    ]
    assert rendered.fragments[2].render() == (
        '<g transform="translate(14,24.0)"><g transform="translate(0, 0)"><circle r=6 cx=5 cy=10 class="node" '
        'data-tf-name="nAdd" data-tf-op="Add" ></circle></g></g>'
    )
    assert _names(n for n in seq.contained_nodes if n) == ["nRelu", "nRelu", "nAdd", "nMaxPool", "nConcat"]
    one = format_graph.one_fragement("<z/>", [12, 20], inner_shape=[10, 20])
    assert (one.shape, one.children[0].shape) == ([12, 20], [10, 20])
    assert [format_graph.alignment_func(n)(10, 4) for n in ["min", "max", "mid"]] == [0, 6, 3.0]
    fragment = format_graph.Fragment("<x/>", [10, 20], None)
    fragment.shift([3, 4])
    assert fragment.box == [[3, 13], [4, 24]] and fragment.render() == '<g transform="translate(3,4)"><x/></g>'


def test_complete_render_model_graph(model, folded):
    render = format_graph.complete_render_model_graph(model)
    assert type(render) is dict and sorted(render) == ["node_boxes", "shape", "svg_inner"]
    assert render["shape"] == [768, 92] and len(render["node_boxes"]) == 83
    svg = render["svg_inner"]
    assert (len(svg), hashlib.sha1(svg.encode()).hexdigest()[:16]) == (51281, "fbb9517aa6967024")
    assert visualizations.get_box(render, "mixed4a") == [[300, 314], [42.0, 62.0]]
    layout = format_graph.parse_graph(folded).render()
    assert (layout.shape, len(layout.fragments)) == ([584, 92], 83)
    custom = format_graph.complete_render_model_graph(model, custom_ops=["LRN"])
    assert (custom["shape"], len(custom["svg_inner"])) == ([804, 92], 52268)
    assert "LRN" not in graph.standard_include_ops  # the original adds it to the default list (a bug)


def test_display_functions(model, monkeypatch):
    shown = []
    monkeypatch.setattr(visualizations, "_display_html", shown.append)
    visualizations.display_model(model)
    assert len(re.findall(r'data-tf-name="', shown[0])) == 83 and "width: 968px; height: 132px" in shown[0]
    visualizations.display_tooltips(".node", "data-tf-name", {"mixed4a": "</script><b>4a</b>"})
    assert shown[1].count("</script>") == 1 and "\\u003c/script\\u003e" in shown[1]
    visualizations.model_align_display(model, model, {("mixed4a", "mixed4b"): 0.5}, middle_sep=100)
    assert shown[2].count("<path d=") == 2 * shown[0].count("<path d=") + 1
    assert "M 307.0,117 C 307.0,167 " in shown[2]
    assert "stroke: hsla(20, 75.0%, 70%, 50.0%); stroke-width: 1.5px;" in shown[2]
    assert visualizations.p([1.5, 2], dy=3) == "1.5,5"
    visualizations.vpad(20)
    assert shown[3] == '<div style="width:20px; height: 20px"></div>'
