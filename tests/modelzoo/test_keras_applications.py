"""One member of every keras.applications family (random weights, small input sizes) converts with its known
preprocessing, holds only plain ops, computes what Keras computes, and renders a middle-layer channel and a class
logit at the issue's sizes: any-size models from their minimum up, fixed-size models at any size."""

import collections
import warnings

import numpy as np
import pytest
import tensorflow as tf

from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives, param, render

keras = pytest.importorskip("keras")
apps = keras.applications

slow = pytest.mark.slow

# name: (constructor, its preprocess_input, native side it is built at here, smallest side Keras allows, arguments).
# Native sides of 64 or 128 are among the sizes rendered anyway, so they cost no render of their own.
FAMILIES = {
    "MobileNet": (apps.MobileNet, apps.mobilenet.preprocess_input, 64, 32, dict(alpha=0.25)),
    "MobileNetV2": (apps.MobileNetV2, apps.mobilenet_v2.preprocess_input, 64, 32, dict(alpha=0.35)),
    "MobileNetV3": (apps.MobileNetV3Small, apps.mobilenet_v3.preprocess_input, 64, 32, {}),
    "EfficientNet": (apps.EfficientNetB0, apps.efficientnet.preprocess_input, 64, 32, {}),
    "EfficientNetV2": (apps.EfficientNetV2B0, apps.efficientnet_v2.preprocess_input, 64, 32, {}),
    "ResNet": (apps.ResNet50, apps.resnet.preprocess_input, 64, 32, {}),
    "ResNetV2": (apps.ResNet50V2, apps.resnet_v2.preprocess_input, 64, 32, {}),
    "VGG": (apps.VGG16, apps.vgg16.preprocess_input, 64, 32, {}),
    "DenseNet": (apps.DenseNet121, apps.densenet.preprocess_input, 64, 32, {}),
    "InceptionV3": (apps.InceptionV3, apps.inception_v3.preprocess_input, 128, 75, {}),
    "InceptionResNetV2": (apps.InceptionResNetV2, apps.inception_resnet_v2.preprocess_input, 128, 75, {}),
    "Xception": (apps.Xception, apps.xception.preprocess_input, 128, 71, {}),
    "NASNet": (apps.NASNetMobile, apps.nasnet.preprocess_input, 64, 32, {}),
    "ConvNeXt": (apps.ConvNeXtTiny, apps.convnext.preprocess_input, 64, 32, {}),
}
# Their graphs only run at the native size (a Flatten + Dense head; NASNet's cell alignments): images are fitted.
FIXED_SIZE = {"VGG", "NASNet"}


def families(fast):
    """The families as parameters of the `family` fixture, all but those in `fast` marked slow."""
    return [pytest.param(name, id=name, marks=() if name in fast else slow) for name in FAMILIES]


Family = collections.namedtuple(
    "Family", ["name", "net", "model", "warnings", "head", "preprocess_input", "native", "keras_minimum"]
)


@pytest.fixture(scope="module")
def family(request):
    """A family's network, built and converted once for every test of this module that takes it (pytest runs the
    tests of one parameter of a module-scoped fixture in a row, then drops it)."""
    constructor, preprocess_input, native, keras_minimum, kwargs = FAMILIES[request.param]
    keras.utils.set_random_seed(0)
    net = constructor(weights=None, input_shape=(native, native, 3), classes=10, **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = Model.from_keras(net)
    # Keras names the classifier "predictions", except ConvNeXt ("convnext_tiny_head_dense").
    head = "predictions" if net.name != "convnext_tiny" else "convnext_tiny_head_dense"
    caught = [str(w.message) for w in caught]
    return Family(request.param, net, model, caught, head, preprocess_input, native, keras_minimum)


def render_once(model, objective, size):
    height, width = size
    (image,) = render.render_vis(
        model, objective, param_f=lambda: param.image(width, h=height), thresholds=(0,), verbose=False
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


@pytest.mark.parametrize("family", families(fast={"MobileNet", "MobileNetV2", "MobileNetV3"}), indirect=True)
def test_family_converts_and_computes_what_keras_computes(family):
    net, model, native = family.net, family.model, family.native
    assert family.warnings == []  # the family's preprocessing is known: no guessing warning
    assert not model.graph_def.library.function
    assert not {node.op for node in model.graph_def.node} & {"PartitionedCall", "StatefulPartitionedCall"}
    if model.size_support.accepts_any_size:
        assert model.size_support.min_size <= family.keras_minimum  # every size Keras builds at renders
    logits = model.get_layer(family.head + "_pre_activation")
    assert logits.depth == 10 and logits.tags == {"dense"}
    middle = middle_layer(model)

    # Lucid's [0, 1] image through the known preprocessing equals Keras on preprocess_input(255 * image); at the
    # minimum (1 px for a fixed-size model, fitted to its native size) every layer still sees something.
    images = np.random.RandomState(0).rand(2, native, native, 3).astype(np.float32)
    smallest = model.size_support.min_size if model.size_support.accepts_any_size else 1
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_input)
        ours = sess.run({"middle": T(middle.name), "logits": T(logits.name)}, {t_input: images})
        at_minimum = sess.run([T(middle.name), T(logits.name)], {t_input: images[:1, :smallest, :smallest]})
    assert all(value.size and np.isfinite(value).all() for value in at_minimum)
    probe = keras.Model(net.inputs[0], [net.get_layer(middle.name).output, net.get_layer(family.head).output])
    theirs = probe(family.preprocess_input(images * 255.0), training=False)
    scale = np.abs(np.asarray(theirs[0])).max()
    np.testing.assert_allclose(ours["middle"] / scale, np.asarray(theirs[0]) / scale, atol=2e-4)
    np.testing.assert_allclose(tf.nn.softmax(ours["logits"]).numpy(), np.asarray(theirs[1]), atol=1e-4)


@pytest.mark.parametrize("family", families(fast={"MobileNetV2"}), indirect=True)
def test_family_renders_at_every_size(family):
    """The issue's sizes {minimum, 64, 128, native, 300, non-square}, one render each of a middle-layer channel plus
    a class logit; a size below an any-size model's minimum is a ValueError naming it. Fixed-size models accept
    every size (their minimum is 1): the image is fitted to their native size."""
    model, native = family.model, family.native
    support = model.size_support
    assert support.accepts_any_size == (family.name not in FIXED_SIZE)
    minimum = support.min_size if support.accepts_any_size else 1
    objective = objectives.channel(middle_layer(model).name, 1) + objectives.channel(family.head + "_pre_activation", 3)
    sizes = [(side, side) for side in dict.fromkeys([minimum, 64, 128, native, 300])] + [(minimum + 5, native + 17)]
    if minimum > 1:
        sizes.append((minimum - 1, minimum - 1))
    for size in sizes:
        if min(size) < minimum:
            with pytest.raises(ValueError, match="at least {0} x {0} pixels".format(minimum)):
                render_once(model, objective, size)
        else:
            render_once(model, objective, size)


@slow
def test_vgg16_built_at_imagenet_size_renders():
    """The issue's first failure: VGG16 built at 224 px, whose Flatten head needs exactly that size, rendered with
    the standard transforms ("Input to reshape is a tensor with 18432 values, but the requested shape has 25088")."""
    keras.utils.set_random_seed(0)
    model = Model.from_keras(apps.VGG16(weights=None, classes=10))
    objective = objectives.channel(middle_layer(model).name, 1) + objectives.channel("predictions_pre_activation", 3)
    for size in [(224, 224), (96, 160)]:
        render_once(model, objective, size)


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
    render_once(model, inner.name + ":2", (48, 48))
