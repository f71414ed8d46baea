"""Model.from_keras / from_saved_model / from_function: small models built here, frozen, compared and rendered."""

import pickle
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from lucid.misc.io import save
from lucid.modelzoo.converters import ConvertedModel
from lucid.modelzoo.vision_base import Model
from lucid.optvis import param, render

TOLERANCE = dict(rtol=1e-4, atol=1e-4)


def lucid_values(model, names, images):
    """Values of the named tensors of `model` on `images` (already in the model's value range when it is (0, 1))."""
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None] + list(images.shape[1:]))
        T = model.import_graph(t_input)
        return sess.run({name: T(name) for name in names}, {t_input: images})


def keras_values(keras_model, names, images):
    """The same layers through Keras itself, in inference mode."""
    probe = keras.Model(keras_model.inputs[0], [keras_model.get_layer(name).output for name in names])
    outputs = probe(images, training=False)
    return dict(zip(names, [np.asarray(output) for output in outputs]))


def render_channel(model, objective, param_f):
    images = render.render_vis(model, objective, param_f=param_f, thresholds=(3,), verbose=False)
    assert len(images) == 1 and np.all(np.isfinite(images[0]))
    assert images[0].min() >= 0 and images[0].max() <= 1
    return images[0]


@pytest.fixture(scope="module")
def mnist_keras():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, activation="softmax", name="predictions"),
        ],
        name="mnist",
    )


@pytest.fixture(scope="module")
def mnist(mnist_keras):
    return Model.from_keras(mnist_keras, image_value_range=(0, 1))


