"""Bad input through the public entry points: each gets a clear Python error naming the problem and the fix.

Tables of (bad input, expected error, message pattern): objective strings and factory arguments, positions,
labels, directions and batches; parameterizations; image sizes too small for the transforms; broken model
files and Model attributes. Checks that can only happen when the graph runs (models forget the image's height
and width) are tested through a session here; their conversion to ValueError inside render_vis is in
test_render_reliability.py.
"""

import os
import pickle

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf
from tiny_models import TinyConvNet, tiny_conv_graph_def

from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives, param, render, transform

LABELS = ["dog", "cat", "hotdog", "catamaran", "car", "cart", "bird", "boat", "bat", "bee"]


class LabeledConvNet(TinyConvNet):
    """TinyConvNet with labels for its 10 logits, kept in memory."""

    labels_path = "in-memory labels"

    def __init__(self):
        super().__init__()
        self._labels = list(LABELS)


def render_once(model, objective, **kwargs):
    """One optimisation step and one snapshot of an 8x8 image: enough for every check made while building."""
    kwargs.setdefault("param_f", lambda: param.image(8))
    return render.render_vis(model, objective, thresholds=(0,), verbose=False, **kwargs)


def _assert_message(error, pattern):
    """A clear message: matches `pattern`, and is not a raw TensorFlow graph error."""
    message = str(error.value)
    assert message and "{{node" not in message and "Graph execution error" not in message, message
    assert error.match(pattern)


# ---- objective strings -------------------------------------------------------------------------------------

OBJECTIVE_STRING_FORM = r'"layer:channel", e\.g\. "mixed4a_pre_relu:476"'


@pytest.mark.parametrize(
    "text",
    [
        "conv1",  # no channel
        "conv1:",  # empty channel
        "conv1:x",  # channel not a number
        "a:b:c",  # two colons
        "conv1:1.5",  # fractional channel
        "conv1:--1",  # two signs
        "conv1::2",  # empty middle part
        ":3",  # no layer
        "",  # nothing
        " : ",  # blanks only
        " :1",  # blank layer
        "conv1:3e2",  # exponent notation
        "conv1:3.0",  # integral float
    ],
)
def test_malformed_objective_strings(model, text):
    with pytest.raises(ValueError) as error:
        render_once(model, text)
    _assert_message(error, OBJECTIVE_STRING_FORM)
    assert repr(text) in str(error.value)


def test_unknown_layer_lists_the_closest_names(model):
    with pytest.raises(KeyError) as error:
        render_once(model, "conv3:0")
    _assert_message(error, r"No tensor 'conv3' .* Closest names: \['conv2', 'conv1'")


@pytest.mark.parametrize("text, depth", [("conv1:8", 8), ("conv2:16", 16), ("conv2:999", 16)])
def test_channel_out_of_range_gives_the_depth(model, text, depth):
    with pytest.raises(ValueError) as error:
        render_once(model, text)
    _assert_message(
        error,
        r"channel \d+ is out of range for layer 'conv\d' with depth %d: valid values are "
        r"0\.\.%d" % (depth, depth - 1),
    )


@pytest.mark.parametrize("objective", [3, 2.5, None, b"conv1:0", ["conv1:0"], {"conv1": 0}, np.int64(4)])
def test_objective_of_the_wrong_type(model, objective):
    with pytest.raises(TypeError) as error:
        render_once(model, objective)
    _assert_message(error, r'as_objective accepts an Objective, a function of T or a "layer:channel" string')


@pytest.mark.parametrize(
    "make, error_type, pattern",
    [
        (lambda: objectives.channel("conv1", "3"), TypeError, "n_channel must be an int"),
        (lambda: objectives.channel("conv1", 3.0), TypeError, "n_channel must be an int"),
        (lambda: objectives.channel("conv1", True), TypeError, "n_channel must be an int"),
        (lambda: objectives.neuron("conv1", 0, y="2"), TypeError, "y must be an int or None"),
        (lambda: objectives.neuron("conv1", 0, x="1"), TypeError, "x must be an int or None, got '1'"),
        (lambda: objectives.channel("conv1", 0, batch=1.0), TypeError, "batch must be an int or None, got 1.0"),
        (lambda: objectives.channel("conv1", 0, batch=0.5), TypeError, "batch must be an int or None"),
        (lambda: objectives.direction("conv1", "abc"), TypeError, "needs `vec` as a numeric NumPy array"),
        (lambda: objectives.direction("conv1", np.ones([2, 8])), ValueError, r"needs `vec` of rank 1, got shape"),
        (lambda: objectives.tensor_direction("conv1", np.ones(8)), ValueError, "rank 3 or 4"),
        (
            lambda: objectives.tensor_direction("conv1", np.ones([0, 0, 8])),
            ValueError,
            "height and width of at least 1",
        ),
    ],
)
def test_objective_factory_arguments(make, error_type, pattern):
    with pytest.raises(error_type) as error:
        make()
    _assert_message(error, pattern)


