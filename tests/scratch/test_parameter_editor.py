"""lucid.scratch.parameter_editor: edits of a model's weights reach the graph the model imports."""

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import TinyConvNet, layer_values

from lucid.modelzoo.vision_models import EfficientNetLite0
from lucid.scratch.parameter_editor import ParameterEditor


def test_editing_a_filter_changes_only_that_channel():
    model = TinyConvNet()
    images = np.random.RandomState(0).uniform(size=(2, 32, 32, 3)).astype(np.float32)
    before = layer_values(model, "conv1", images)
    editor = ParameterEditor(model.graph_def)
    original = editor["Const"].copy()
    editor["Const", :, :, :, 0] *= 0
    editor["BiasAdd/bias", 0] = -1.0
    assert (editor["Const"][..., 0] == 0).all() and np.array_equal(editor["Const"][..., 1:], original[..., 1:])
    after = layer_values(model, "conv1", images)
    assert (after[..., 0] == 0).all() and before[..., 0].max() > 0
    np.testing.assert_array_equal(after[..., 1:], before[..., 1:])


def test_whole_array_assignment_checks_shape_and_names():
    editor = ParameterEditor(TinyConvNet().graph_def)
    with pytest.raises(ValueError, match="shape"):
        editor["Const"] = np.zeros((3, 3))
    with pytest.raises(KeyError, match="not a constant"):
        editor["conv1"]
    with pytest.raises(TypeError, match="GraphDef"):
        ParameterEditor(TinyConvNet())
    editor["Const"] = np.ones((3, 3, 3, 8))
    assert editor["Const"].dtype == np.float32 and editor["Const"].sum() == 216


def test_embedded_model_constants_are_editable():
    editor = ParameterEditor(EfficientNetLite0().graph_def)
    name = max(editor.keys(), key=lambda k: editor[k].size)
    weights = editor[name]
    editor[name] = weights * 2
    np.testing.assert_array_equal(editor[name], weights * 2)


def test_an_edited_graph_def_gets_the_originals_marker_node_once():
    graph_def = TinyConvNet().graph_def
    count = len(graph_def.node)
    ParameterEditor(graph_def)
    ParameterEditor(graph_def)
    assert len(graph_def.node) == count + 1
    marker = graph_def.node[-1]  # as the original's: tf.constant(True, name="lucid_is_edited")
    assert marker.name == "lucid_is_edited" and marker.op == "Const" and not marker.input
    assert marker.attr["dtype"].type == tf.bool.as_datatype_enum
    tensor = marker.attr["value"].tensor
    assert tensor.dtype == tf.bool.as_datatype_enum and list(tensor.bool_val) == [True]
    assert not tensor.tensor_shape.dim
