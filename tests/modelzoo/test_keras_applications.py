"""One member of every keras.applications family (random weights, small input sizes) converts with its known
preprocessing, holds only plain ops, computes what Keras computes, and renders a middle-layer channel and a class
logit at the sizes users ask for: any-size models from their minimum up, fixed-size models at any size."""

import warnings

import numpy as np
import pytest
import tensorflow as tf

from lucid.modelzoo.vision_base import Model
from lucid.optvis import param, render

keras = pytest.importorskip("keras")
apps = keras.applications

slow = pytest.mark.slow

# (constructor, its preprocess_input, native side used here, smallest side Keras allows, extra arguments)
FAMILIES = [
    pytest.param(apps.MobileNet, apps.mobilenet.preprocess_input, 64, 32, dict(alpha=0.25), id="MobileNet"),
    pytest.param(apps.MobileNetV2, apps.mobilenet_v2.preprocess_input, 64, 32, dict(alpha=0.35), id="MobileNetV2"),
    pytest.param(apps.MobileNetV3Small, apps.mobilenet_v3.preprocess_input, 64, 32, {}, id="MobileNetV3"),
    pytest.param(apps.EfficientNetB0, apps.efficientnet.preprocess_input, 64, 32, {}, id="EfficientNet", marks=slow),
    pytest.param(apps.ResNet50, apps.resnet.preprocess_input, 64, 32, {}, id="ResNet", marks=slow),
    pytest.param(apps.VGG16, apps.vgg16.preprocess_input, 64, 32, {}, id="VGG", marks=slow),
    pytest.param(
        apps.EfficientNetV2B0, apps.efficientnet_v2.preprocess_input, 64, 32, {}, id="EfficientNetV2", marks=slow
    ),
    pytest.param(apps.ResNet50V2, apps.resnet_v2.preprocess_input, 64, 32, {}, id="ResNetV2", marks=slow),
    pytest.param(apps.DenseNet121, apps.densenet.preprocess_input, 64, 32, {}, id="DenseNet", marks=slow),
    pytest.param(apps.InceptionV3, apps.inception_v3.preprocess_input, 96, 75, {}, id="InceptionV3", marks=slow),
    pytest.param(
        apps.InceptionResNetV2,
        apps.inception_resnet_v2.preprocess_input,
        96,
        75,
        {},
        id="InceptionResNetV2",
        marks=slow,
    ),
    pytest.param(apps.Xception, apps.xception.preprocess_input, 80, 71, {}, id="Xception", marks=slow),
    pytest.param(apps.NASNetMobile, apps.nasnet.preprocess_input, 64, 32, {}, id="NASNet", marks=slow),
    pytest.param(apps.ConvNeXtTiny, apps.convnext.preprocess_input, 64, 32, {}, id="ConvNeXt", marks=slow),
]


def render_once(model, objective, size):
    height, width = (size, size) if isinstance(size, int) else size
    (image,) = render.render_vis(
        model, objective, param_f=lambda: param.image(width, h=height), thresholds=(1,), verbose=False
    )
    assert image.shape == (1, height, width, 3) and np.all(np.isfinite(image))


def middle_layer(model):
    """A top-level conv layer near the middle of the network."""
    convs = [
        layer
        for layer in model.layers
        if "conv" in layer.tags and "/" not in layer.name and not layer.name.endswith("_pre_activation")
    ]
    return convs[len(convs) // 2]


@pytest.mark.parametrize("constructor, preprocess_input, native, minimum, kwargs", FAMILIES)
def test_family_converts_computes_and_renders(constructor, preprocess_input, native, minimum, kwargs):
    keras.utils.set_random_seed(0)
    net = constructor(weights=None, input_shape=(native, native, 3), classes=10, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the family's preprocessing is known: no guessing warning
        model = Model.from_keras(net)
    assert not model.graph_def.library.function
    assert not {node.op for node in model.graph_def.node} & {"PartitionedCall", "StatefulPartitionedCall"}
    # Keras names the classifier "predictions", except ConvNeXt ("convnext_tiny_head_dense").
    head = "predictions" if net.name != "convnext_tiny" else "convnext_tiny_head_dense"
    logits = model.get_layer(head + "_pre_activation")
    assert logits.depth == 10 and logits.tags == {"dense"}
    middle = middle_layer(model)

    # Lucid's [0, 1] image through the known preprocessing equals Keras on preprocess_input(255 * image).
    images = np.random.RandomState(0).rand(2, native, native, 3).astype(np.float32)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, native, native, 3])
        T = model.import_graph(t_input)
        ours = sess.run({"middle": T(middle.name), "logits": T(logits.name)}, {t_input: images})
    probe = keras.Model(net.inputs[0], [net.get_layer(middle.name).output, net.get_layer(head).output])
    theirs = probe(preprocess_input(images * 255.0), training=False)
    scale = np.abs(np.asarray(theirs[0])).max()
    np.testing.assert_allclose(ours["middle"] / scale, np.asarray(theirs[0]) / scale, atol=2e-4)
    np.testing.assert_allclose(tf.nn.softmax(ours["logits"]).numpy(), np.asarray(theirs[1]), atol=1e-4)

    render_once(model, "{}:1".format(middle.name), minimum)
    render_once(model, logits.name + ":3", (minimum + 5, native + 17))
    if model.size_support.accepts_any_size:
        assert model.size_support.min_size <= minimum
    if model.size_support.accepts_any_size and model.size_support.min_size > 1:
        too_small = model.size_support.min_size - 1
        with pytest.raises(ValueError, match="at least {0} x {0}".format(model.size_support.min_size)):
            render_once(model, "{}:1".format(middle.name), too_small)