# ---- positions, labels, directions and batches ---------------------------------------------------------------


def _static_T(model, size=16, batch=2):
    """Layers of `model` with fully static shapes (input [batch, size, size, 3], height and width kept)."""
    return model.import_graph(tf.zeros([batch, size, size, 3]), forget_xy_shape=False)


@pytest.mark.parametrize(
    "objective, pattern",
    [
        (
            objectives.neuron("conv1", 0, x=16),
            "x 16 is out of range for layer 'conv1' with height 16: valid values "
            r"are 0\.\.15",
        ),
        (objectives.neuron("conv2", 0, y=8), "y 8 is out of range for layer 'conv2' with width 8"),
        (objectives.direction_neuron("conv1", np.ones(8), x=40), "x 40 is out of range for layer 'conv1'"),
        (objectives.tensor_direction("conv2", np.ones([9, 2, 16])), "vec height 9 exceeds the height 8 of layer"),
        (objectives.class_logit("logits", 10), "class 10 is out of range for layer 'logits' with number of classes 10"),
        (
            objectives.direction("conv1", np.ones(7)),
            "vec has 7 values along its last axis but layer 'conv1' has depth 8; give one value per channel",
        ),
        (objectives.direction_neuron("conv2", np.ones(8)), "layer 'conv2' has depth 16"),
        (objectives.tensor_direction("conv2", np.ones([2, 2, 4])), "layer 'conv2' has depth 16"),
        (objectives.channel("conv1", 0, batch=2), "batch 2 is out of range for layer 'conv1' with batch size 2"),
        (objectives.neuron("conv1", 0, batch=5), "batch 5 is out of range"),
    ],
)
def test_static_positions_directions_and_batches(model, objective, pattern):
    with tf.Graph().as_default():
        T = _static_T(model)
        with pytest.raises(ValueError) as error:
            objective(T)
    _assert_message(error, pattern)


@pytest.mark.parametrize(
    "objective, pattern",
    [
        (objectives.neuron("conv1", 0, x=100), "x 100 is out of range for layer conv1"),
        (objectives.neuron("conv2", 1, y=4), "y 4 is out of range for layer conv2"),
        (objectives.direction_neuron("conv1", np.ones(8), y=8), "y 8 is out of range for layer conv1"),
        (objectives.tensor_direction("conv2", np.ones([2, 6, 16])), "vec width 6 exceeds the width of layer conv2"),
    ],
)
def test_positions_outside_the_layer_stop_the_run(model, objective, pattern):
    """The model forgets height and width, so the check runs with the graph (the original averaged an empty
    slice into NaN). An 8x8 image gives conv1 8x8 and conv2 4x4."""
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        T = render.make_vis_T(model, objective, lambda: param.image(8), transforms=[])
        sess.run(tf.compat.v1.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match=pattern):
            sess.run(T("loss"))


def test_positions_inside_the_layer_still_run(model):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        T = render.make_vis_T(model, objectives.neuron("conv2", 1, x=3, y=0), lambda: param.image(8), transforms=[])
        sess.run(tf.compat.v1.global_variables_initializer())
        loss, image = sess.run([T("loss"), T("input")])
        acts = sess.run(T("conv2"))
    assert np.isclose(loss, acts[0, 3, 0, 1], rtol=1e-5)
    assert np.isfinite(image).all()


def test_class_logit_unknown_label_lists_close_labels():
    with pytest.raises(KeyError) as error:
        render_once(LabeledConvNet(), objectives.class_logit("logits", "catt"))
    _assert_message(error, r"'catt' is not one of the model's 10 labels\. Close labels: 'cat', 'cart'")