@pytest.fixture(scope="module")
def functional_keras():
    """Non-square input; batch norm with non-trivial moving statistics, so inference mode matters."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((32, 48, 3), name="image")
    x = keras.layers.Conv2D(8, 3, padding="same", use_bias=False, name="stem")(inputs)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    x = keras.layers.ReLU(6.0, name="stem_relu")(x)
    y = keras.layers.DepthwiseConv2D(3, padding="same", name="dw")(x)
    y = keras.layers.Activation("swish", name="dw_swish")(y)
    x = keras.layers.Add(name="residual")([x, y])
    z = keras.layers.SeparableConv2D(8, 3, padding="same", name="sep")(x)
    x = keras.layers.Concatenate(name="concat")([x, z])
    x = keras.layers.AveragePooling2D(2, name="avg")(x)
    x = keras.layers.UpSampling2D(name="up")(x)
    x = keras.layers.LeakyReLU(name="leaky")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dropout(0.5, name="dropout")(x)
    outputs = keras.layers.Dense(5, name="logits")(x)
    model = keras.Model(inputs, outputs, name="functional_net")
    bn = model.get_layer("stem_bn")
    rng = np.random.RandomState(0)
    bn.set_weights([rng.uniform(0.5, 2, 8), rng.normal(0, 1, 8), rng.normal(0, 1, 8), rng.uniform(0.5, 2, 8)])
    return model


@pytest.fixture(scope="module")
def functional(functional_keras):
    return Model.from_keras(functional_keras, image_value_range=(0, 1))


# --- Keras: layers, values, rendering ----------------------------------------------------------------------------


def test_sequential_layers_and_metadata(mnist):
    assert isinstance(mnist, ConvertedModel) and mnist.name == "mnist"
    assert [(layer.name, layer.depth, layer.tags) for layer in mnist.layers] == [
        ("conv1_pre_activation", 8, {"conv"}),
        ("conv1", 8, {"conv"}),
        ("pool1", 8, {"conv"}),
        ("conv2_pre_activation", 16, {"conv"}),
        ("conv2", 16, {"conv"}),
        ("flatten", 11 * 11 * 16, {"dense"}),
        ("predictions_pre_activation", 10, {"dense"}),
        ("predictions", 10, {"dense"}),
    ]
    assert (mnist.input_name, mnist.image_shape, mnist.image_value_range) == ("input", [28, 28, 1], (0, 1))
    assert mnist.layers[0].model_name == "mnist"


def test_sequential_values_equal_keras(mnist, mnist_keras):
    images = np.random.rand(3, 28, 28, 1).astype(np.float32)
    names = ["conv1", "conv2", "predictions"]
    ours, theirs = lucid_values(mnist, names, images), keras_values(mnist_keras, names, images)
    for name in names:
        np.testing.assert_allclose(ours[name], theirs[name], **TOLERANCE)


def test_grayscale_model_renders_with_one_or_three_channels(mnist):
    gray = render_channel(mnist, "conv2:3", lambda: param.image(28, channels=1))
    assert gray.shape == (1, 28, 28, 1)
    rgb = render_channel(mnist, "conv2:3", lambda: param.grayscale_image_rgb(28))
    assert rgb.shape == (1, 28, 28, 3)
    np.testing.assert_array_equal(rgb[..., 0], rgb[..., 2])
    images = np.random.rand(2, 28, 28, 1).astype(np.float32)
    np.testing.assert_allclose(
        lucid_values(mnist, ["conv1"], np.tile(images, [1, 1, 1, 3]))["conv1"],
        lucid_values(mnist, ["conv1"], images)["conv1"],
        **TOLERANCE,
    )


def test_reloaded_grayscale_model_takes_rgb_images(mnist, tmp_path):
    path = str(tmp_path / "mnist.pb")
    mnist.export(path)
    reloaded = Model.load(path)
    assert type(reloaded) is not type(mnist) and reloaded.image_shape[-1] == 1
    rgb = render_channel(reloaded, "conv2:3", lambda: param.image(28))
    assert rgb.shape == (1, 28, 28, 3) and np.isfinite(rgb).all()
    images = np.random.rand(2, 28, 28, 1).astype(np.float32)
    np.testing.assert_allclose(
        lucid_values(reloaded, ["conv1"], np.tile(images, [1, 1, 1, 3]))["conv1"],
        lucid_values(mnist, ["conv1"], images)["conv1"],
        **TOLERANCE,
    )


def test_functional_values_equal_keras_in_inference_mode(functional, functional_keras):
    images = np.random.rand(2, 32, 48, 3).astype(np.float32)
    names = ["stem", "stem_bn", "stem_relu", "dw_swish", "residual", "sep", "concat", "up", "leaky", "gap", "logits"]
    ours, theirs = lucid_values(functional, names, images), keras_values(functional_keras, names, images)
    for name in names:
        np.testing.assert_allclose(ours[name], theirs[name], err_msg=name, **TOLERANCE)
    gamma, beta, moving_mean, moving_var = functional_keras.get_layer("stem_bn").get_weights()
    stem, eps = ours["stem"], functional_keras.get_layer("stem_bn").epsilon
    inference = gamma * (stem - moving_mean) / np.sqrt(moving_var + eps) + beta
    training = gamma * (stem - stem.mean((0, 1, 2))) / np.sqrt(stem.var((0, 1, 2)) + eps) + beta
    np.testing.assert_allclose(ours["stem_bn"], inference, **TOLERANCE)
    assert not np.allclose(ours["stem_bn"], training, atol=1e-2)
    assert functional.image_shape == [32, 48, 3]
    assert functional.get_layer("concat").depth == 16 and functional.get_layer("gap").tags == {"dense"}


def test_gradients_equal_keras_through_custom_gradient_ops(functional, functional_keras):
    """swish is a tf.custom_gradient op: the frozen graph must still differentiate it correctly."""
    images = np.random.rand(1, 32, 48, 3).astype(np.float32)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [1, 32, 48, 3])
        T = functional.import_graph(t_input)
        ours = sess.run(tf.gradients(tf.reduce_sum(T("dw_swish")), t_input)[0], {t_input: images})
    probe = keras.Model(functional_keras.inputs[0], functional_keras.get_layer("dw_swish").output)
    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(probe(x, training=False))
    np.testing.assert_allclose(ours, tape.gradient(total, x).numpy(), **TOLERANCE)


def test_functional_non_square_render(functional):
    image = render_channel(functional, "concat:12", lambda: param.image(48, h=32))
    assert image.shape == (1, 32, 48, 3)


def test_keras_applications_mobilenet_v2():
    model_keras = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None)
    model = Model.from_keras(model_keras, image_value_range=(-1, 1))
    layer = model.get_layer("block_3_expand_relu")
    assert layer.depth == model_keras.get_layer("block_3_expand_relu").output.shape[-1] and layer.tags == {"conv"}
    assert model.layers[-1].name == "predictions" and model.layers[-1].depth == 1000
    images = np.random.rand(2, 96, 96, 3).astype(np.float32)
    ours = lucid_values(model, ["block_3_expand_relu", "predictions"], images)
    theirs = keras_values(model_keras, ["block_3_expand_relu", "predictions"], images * 2 - 1)
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], err_msg=name, **TOLERANCE)
    image = render_channel(model, "block_3_expand_relu:12", lambda: param.image(96))
    assert image.shape == (1, 96, 96, 3)


def test_small_32px_input_and_default_param():
    """A 32 px model renders with render_vis's default param (a 128 px image), and its layer "c" is the stride-2
    convolution, with the frozen Keras weights, of the image mapped to the model's value range (-1, 1)."""
    keras.utils.set_random_seed(2)
    model = Model.from_keras(
        keras.Sequential(
            [
                keras.Input((32, 32, 3)),
                keras.layers.Conv2D(4, 3, strides=2, activation="relu", name="c"),
                keras.layers.GlobalMaxPooling2D(name="pool"),
            ]
        ),
        image_value_range=(-1, 1),
    )
    image = render_channel(model, "c:2", None)
    assert image.shape == (1, 128, 128, 3)
    images = np.random.rand(1, 32, 32, 3).astype(np.float32)
    got = lucid_values(model, ["c"], images)["c"]
    kernel, bias = model_keras_weights(model)
    x = images[0] * 2 - 1
    windows = np.array([[x[2 * i : 2 * i + 3, 2 * j : 2 * j + 3] for j in range(15)] for i in range(15)])
    expected = np.maximum(np.einsum("ijabc,abck->ijk", windows, kernel) + bias, 0)
    assert got.shape == (1, 15, 15, 4) and expected.max() > 0
    np.testing.assert_allclose(got[0], expected, **TOLERANCE)


