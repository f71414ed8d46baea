"""lucid.misc.graph_analysis against the original Lucid 0.3.10: every expected value below was measured by running
the same calls on the original (with the random-weight InceptionV1 file that has the node names and order of
lucid.testing's builder)."""

import hashlib

import numpy as np
import pytest
import tensorflow as tf

from lucid.misc.graph_analysis import filter_overlay, overlay_graph, parse_overlay, property_inference
from lucid.testing import inception_v1_graph_def


def _names(nodes):
    return [node.name for node in nodes]


def _digest(names):
    return hashlib.sha1("\n".join(names).encode()).hexdigest()[:16]


def _compact(structure):
    """S(...) a Sequence, B(...) a Branch, Ba(...) an auxiliary-head Branch, tensor names without ':0'."""
    if structure["type"] == "Node":
        return structure["name"].replace(":0", "")
    tag = structure["type"][0] + ("a" if "subtype" in structure else "")
    return tag + "(" + " ".join(_compact(child) for child in structure["children"]) + ")"


@pytest.fixture(scope="module")
def graph():
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(inception_v1_graph_def(), name="")
    return graph


@pytest.fixture(scope="module")
def overlay(graph):
    return overlay_graph.OverlayGraph(graph)


@pytest.fixture(scope="module")
def simple(overlay):
    return filter_overlay.ops_whitelist(filter_overlay.is_dynamic(overlay))


@pytest.fixture(scope="module")
def folded(simple):
    return filter_overlay.collapse_sequence(simple, ["Conv2D", "Relu"])


def test_nodes_are_tensors(graph, overlay):
    node = overlay["mixed4a:0"]
    assert overlay[graph.get_tensor_by_name("mixed4a:0")] is node and repr(node) == "<mixed4a:0: Concat>"
    assert node.tf_node is graph.get_tensor_by_name("mixed4a:0") and overlay.get_tf_node(node) is node.tf_node
    assert ("mixed4a:0" in overlay, "mixed4a" in overlay) == (True, False)
    assert len(overlay.nodes) == 370 and _names(overlay.nodes[:3]) == ["input:0", "conv2d0_w:0", "conv2d0_b:0"]
    assert type(node.inputs) is set and type(node.consumers) is set
    inputs = ["mixed4a/concat_dim:0", "mixed4a_1x1:0", "mixed4a_3x3:0", "mixed4a_5x5:0", "mixed4a_pool_reduce:0"]
    assert sorted(_names(node.inputs)) == inputs
    assert (len(node.extended_inputs), len(node.extended_consumers)) == (119, 153)
    with pytest.raises(NotImplementedError):
        overlay_graph.OverlayNode.as_name(3)


def test_filters_follow_the_original(overlay, simple, folded):
    dynamic = filter_overlay.is_dynamic(overlay)
    assert (len(dynamic.nodes), _digest(_names(dynamic.nodes))) == (228, "383d7d595a3b4c45")
    assert (len(simple.nodes), _digest(_names(simple.nodes))) == (154, "7db348ff782fb36f")
    assert _names(folded.nodes)[:7] == [
        "input:0",
        "conv2d0:0",
        "maxpool0:0",
        "conv2d1:0",
        "conv2d2:0",
        "maxpool1:0",
        "mixed3a_1x1:0",
    ]
    assert len(folded.nodes) == 95 and _names(folded.nodes)[-3:] == [
        "softmax1:0",
        "softmax2_pre_activation/matmul:0",
        "softmax2:0",
    ]
    assert filter_overlay.standard_include_ops[-3:] == ["AvgPool", "MatMul", "EwZXy"]
    assert simple.gcd(["mixed4a_1x1:0", "mixed4a_3x3:0"]).name == "maxpool4:0"
    assert simple["maxpool4:0"].lcm.name == "mixed4a:0"
    assert simple.sorted(["mixed4a:0", "conv2d0:0", "mixed3a:0"]) == ["conv2d0:0", "mixed3a:0", "mixed4a:0"]
    kept = simple.filter(["input:0", "mixed3a:0", "mixed4a:0"])
    assert {n.name: _names(n.inputs) for n in kept.nodes} == {
        "input:0": [],
        "mixed3a:0": ["input:0"],
        "mixed4a:0": ["mixed3a:0"],
    }


@pytest.fixture(scope="module")
def shapes_graph():
    with tf.Graph().as_default() as graph:
        c = tf.constant(np.ones((2, 3), np.float32), name="c")
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        s = tf.shape(x, name="sh")
        tf.add(tf.reshape(x * 2.0, tf.stack([s[0], 3], name="stk"), name="r"), c, name="y")
    return graph


def test_is_dynamic_walks_from_the_first_node_and_cut_shapes_cuts(shapes_graph):
    overlay = overlay_graph.OverlayGraph(shapes_graph)
    assert _names(filter_overlay.is_dynamic(overlay).nodes) == ["c:0", "y:0"]  # "c" comes first in this graph
    assert _names(filter_overlay.ops_whitelist(overlay).nodes) == ["x:0"]
    assert sorted(_names(overlay_graph.OverlayGraph(shapes_graph, ["x:0", "c:0", "y:0"])["y:0"].inputs)) == [
        "c:0",
        "x:0",
    ]
    # The original raises TypeError here (a set added to a set); ours cuts the edges through the Shape op.
    cut = filter_overlay.cut_shapes(overlay)
    assert "sh:0" not in cut and _names(cut["strided_slice:0"].inputs) != []
    assert "x:0" not in _names(cut["strided_slice:0"].inputs) and "x:0" in _names(cut["mul:0"].inputs)