def test_class_logit_label_without_model_labels(model):
    with pytest.raises(ValueError) as error:
        render_once(model, objectives.class_logit("logits", "cat"))
    _assert_message(error, r"Cannot look up the label 'cat': .*labels_path.* Pass the class index as an int")


def test_class_logit_known_label_renders():
    (image,) = render_once(LabeledConvNet(), objectives.class_logit("logits", "hotdog"))
    assert image.shape == (1, 8, 8, 3) and np.isfinite(image).all()


@pytest.mark.parametrize(
    "objective, param_f, pattern",
    [
        (objectives.channel("conv1", 0, batch=1), None, "batch 1 is out of range for layer 'conv1' with batch size 1"),
        (
            objectives.channel("conv1", 0, batch=2),
            lambda: param.image(8, batch=2),
            "with batch size 2: valid values "
            r"are 0\.\.1",
        ),
        (objectives.neuron("conv2", 3, batch=4), lambda: param.image(8, batch=3), "batch 4 is out of range"),
        (objectives.direction("conv1", np.ones(8), batch=1), None, "batch 1 is out of range"),
    ],
)
def test_batch_beyond_the_parameterization(model, objective, param_f, pattern):
    kwargs = {"param_f": param_f} if param_f else {}
    with pytest.raises(ValueError) as error:
        render_once(model, objective, **kwargs)
    _assert_message(error, pattern)


# ---- parameterizations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error_type, pattern",
    [
        (lambda: param.image(0), ValueError, "w must be at least 1, got 0"),
        (lambda: param.image(-3), ValueError, "w must be at least 1, got -3"),
        (lambda: param.image(8, h=0), ValueError, "h must be at least 1, got 0"),
        (lambda: param.image(8, h=-8), ValueError, "h must be at least 1"),
        (lambda: param.image(8, batch=0), ValueError, "batch must be at least 1, got 0"),
        (lambda: param.image(8, batch=-2), ValueError, "batch must be at least 1"),
        (lambda: param.image(8, channels=0), ValueError, "channels must be at least 1, got 0"),
        (lambda: param.image(8, channels=-1), ValueError, "channels must be at least 1"),
        (lambda: param.image(2.5), ValueError, "w must be an integer, got 2.5"),
        (lambda: param.image("8"), TypeError, "w must be an integer, got '8'"),
        (lambda: param.image(8, sd=-0.1), ValueError, "sd must be a finite number >= 0"),
        (lambda: param.image(8, sd=float("nan")), ValueError, "sd must be a finite number >= 0"),
        (lambda: param.image(8, sd="big"), TypeError, "sd must be a number or None, got 'big'"),
        (
            lambda: param.spatial.pixel_image([1, 4, 4, 3], init_val=np.full([1, 4, 4, 3], np.nan)),
            ValueError,
            "init_val contains NaN or infinite values",
        ),
        (
            lambda: param.spatial.pixel_image([1, 4, 4, 3], init_val=np.full([1, 4, 4, 3], np.inf)),
            ValueError,
            "init_val contains NaN or infinite values",
        ),
        (
            lambda: param.spatial.pixel_image([1, 2, 2, 1], init_val=np.array([[[[0.1], [-np.inf]], [[0], [1]]]])),
            ValueError,
            "init_val contains NaN or infinite values",
        ),
        (
            lambda: param.spatial.pixel_image([1, 4, 4, 3], init_val=np.zeros([1, 4, 3, 3])),
            ValueError,
            "init_val has shape",
        ),
        (lambda: param.fft_image([1, 0, 8, 3]), ValueError, r"shape\[1\] must be at least 1, got 0"),
        (lambda: param.fft_image([1, 8, 8]), ValueError, "shape must have 4 entries"),
        (
            lambda: param.lowres_tensor([1, 8, 8, 3], [1, -2, 2, 3]),
            ValueError,
            r"underlying_shape\[1\] must be at "
            "least 1",
        ),
        (lambda: param.cppn(0), ValueError, "width must be at least 1, got 0"),
    ],
)
def test_parameterization_arguments(sess, make, error_type, pattern):
    with pytest.raises(error_type) as error:
        make()
    _assert_message(error, pattern)


