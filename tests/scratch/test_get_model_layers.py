"""lucid.scratch.scripts.get_model_layers on the random-weight InceptionV1 (same node names as the original's),
expected values measured with the original on the same graph."""

import pytest

from lucid.scratch.scripts import get_model_layers
from lucid.testing import random_inception_v1

# What the original's propose_layers returns for InceptionV1 (names of the NodeDefs, in graph order).
PROPOSED = [
    "conv2d0", "conv2d1", "conv2d2", "mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e",
    "mixed5a", "mixed5b", "head0_bottleneck", "nn0", "softmax0", "head1_bottleneck", "nn1", "softmax1", "softmax2",
]  # fmt: skip


@pytest.fixture(scope="module")
def inception():
    return random_inception_v1()


def test_propose_layers_as_the_original(inception):
    assert [node.name for node in get_model_layers.propose_layers(inception.graph_def)] == PROPOSED


def test_predecessors_and_branch_nodes_as_the_original(inception):
    graph_def = inception.graph_def
    before = get_model_layers.predecessors(graph_def, "mixed3a")
    assert isinstance(before, list) and len(before) == len(set(before)) == 52
    assert sorted(before)[:5] == ["conv2d0", "conv2d0_b", "conv2d0_pre_relu", "conv2d0_pre_relu/conv", "conv2d0_w"]
    concat = next(node for node in graph_def.node if node.name == "mixed3a")
    branches = get_model_layers.get_branch_nodes(graph_def, concat)
    assert len(branches) == 32 and "mixed3a/concat_dim" in branches and "conv2d2" not in branches


def test_print_model_layer_code(inception, capsys):
    # The original raises NameError here (its module never imports tf or np): see docs/differences.md.
    get_model_layers.print_model_layer_code(inception)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "layers = [" and lines[-1] == " ]" and len(lines) == len(PROPOSED) + 2
    assert lines[4] == "   {'name': 'mixed3a', 'type': 'conv', 'size': 256} ,"
    assert lines[-2] == "   {'name': 'softmax2', 'type': 'dense', 'size': 1008} ,"