def test_graphviz_prints(simple, capsys):
    small = simple.filter(["input:0", "conv2d0:0", "maxpool0:0"])
    assert small.graphviz(groups={small["conv2d0:0"]: [small["input:0"], small["conv2d0:0"]]}) is None
    assert capsys.readouterr().out == (
        'digraph G {\n\n  subgraph "cluster_conv2d0:0" {\n  label = "conv2d0:0"\n    "input:0"\n    "conv2d0:0"\n'
        '  }\n   "input:0"  ->  "conv2d0:0"\n   "conv2d0:0"  ->  "maxpool0:0"\n}\n'
    )


def test_parse_overlay_structures(simple, folded):
    parsed = _compact(parse_overlay.parse_overlay(folded))
    assert parsed.startswith(
        "S(input conv2d0 maxpool0 conv2d1 conv2d2 maxpool1 B(mixed3a_1x1 S(mixed3a_3x3_bottleneck mixed3a_3x3) "
        "S(mixed3a_5x5_bottleneck mixed3a_5x5) S(mixed3a_pool mixed3a_pool_reduce)) mixed3a B(mixed3b_1x1 "
    )
    assert (
        " mixed4a Ba(S(head0_pool head0_bottleneck nn0_pre_relu/matmul nn0 softmax0_pre_activation/matmul "
        "softmax0) S(B(mixed4b_1x1 " in parsed
    )
    assert parsed.endswith(" mixed5b avgpool0 softmax2_pre_activation/matmul softmax2)))))")
    assert len(parsed) == 1537 and parse_overlay.parse_overlay(simple)["type"] == "Sequence"
    sequences = parse_overlay.collapse_sequences(folded)
    assert _names(sequences.nodes)[:3] == ["maxpool1:0", "mixed3a_1x1:0", "mixed3a_3x3:0"]
    branches = parse_overlay.collapse_branches(sequences)
    assert _names(branches.nodes) == [
        "maxpool1:0",
        "mixed3a:0",
        "maxpool4:0",
        "mixed4a:0",
        "mixed4b:0",
        "mixed4c:0",
        "mixed4d:0",
        "maxpool10:0",
        "mixed5a:0",
        "softmax0:0",
        "softmax1:0",
        "softmax2:0",
    ]
    assert branches["mixed3a:0"].sub_structure.structure_type == "HeadBranch"
    assert sorted(branches["mixed3a:0"].sub_structure.structure) == ["branches", "head"]


def test_toplevel_group_data(folded):
    groups = parse_overlay.toplevel_group_data(folded)
    assert list(groups) == ["mixed%s:0" % n for n in ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"]]
    assert groups["mixed4a:0"] == {
        "immediate": ["mixed4a_1x1:0", "mixed4a_3x3:0", "mixed4a_5x5:0", "mixed4a_pool_reduce:0"],
        "all": [
            "mixed4a_1x1:0",
            "mixed4a_3x3_bottleneck:0",
            "mixed4a_3x3:0",
            "mixed4a_5x5_bottleneck:0",
            "mixed4a_5x5:0",
            "mixed4a_pool:0",
            "mixed4a_pool_reduce:0",
            "mixed4a:0",
        ],
        "direction": "backward",
    }


def test_structures_and_flattening(simple):
    structure = overlay_graph.OverlayStructure(
        "Sequence", {"sequence": [simple["conv2d0:0"], simple["maxpool0:0"]], "x": simple["input:0"]}
    )
    assert _names(structure.children) == ["conv2d0:0", "maxpool0:0", "input:0"]
    assert ("conv2d0:0" in structure, simple["input:0"] in structure, "mixed3a:0" in structure) == (True, True, False)
    assert overlay_graph.OverlayStructure("Foo", {"a": simple["input:0"]}).structure_type == "Foo"
    node = {"type": "Node", "name": "%s"}
    nested = {
        "type": "Sequence",
        "children": [
            dict(node, name="a"),
            {"type": "Sequence", "children": [dict(node, name="b"), {"type": "Sequence", "children": [node]}]},
            {"type": "Branch", "children": [{"type": "Sequence", "children": [dict(node, name="d")]}]},
        ],
    }
    flat = parse_overlay.flatten_sequences(nested)
    assert [child.get("name") for child in flat["children"]] == ["a", "b", "%s", None]
    assert flat["children"][3] == nested["children"][2]
    assert (parse_overlay.flatten_sequences("x"), parse_overlay.flatten_sequences(None)) == ("x", None)


def test_reexports_and_as_tensor(graph, simple):
    for module in (parse_overlay, property_inference):
        assert module.OverlayGraph is overlay_graph.OverlayGraph and module.OverlayNode is overlay_graph.OverlayNode
    assert property_inference.as_tensor(simple["mixed4a:0"]) is graph.get_tensor_by_name("mixed4a:0")
    assert property_inference.as_tensor("mixed4a:0") is None  # the original returns None for anything else
    assert property_inference.infer_data_format(simple["mixed4a:0"]) == "NHWC"


def test_bad_graph_type():
    with pytest.raises(TypeError, match="tf.Graph or GraphDef"):
        overlay_graph.OverlayGraph("graph.pb")


def test_deep_chains_do_not_hit_the_recursion_limit():
    """The original recurses once per left-out tensor and raises RecursionError here."""
    with tf.Graph().as_default() as graph:
        t = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        for i in range(3000):
            t = tf.identity(t, name="id%d" % i)
    overlay = overlay_graph.OverlayGraph(graph, ["x:0", "id2999:0"])
    assert _names(overlay["id2999:0"].inputs) == ["x:0"]