@pytest.mark.parametrize(
    "size, transforms, pattern",
    [
        (8, [transform.jitter(8)], r"jitter\(8\) needs images larger than 8 pixels \(at least 9\)"),
        (4, [transform.pad(2), transform.jitter(8)], "these transforms need images of at least 5 x 5 pixels"),
        (12, [transform.jitter(8), transform.jitter(8)], "these transforms need images of at least 17 x 17 pixels"),
        (3, [transform.pad(4)], r"pad\(4, mode='REFLECT'\) needs images of at least 5 pixels"),
    ],
)
def test_images_too_small_for_the_transforms(model, size, transforms, pattern):
    with pytest.raises(ValueError) as error:
        render_once(model, "conv1:0", param_f=lambda: param.image(size), transforms=transforms)
    _assert_message(error, pattern)


def test_standard_transforms_take_any_image_size(model):
    """The standard transforms pad by 12 before cropping, so they need no minimum size."""
    (image,) = render_once(model, "conv1:0", param_f=lambda: param.image(1))
    assert image.shape == (1, 1, 1, 3) and np.isfinite(image).all()


def test_image_shrunk_below_a_jitter_at_run_time_stops_the_run():
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        shrunk = transform.compose([transform.random_scale([0.5]), transform.jitter(8)])(tf.zeros([1, 10, 10, 3]))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"jitter\(8\) needs images larger than 8 pixels"):
            sess.run(shrunk)


@pytest.mark.parametrize(
    "make, error_type, pattern",
    [
        (lambda: transform.random_scale([0]), ValueError, "scales must be positive"),
        (lambda: transform.random_scale([1.0, -0.5]), ValueError, "scales must be positive"),
        (lambda: transform.random_scale([float("nan")]), ValueError, "finite numbers"),
        (lambda: transform.random_rotate([float("inf")]), ValueError, "finite numbers"),
        (lambda: transform.random_rotate([5], units="turns"), ValueError, 'units must be "degrees" or "radians"'),
        (lambda: transform.pad(-1), ValueError, "w must be at least 0"),
        (lambda: transform.jitter(2.5), ValueError, "d must be an integer"),
        (lambda: transform.crop_or_pad_to(0, 8), ValueError, "height must be at least 1"),
    ],
)
def test_transform_arguments(make, error_type, pattern):
    with pytest.raises(error_type) as error:
        make()
    _assert_message(error, pattern)


# ---- models --------------------------------------------------------------------------------------------------


class FileModel(Model):
    """A model read from `model_path` on first use."""

    input_name = "input"
    image_shape = [32, 32, 3]
    image_value_range = (0, 1)


def _file_model(path):
    return type("FileModel_", (FileModel,), {"model_path": str(path)})()


def _write_model_files(directory):
    """Files that are not frozen graphs, by name."""
    (directory / "text.pb").write_text("hello, this is not a graph")
    (directory / "empty.pb").write_bytes(b"")
    (directory / "random.pb").write_bytes(np.random.RandomState(0).bytes(2000))
    PIL.Image.new("RGB", (4, 4)).save(directory / "image.png")
    os.replace(directory / "image.png", directory / "image.pb")
    (directory / "pickled.pb").write_bytes(pickle.dumps({"node": []}))
    np.save(directory / "array.npy", np.zeros(3))


@pytest.mark.parametrize(
    "name, error_type, pattern",
    [
        ("missing.pb", FileNotFoundError, "No such file: .*missing.pb"),
        ("text.pb", ValueError, r"text\.pb.*not a valid GraphDef"),
        ("empty.pb", ValueError, "empty.pb holds a GraphDef without any nodes"),
        ("random.pb", ValueError, r"random\.pb.*not a valid GraphDef"),
        ("image.pb", ValueError, r"image\.pb.*not a valid GraphDef"),
        ("pickled.pb", ValueError, r"pickled\.pb.*not a valid GraphDef"),
        ("array.npy", ValueError, r"array\.npy.*not a valid GraphDef"),
    ],
)
def test_model_files_that_are_not_graphs(tmp_path, name, error_type, pattern):
    _write_model_files(tmp_path)
    model = _file_model(tmp_path / name)
    with pytest.raises(error_type) as error:
        render_once(model, "conv1:0")
    _assert_message(error, pattern)