@slow
@pytest.mark.parametrize("constructor", [apps.VGG16, apps.NASNetMobile, apps.ResNet50], ids=["VGG", "NASNet", "ResNet"])
def test_native_size_model_renders_at_every_size(constructor):
    """Built at the ImageNet size 224: the issue's sizes {minimum, 64, 128, native, 300, non-square}."""
    keras.utils.set_random_seed(0)
    model = Model.from_keras(constructor(weights=None, classes=10))
    middle = middle_layer(model)
    for size in [32, 64, 128, 224, 300, (96, 160)]:
        render_once(model, "{}:1".format(middle.name), size)
        render_once(model, "predictions_pre_activation:3", size)


def test_nested_backbone_layers_are_visible():
    keras.utils.set_random_seed(0)
    backbone = apps.MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35, include_top=False)
    net = keras.Sequential(
        [keras.Input((32, 32, 3)), backbone, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(4, name="head")]
    )
    model = Model.from_keras(net)  # the preprocessing of the backbone it starts with
    assert (model.image_value_range, model.is_BGR) == ((-1, 1), False)
    inner = model.get_layer(backbone.name + "/block_3_expand_relu")
    assert inner.depth == backbone.get_layer("block_3_expand_relu").output.shape[-1]
    images = np.random.RandomState(1).rand(2, 32, 32, 3).astype(np.float32)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3])
        T = model.import_graph(t_input)
        ours = sess.run([T(inner.name), T("head")], {t_input: images})
    probe = keras.Model(backbone.inputs[0], backbone.get_layer("block_3_expand_relu").output)
    np.testing.assert_allclose(ours[0], np.asarray(probe(images * 2 - 1, training=False)), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours[1], np.asarray(net(images * 2 - 1, training=False)), rtol=1e-4, atol=1e-4)
    render_once(model, inner.name + ":2", 48)


@slow
def test_saved_model_and_function_of_a_keras_application(tmp_path):
    keras.utils.set_random_seed(0)
    net = apps.MobileNetV2(weights=None, input_shape=(64, 64, 3), alpha=0.35, classes=10)
    net.export(str(tmp_path / "saved"), verbose=False)
    from_saved = Model.from_saved_model(str(tmp_path / "saved"), image_value_range=(-1, 1))
    from_function = Model.from_function(
        lambda x: net(x, training=False), tf.TensorSpec([None, 64, 64, 3]), image_value_range=(-1, 1)
    )
    images = np.random.RandomState(2).rand(2, 64, 64, 3).astype(np.float32)
    expected = np.asarray(net(images * 2 - 1, training=False))
    for model in [from_saved, from_function]:
        graph_def = model.graph_def
        assert not graph_def.library.function
        assert not {node.op for node in graph_def.node} & {"PartitionedCall", "StatefulPartitionedCall"}
        (output,) = [layer.name for layer in model.layers]
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            t_input = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 3])
            np.testing.assert_allclose(
                sess.run(model.import_graph(t_input)(output), {t_input: images}), expected, atol=1e-5
            )
        render_once(model, output + ":3", 32)
        render_once(model, output + ":3", (48, 80))