def model_keras_weights(model):
    """The conv kernel and bias stored as constants in the frozen graph (no variables are left)."""
    constants = [tf.make_ndarray(node.attr["value"].tensor) for node in model.graph_def.node if node.op == "Const"]
    assert not [node for node in model.graph_def.node if "Variable" in node.op]
    return next(c for c in constants if c.ndim == 4), next(c for c in constants if c.shape == (4,))


# --- value range, errors ------------------------------------------------------------------------------------------


def test_value_range_is_guessed_with_a_warning():
    plain = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 1, name="c")])
    with pytest.warns(UserWarning, match=r"guessing \(0, 1\)"):
        assert Model.from_keras(plain).image_value_range == (0, 1)
    rescaled = keras.Sequential(
        [keras.Input((8, 8, 3)), keras.layers.Rescaling(1 / 255.0, name="rescale"), keras.layers.Conv2D(2, 1, name="c")]
    )
    with pytest.warns(UserWarning, match=r"guessing \(0, 255\) because the model starts with a Rescaling"):
        assert Model.from_keras(rescaled).image_value_range == (0, 255)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Model.from_keras(plain, image_value_range=(-1, 1))


def test_keras_errors():
    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = keras.layers.Conv2D(2, 1)

        def call(self, x):
            return self.conv(x)

    with pytest.raises(ValueError, match="no defined inputs.*Model.from_function"):
        Model.from_keras(Subclassed(), image_value_range=(0, 1))
    a, b = keras.Input((8, 8, 3)), keras.Input((8, 8, 3))
    with pytest.raises(ValueError, match="2 inputs"):
        Model.from_keras(keras.Model([a, b], keras.layers.Add()([a, b])), image_value_range=(0, 1))
    vector = keras.Sequential([keras.Input((10,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"image batch \[N, H, W, C\]"):
        Model.from_keras(vector, image_value_range=(0, 1))
    clash = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 1, name="input")])
    with pytest.raises(ValueError, match="another input_name"):
        Model.from_keras(clash, image_value_range=(0, 1))
    assert Model.from_keras(clash, image_value_range=(0, 1), input_name="pixels").input_name == "pixels"
    with pytest.raises(ValueError, match="image_value_range"):
        Model.from_keras(clash, image_value_range=(1, 1), input_name="pixels")


def test_conversion_inside_a_graph_context():
    keras_model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 1, name="c")])
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        model = Model.from_keras(keras_model, image_value_range=(0, 1))
        T = model.import_graph(tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3], name="x"))
        assert sess.run(T("c"), {"x:0": np.zeros((1, 8, 8, 3))}).shape == (1, 8, 8, 2)
        graph_keras_model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 1, name="c")])
        with pytest.raises(RuntimeError, match="built in TF1 graph mode"):
            Model.from_keras(graph_keras_model, image_value_range=(0, 1))


# --- export, load without Keras, pickle ----------------------------------------------------------------------------


def test_export_and_load_without_keras(functional, tmp_path, monkeypatch):
    path = str(tmp_path / "functional.pb")
    functional.export(path)
    monkeypatch.setitem(sys.modules, "keras", None)  # any `import keras` now fails
    loaded = Model.load(path)
    assert not isinstance(loaded, ConvertedModel) and loaded.name == "functional_net"
    assert [(layer.name, layer.depth, layer.tags) for layer in loaded.layers] == [
        (layer.name, layer.depth, layer.tags) for layer in functional.layers
    ]
    assert (loaded.input_name, loaded.image_shape, tuple(loaded.image_value_range)) == ("input", [32, 48, 3], (0, 1))
    assert loaded.size_support == functional.size_support  # native a tuple again, not the JSON list
    images = np.random.rand(1, 32, 48, 3).astype(np.float32)
    np.testing.assert_allclose(
        lucid_values(loaded, ["concat"], images)["concat"],
        lucid_values(functional, ["concat"], images)["concat"],
        **TOLERANCE,
    )
    save(functional.graph_def, str(tmp_path / "same.pb"))  # the graph_def itself carries the metadata
    assert Model.load(str(tmp_path / "same.pb")).get_layer("logits").depth == 5
    with pytest.raises(ValueError, match=r"\.pb"):
        functional.export(str(tmp_path / "functional.json"))