def test_graph_def_without_the_declared_input(model):
    class WrongInput(TinyConvNet):
        input_name = "image"

    with pytest.raises(ValueError) as error:
        render_once(WrongInput(), "conv1:0")
    _assert_message(
        error,
        r"has no node for \['image'\] \(input_name is 'image'\)\. Its Placeholder nodes are "
        r"\['input'\]: set input_name",
    )


@pytest.mark.parametrize(
    "value_range, pattern",
    [
        ((0,), "must be a pair"),
        ((0, 1, 2), "must be a pair"),
        (5, "must be a pair"),
        (None, "must be a pair"),
        ("01", "must hold finite numbers"),
        ((0, "1"), "must hold finite numbers"),
        ((None, 1), "must hold finite numbers"),
        ((0, float("nan")), "must hold finite numbers"),
        ((float("-inf"), 0), "must hold finite numbers"),
        ((1, 1), r"lo == hi"),
        (((0, 0), (1, 1)), "arrays of length 1 or 3"),
        ((np.zeros(4), 1), "arrays of length 1 or 3"),
        ((np.zeros([3, 1]), 1), "arrays of length 1 or 3"),
    ],
)
def test_wrong_image_value_range(value_range, pattern):
    broken = type("RangeNet", (TinyConvNet,), {"image_value_range": value_range})()
    with pytest.raises(ValueError) as error:
        render_once(broken, "conv1:0")
    _assert_message(error, r"RangeNet\.image_value_range.*" + pattern)


def test_model_imported_twice_without_a_scope(model):
    with tf.Graph().as_default():
        model.import_graph(tf.zeros([1, 8, 8, 3]))
        with pytest.raises(ValueError) as error:
            model.import_graph(tf.zeros([1, 8, 8, 3]))
        model.import_graph(tf.zeros([1, 8, 8, 3]), scope="second")
    _assert_message(error, 'Scope "import" already exists. Provide explicit scope names')


@pytest.mark.parametrize(
    "make, error_type, pattern",
    [
        (
            lambda m: m.import_graph(tf.zeros([1, 8, 8, 4])),
            ValueError,
            "takes images with 3 channels.*collapse_alpha_random",
        ),
        (lambda m: m.import_graph(tf.zeros([8, 8])), ValueError, "rank 3 .* or 4"),
        (lambda m: m.import_graph(tf.zeros([1, 8, 8, 3], tf.int32)), TypeError, "must be a float tensor"),
        (lambda m: m.import_graph(tf.zeros([1, 8, 8, 3]), scope=3), TypeError, "scope must be a non-empty string"),
        (lambda m: m.import_graph(tf.zeros([1, 8, 8, 3]), scope=""), TypeError, "scope must be a non-empty string"),
        (lambda m: m.import_graph(tf.zeros([1, 8, 8, 3]))(5), TypeError, "T takes a layer or tensor name"),
        (lambda m: m.get_layer(3), TypeError, "get_layer takes a layer name"),
        (lambda m: Model.load(3), TypeError, "Model.load takes a path or URL"),
    ],
)
def test_model_inputs_and_arguments(model, make, error_type, pattern):
    with tf.Graph().as_default():
        with pytest.raises(error_type) as error:
            make(model)
    _assert_message(error, pattern)


def test_rgba_image_into_an_rgb_model(model):
    with pytest.raises(ValueError) as error:
        render_once(model, "conv1:0", param_f=lambda: param.image(8, alpha=True), transforms=[])
    _assert_message(error, "takes images with 3 channels")
    (image,) = render_once(
        model, "conv1:0", param_f=lambda: param.image(8, alpha=True), transforms=[transform.collapse_alpha_random()]
    )
    assert image.shape == (1, 8, 8, 4)


def test_graph_def_loads_whatever_its_file_name(tmp_path):
    """A model file is parsed as a GraphDef even without a .pb name (the original guessed a decoder by name)."""
    path = tmp_path / "model-without-extension"
    path.write_bytes(tiny_conv_graph_def().SerializeToString())
    (image,) = render_once(_file_model(path), "conv2:3")
    assert image.shape == (1, 8, 8, 3)
