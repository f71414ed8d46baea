"""lucid.misc.graph_analysis overlay graphs: filtering, structure parsing, on a tiny Inception-like block and on
the embedded EfficientNet-Lite0."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.misc.graph_analysis import filter_overlay, overlay_graph, parse_overlay
from lucid.modelzoo.vision_models import EfficientNetLite0


def _conv(t, n, name):
    w = tf.constant(np.ones((1, 1, int(t.shape[-1]), n), np.float32))
    return tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(t, w, 1, "SAME"), np.zeros(n, np.float32)), name=name)


@pytest.fixture(scope="module")
def block_graph():
    """input -> stem -> (b1 | b2a -> b2b | pool) -> concat -> reshape (shape computed) -> matmul -> softmax."""
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3], name="input")
        stem = _conv(x, 4, "stem")
        b1 = _conv(stem, 2, "b1")
        b2 = _conv(_conv(stem, 2, "b2a"), 2, "b2b")
        pool = tf.nn.max_pool2d(stem, 3, 1, "SAME", name="pool")
        concat = tf.concat([b1, b2, pool], -1, name="concat")
        flat = tf.reshape(concat, [tf.shape(concat)[0], -1], name="flat")
        tf.nn.softmax(tf.matmul(flat, tf.ones([8 * 8 * 8, 3])), name="out")
    return graph


@pytest.fixture(scope="module")
def simple(block_graph):
    overlay = overlay_graph.OverlayGraph(block_graph)
    return filter_overlay.ops_whitelist(filter_overlay.cut_shapes(filter_overlay.is_dynamic(overlay)))


def test_edges_pass_through_dropped_ops(simple):
    names = [node.name for node in simple.nodes]
    assert names[:3] == ["input", "Conv2D", "stem"] and names[-2:] == ["MatMul", "out"]
    assert "Shape" not in names and "flat" not in names
    assert [n.name for n in simple["MatMul"].inputs] == ["concat"]  # through the Reshape, not its shape input
    assert {n.name for n in simple["concat"].inputs} == {"b1", "b2b", "pool"}
    assert simple["concat"].gcd is simple["stem"] and simple["stem"].lcm is simple["concat"]
    assert simple["input"] in simple["out"].extended_inputs and simple["out"] in simple["stem"].extended_consumers
    assert simple.get_tf_node("pool").type == "MaxPool" and simple["pool"].op == "MaxPool"


def test_filter_without_pass_through_cuts_edges(simple):
    cut = simple.filter(["input", "stem", "concat"], pass_through=False)
    assert cut["concat"].inputs == [] and cut["stem"].inputs == []
    kept = simple.filter(["input", "stem", "concat"])
    assert [n.name for n in kept["concat"].inputs] == ["stem"]


def test_parse_overlay_finds_the_branch(simple):
    parsed = parse_overlay.parse_overlay(simple)
    assert parsed["type"] == "Sequence"
    kinds = [child["type"] for child in parsed["children"]]
    assert kinds == ["Node", "Node", "Node", "Branch", "Node", "Node"]
    branch = parsed["children"][3]
    assert branch["input"] == "stem" and branch["output"]["name"] == "concat"
    firsts = sorted(
        b[0]["children"][-1]["name"] if b[0]["type"] == "Sequence" else b[0]["name"] for b in branch["branches"]
    )
    assert firsts == ["b1", "b2b", "pool"]
    groups = parse_overlay.toplevel_group_data(simple)
    assert groups[3] == {
        "type": "Branch",
        "nodes": ["Conv2D_1", "b1", "Conv2D_2", "b2a", "Conv2D_3", "b2b", "pool", "concat"],
    }


def test_collapse_sequence_folds_conv_bias_relu(block_graph):
    overlay = filter_overlay.is_dynamic(overlay_graph.OverlayGraph(block_graph))
    folded = filter_overlay.collapse_sequence(overlay, ["Conv2D", "BiasAdd", "Relu"])
    names = [node.name for node in folded.nodes]
    assert "stem" in names and "Conv2D" not in names and "BiasAdd" not in names
    assert [n.name for n in folded["stem"].inputs] == ["input"]
    with pytest.raises(ValueError, match="non-empty"):
        filter_overlay.collapse_sequence(overlay, [])


def test_graphviz_draws_groups_and_labels(simple):
    dot = simple.graphviz(groups=[["b1", "b2a"]])
    assert dot.startswith("digraph G {") and 'subgraph cluster_0 {\n    "b1";\n    "b2a";' in dot
    assert '"Conv2D_1" -> "b1";' in dot and '"pool" [label="pool\\nMaxPool"];' in dot


def test_overlay_of_the_embedded_model_parses_residual_blocks():
    overlay = filter_overlay.ops_whitelist(
        filter_overlay.is_dynamic(overlay_graph.OverlayGraph(EfficientNetLite0().graph_def))
    )
    parsed = parse_overlay.parse_overlay(overlay)
    assert parsed["type"] == "Sequence"
    branches = [child for child in parsed["children"] if child["type"] == "Branch"]
    assert len(branches) >= 5  # residual blocks: a skip (empty branch) next to the block's convolutions
    assert all(any(b == [] for b in branch["branches"]) for branch in branches)
    assert parsed["children"][0]["name"].endswith("input") or parsed["children"][0]["op"] == "Placeholder"


def test_bad_graph_type():
    with pytest.raises(TypeError, match="tf.Graph or GraphDef"):
        overlay_graph.OverlayGraph("graph.pb")
