"""Model.from_function and Model.from_saved_model of Keras networks: the frozen graph keeps no function call (Keras
runs grouped convolutions on CPU in an XLA-compiled function that freezing does not inline), computes what Keras
computes and renders; and the inliner that removes such calls, on a hand-made graph with nested calls."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.modelzoo.converters import inline_function_calls
from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR, Model
from lucid.optvis import param, render

keras = pytest.importorskip("keras")
apps = keras.applications

CALLS = {"PartitionedCall", "StatefulPartitionedCall"}


def converted(net, tmp_path, side, image_value_range, is_BGR=False):
    """{converter: Model} of `net` through from_function and from_saved_model."""
    path = str(tmp_path / net.name)
    net.export(path, verbose=False)
    spec = tf.TensorSpec([None, side, side, 3])
    return {
        "function": Model.from_function(lambda x: net(x, training=False), spec, image_value_range, is_BGR=is_BGR),
        "saved_model": Model.from_saved_model(path, image_value_range=image_value_range, is_BGR=is_BGR),
    }


def check_plain_equal_and_renders(model, images, expected, sizes, atol):
    """No function call is left; the single output equals Keras's on `images`; a channel renders at `sizes`."""
    assert not model.graph_def.library.function
    assert not {node.op for node in model.graph_def.node} & CALLS
    (output,) = [layer.name for layer in model.layers]
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, *images.shape[1:]])
        ours = sess.run(model.import_graph(t_input)(output), {t_input: images})
    scale = np.abs(expected).max()
    np.testing.assert_allclose(ours / scale, expected / scale, atol=atol)
    for size in sizes:
        height, width = (size, size) if isinstance(size, int) else size
        param_f = lambda width=width, height=height: param.image(width, h=height)  # noqa: E731
        (image,) = render.render_vis(model, output + ":1", param_f=param_f, thresholds=(1,), verbose=False)
        assert image.shape == (1, height, width, 3) and np.all(np.isfinite(image))


def test_grouped_convolution_model_through_both_converters(tmp_path):
    """A depthwise Conv2D(groups=C) and a grouped one, as in ConvNeXt blocks."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((24, 24, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", name="stem")(inputs)
    x = keras.layers.Conv2D(8, 5, padding="same", groups=8, name="depthwise")(x)
    x = keras.layers.Conv2D(8, 3, strides=2, groups=2, activation="gelu", name="grouped")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    net = keras.Model(inputs, keras.layers.Dense(5, name="logits")(x), name="grouped_net")
    images = np.random.RandomState(0).rand(2, 24, 24, 3).astype(np.float32)
    expected = np.asarray(net(images, training=False))
    for model in converted(net, tmp_path, 24, (0, 1)).values():
        check_plain_equal_and_renders(model, images, expected, [24, (20, 36)], atol=1e-5)


def nested_call_graph():
    """GraphDef of y = outer(x) where outer calls inner (two outputs, one read with a control input on an
    argument) through PartitionedCall nodes, the function library holding both; and outer's gradient."""

    @tf.function
    def inner(a, b):
        return tf.nn.relu(a * b), a - b

    @tf.function
    def outer(x):
        with tf.control_dependencies([x]):
            scale = tf.constant(3.0)
        product, difference = inner(x, scale)
        return product + tf.sin(difference)

    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        tf.identity(outer(x), name="y")
    return graph.as_graph_def(), lambda v: np.maximum(v * 3, 0) + np.sin(v - 3), lambda v: 3.0 * (v > 0) + np.cos(v - 3)


def test_inliner_flattens_nested_calls():
    graph_def, forward, gradient = nested_call_graph()
    ops = [node.op for node in graph_def.node]
    assert ops.count("StatefulPartitionedCall") + ops.count("PartitionedCall") == 1
    assert len(graph_def.library.function) == 2

    flat = inline_function_calls(graph_def)
    assert not flat.library.function and not {node.op for node in flat.node} & CALLS
    values = np.linspace(-2, 2, 8, dtype=np.float32).reshape(2, 4)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        (y,) = tf.compat.v1.import_graph_def(flat, {"x": x}, return_elements=["y:0"])
        result, grad = sess.run([y, tf.gradients(tf.reduce_sum(y), x)[0]], {x: values})
    np.testing.assert_allclose(result, forward(values), rtol=1e-5)
    np.testing.assert_allclose(grad, gradient(values), rtol=1e-5)


def test_inliner_keeps_a_call_of_an_unknown_function():
    graph_def, _, _ = nested_call_graph()
    del graph_def.library.function[:]
    flat = inline_function_calls(graph_def)
    assert [node.op for node in flat.node if node.op in CALLS] == [
        node.op for node in graph_def.node if node.op in CALLS
    ]


# Caffe-style BGR input, mean-subtracted 0-255, as VGG and ResNet take it.
CAFFE = ((-IMAGENET_MEAN_BGR).tolist(), (255 - IMAGENET_MEAN_BGR).tolist())


def test_inliner_keeps_a_recursive_call():
    """A function that calls itself (as a stranger's SavedModel may hold) is not inlined forever."""
    graph_def, _, _ = nested_call_graph()
    (top_call,) = [node for node in graph_def.node if node.op in CALLS]
    outer = next(f for f in graph_def.library.function if f.signature.name == top_call.attr["f"].func.name)
    (inner_call,) = [node for node in outer.node_def if node.op in CALLS]
    inner_call.attr["f"].func.name = outer.signature.name
    del inner_call.input[1:]  # outer takes one argument
    flat = inline_function_calls(graph_def)
    assert [node.attr["f"].func.name for node in flat.node if node.op in CALLS] == [outer.signature.name]


SLOW_FAMILIES = [
    # (constructor, its preprocess_input, image_value_range and is_BGR of the converted model, input side)
    pytest.param(apps.ConvNeXtTiny, apps.convnext.preprocess_input, (0, 255), False, 64, id="ConvNeXt"),
    pytest.param(apps.NASNetMobile, apps.nasnet.preprocess_input, (-1, 1), False, 64, id="NASNet"),
    pytest.param(apps.VGG16, apps.vgg16.preprocess_input, CAFFE, True, 48, id="VGG"),
    pytest.param(apps.EfficientNetB0, apps.efficientnet.preprocess_input, (0, 255), False, 64, id="EfficientNet"),
]


@pytest.mark.slow
@pytest.mark.parametrize("constructor, preprocess_input, value_range, is_BGR, side", SLOW_FAMILIES)
def test_keras_application_through_both_converters(tmp_path, constructor, preprocess_input, value_range, is_BGR, side):
    """Grouped convolutions (ConvNeXt), a size-constrained model (NASNet), a fixed-size one (VGG's Flatten head)
    and one with its own Rescaling (EfficientNet). Lucid's [0, 1] image in the family's preprocessing equals Keras
    on preprocess_input(255 * image)."""
    keras.utils.set_random_seed(0)
    net = constructor(weights=None, input_shape=(side, side, 3), classes=10)
    images = np.random.RandomState(0).rand(2, side, side, 3).astype(np.float32)
    expected = np.asarray(net(preprocess_input(images * 255.0), training=False))
    for model in converted(net, tmp_path, side, value_range, is_BGR).values():
        check_plain_equal_and_renders(model, images, expected, [side, (side - 8, side + 24)], atol=1e-4)