def test_pickle_keeps_the_graph(mnist):
    restored = pickle.loads(pickle.dumps(mnist))
    assert restored.graph_def == mnist.graph_def and restored.get_layer("conv2").depth == 16
    assert restored != mnist and len({mnist, restored, mnist}) == 2  # hashable, equal only to itself


# --- from_function and from_saved_model ---------------------------------------------------------------------------


class TinyModule(tf.Module):
    """conv (4 channels, relu) -> spatial mean -> dense (3); weights are variables."""

    def __init__(self):
        super().__init__()
        rng = np.random.RandomState(3)
        self.kernel = tf.Variable(rng.normal(0, 0.5, (3, 3, 1, 4)).astype(np.float32))
        self.dense = tf.Variable(rng.normal(0, 0.5, (4, 3)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, 20, 30, 1], tf.float32)])
    def __call__(self, images):
        conv = tf.nn.relu(tf.nn.conv2d(images, self.kernel, 1, "SAME"))
        return {"conv": conv, "logits": tf.matmul(tf.reduce_mean(conv, [1, 2]), self.dense)}


def test_from_function(tmp_path):
    module = TinyModule()
    spec = tf.TensorSpec([None, 20, 30, 1])
    model = Model.from_function(module.__call__, spec, image_value_range=(0, 1), model_name="tiny")
    assert [(layer.name, layer.depth, layer.tags) for layer in model.layers] == [
        ("conv", 4, {"conv"}),
        ("logits", 3, {"dense"}),
    ]
    assert model.image_shape == [20, 30, 1] and model.name == "tiny"
    images = np.random.rand(2, 20, 30, 1).astype(np.float32)
    expected = {name: value.numpy() for name, value in module(images).items()}
    ours = lucid_values(model, ["conv", "logits"], images)
    for name in expected:
        np.testing.assert_allclose(ours[name], expected[name], **TOLERANCE)
    render_channel(model, "conv:1", lambda: param.image(30, h=20, channels=1))
    single = Model.from_function(lambda x: tf.nn.relu(x * 2.0), [spec], image_value_range=(0, 1))
    listed = Model.from_function(lambda x: [x, x + 1.0], spec, image_value_range=(0, 1))
    assert [layer.name for layer in single.layers] == ["output"]
    assert [layer.name for layer in listed.layers] == ["output_0", "output_1"]
    with pytest.warns(UserWarning, match="image_value_range was not given"):
        Model.from_function(lambda x: x, spec)
    with pytest.raises(TypeError, match="tf.TensorSpec"):
        Model.from_function(lambda x: x, [None, 20, 30, 1], image_value_range=(0, 1))
    with pytest.raises(TypeError, match="float image"):
        Model.from_function(lambda x: x, tf.TensorSpec([None, 8, 8, 3], tf.uint8), image_value_range=(0, 255))


def test_from_saved_model(tmp_path):
    module = TinyModule()
    path = str(tmp_path / "saved")
    tf.saved_model.save(module, path, signatures={"serving_default": module.__call__, "other": module.__call__})
    model = Model.from_saved_model(path, image_value_range=(0, 1))
    assert sorted(layer.name for layer in model.layers) == ["conv", "logits"] and model.image_shape == [20, 30, 1]
    images = np.random.rand(2, 20, 30, 1).astype(np.float32)
    np.testing.assert_allclose(
        lucid_values(model, ["logits"], images)["logits"], module(images)["logits"].numpy(), **TOLERANCE
    )
    assert Model.from_saved_model(path, signature="other", image_value_range=(0, 1)).name == "other"
    with pytest.raises(KeyError, match="no signature 'nope'.*'other', 'serving_default'"):
        Model.from_saved_model(path, signature="nope")


def test_flatten_dense_model_renders_at_any_size(mnist):
    """The Flatten + Dense head only runs at 28 x 28 (issue 13): the image is fitted to it at the model input."""
    assert mnist.size_support == (False, None, (28, 28))
    for size in [20, 28, 40]:
        image = render_channel(mnist, "predictions_pre_activation:3", lambda size=size: param.image(size, channels=1))
        assert image.shape == (1, size, size, 1)


def test_function_calls_are_inlined_for_saved_models(tmp_path):
    module = TinyModule()
    path = str(tmp_path / "saved")
    tf.saved_model.save(module, path)
    model = Model.from_saved_model(path, image_value_range=(0, 1))
    assert not model.graph_def.library.function
    assert not {node.op for node in model.graph_def.node} & {"PartitionedCall", "StatefulPartitionedCall"}
    image = render_channel(model, "conv:1", lambda: param.image(30, h=20))
    assert image.shape == (1, 20, 30, 3)
