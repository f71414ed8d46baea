"""Behaviours of the original Lucid that lucid had drifted from (issue 14, points 1-9 and "Also"), one test each.

Each test failed on the code before the fix.
"""

import importlib
import lzma

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import TinyConvNet, layer_values

from lucid.misc.io import loading, reading, saving, scoping, serialize_array, showing
from lucid.modelzoo import aligned_activations, caffe_models, slim_models, vision_base, wordnet
from lucid.modelzoo import vision_models as models
from lucid.modelzoo.labels import label_index
from lucid.optvis import objectives, overrides, param, render, transform
from lucid.recipes import feature_visualization as fv

# ---- 1. normalize_gradient(grad_scales) ----------------------------------------------------------------------


def test_normalize_gradient_scales_give_the_per_example_norms(sess):
    x = tf.constant(np.random.normal(size=(2, 4, 4, 3)).astype(np.float32))
    y = transform.normalize_gradient(grad_scales=np.array([1.0, 3.0], np.float32))(x)
    (grad,) = tf.gradients(tf.reduce_sum(y * np.random.normal(size=(2, 4, 4, 3)).astype(np.float32)), [x])
    np.testing.assert_allclose(np.sqrt((sess.run(grad) ** 2).sum(axis=(1, 2, 3))), [1, 3], rtol=1e-5)


# ---- 2. recipes.feature_visualization return values and argument order ---------------------------------------


def test_feature_visualization_returns_as_the_original(model):
    images, losses = fv.channel(model, "conv2_pre_relu", [3], n_steps=4)  # a one-element list: one pair
    assert images.shape == (1, 32, 32, 3) and losses.shape == (1, 4) and losses.dtype == np.float64
    (image1, losses1), (image2, _) = fv.channel(model, "conv2_pre_relu", [3, 7], n_steps=4)
    assert image1.shape == image2.shape == (32, 32, 3) and losses1.shape == (4,)
    # Signed losses: with negative=True they are the negated channel, which the optimization raises.
    images, losses = fv.channel(model, "conv2_pre_relu", 3, n_steps=30, negative=True)
    assert losses[0, -5:].mean() > losses[0, :5].mean()
    assert layer_values(model, "conv2_pre_relu", images)[..., 3].mean() < 0


def test_feature_visualization_size_arguments_in_the_original_order():
    class Wide(TinyConvNet):
        image_shape = [24, 40, 3]

    # The original: w, h, _ = image_shape; param.image(w, h) and crop_or_pad_to(w, h).
    images, _ = fv.neuron(Wide(), "conv1", 0, n_steps=2)
    assert images.shape == (1, 40, 24, 3)


# ---- 3. VGG fc layers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["VGG16_caffe", "VGG19_caffe"])
def test_vgg_fully_connected_layers_are_dense(name):
    model = getattr(models, name)()
    assert model.get_layer("fc6/fc6").tags == {"dense"} and model.get_layer("fc7/fc7").tags == {"dense"}


# ---- 4. cppn(normalize=True) -----------------------------------------------------------------------------------


def test_cppn_instance_norm_has_gamma_and_beta(sess):
    t = param.cppn(6, num_layers=2, num_hidden_channels=4, normalize=True)
    variables = {v.name: v for v in tf.compat.v1.trainable_variables()}
    for scope in ("InstanceNorm", "InstanceNorm_1"):
        assert variables["cppn/%s/beta:0" % scope].shape == (4,) and variables["cppn/%s/gamma:0" % scope].shape == (4,)
    gamma = variables["cppn/InstanceNorm/gamma:0"]
    sess.run(tf.compat.v1.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(gamma), np.ones(4))
    (grad,) = tf.gradients(tf.reduce_sum(t), [gamma])
    assert grad is not None


# ---- 5. ReLU gradient at exactly 0 after step 16 ----------------------------------------------------------------


@pytest.mark.parametrize("op_type, x", [("Relu", [[0.0, 1.0, -1.0]]), ("Relu6", [[0.0, 6.0, 7.0]])])
def test_plain_relu_gradient_passes_at_zero(op_type, x):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        global_step = tf.compat.v1.train.get_or_create_global_step()
        x_t = tf.constant(x)
        with overrides.relu_overrides():
            y = tf.nn.relu(x_t) if op_type == "Relu" else tf.nn.relu6(x_t)
        (grad,) = tf.gradients(y, x_t, grad_ys=tf.ones_like(x_t))
        sess.run(global_step.assign(17))
        # As the original's where(x < 0, 0, grad) (and x > 6 for Relu6): TF's own gives 0 at 0 (and 6).
        np.testing.assert_array_equal(sess.run(grad), [[1.0, 1.0, 0.0]])


# ---- 6. savers ignore extra keyword arguments ------------------------------------------------------------------


def test_savers_ignore_extra_keyword_arguments(tmp_path):
    saving.save("text", str(tmp_path / "a.txt"), quality=90)
    saving.save(["x", "y"], str(tmp_path / "b.txt"), domain=(0, 1))
    saving.save(tf.compat.v1.GraphDef(), str(tmp_path / "c.pb"), quality=90)
    saving.save({"k": 1}, str(tmp_path / "d.pickle"), allow_unsafe_formats=True, quality=90)
    saving.save("text", str(tmp_path / "e.unknown"), quality=90)
    assert (tmp_path / "b.txt").read_text() == "x\ny\n"
    with open(tmp_path / "f.txt.xz", "wb") as handle:
        with saving.compress_xz(handle, quality=90) as compressed:
            compressed.write(b"abc")
    assert lzma.decompress((tmp_path / "f.txt.xz").read_bytes()) == b"abc"


# ---- 7. negative indices --------------------------------------------------------------------------------------


def _values(model, objs, shape=(3, 16, 16, 3), forget_xy_shape=True):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        images = tf.constant(np.random.uniform(size=shape).astype(np.float32))
        T = render.import_model(model, images) if forget_xy_shape else model.import_graph(images, forget_xy_shape=False)
        return sess.run([objectives.as_objective(obj)(T) for obj in objs])


@pytest.mark.parametrize("forget_xy_shape", [True, False])
def test_negative_indices_count_from_the_end(model, forget_xy_shape):
    pairs = [
        (objectives.channel("conv2", -1), objectives.channel("conv2", 15)),
        ("conv1:-2", "conv1:6"),
        (objectives.neuron("conv1", -1, x=-1, y=-3), objectives.neuron("conv1", 7, x=15, y=13)),
        (objectives.neuron("conv2", 2, x=-8, y=-1, batch=-1), objectives.neuron("conv2", 2, x=0, y=7, batch=2)),
        (objectives.channel("conv1", 1, batch=-3), objectives.channel("conv1", 1, batch=0)),
        (objectives.class_logit("logits", -1), objectives.class_logit("logits", 9)),
        (
            objectives.direction_neuron("conv1", np.ones(8), x=-1),
            objectives.direction_neuron("conv1", np.ones(8), x=15),
        ),
    ]
    values = _values(model, [obj for pair in pairs for obj in pair], forget_xy_shape=forget_xy_shape)
    for i in range(0, len(values), 2):
        assert np.isfinite(values[i]) and values[i] == values[i + 1], pairs[i // 2]


def test_negative_index_out_of_range(model):
    with pytest.raises(ValueError, match=r"channel -17 is out of range for layer 'conv2' with depth 16"):
        _values(model, [objectives.channel("conv2", -17)])
    with pytest.raises(ValueError, match=r"batch -4 is out of range"):
        _values(model, [objectives.channel("conv2", 0, batch=-4)])


# ---- 8. duck-typed models ---------------------------------------------------------------------------------------


class _Wrapped:
    """Not a lucid Model: just import_graph and labels, as people wrap their own graphs."""

    labels = ["a", "b"]

    def __init__(self):
        self._model = TinyConvNet()

    def import_graph(self, t_input, scope="import", forget_xy_shape=True, input_map=None):
        return self._model.import_graph(t_input, scope=scope, forget_xy_shape=forget_xy_shape, input_map=input_map)


def test_render_vis_and_make_vis_t_take_any_object_with_import_graph_and_labels():
    (images,) = render.render_vis(
        _Wrapped(), "conv2:3", param_f=lambda: param.image(32), thresholds=(3,), verbose=False
    )
    assert images.shape == (1, 32, 32, 3)
    with tf.Graph().as_default(), tf.compat.v1.Session():
        T = render.make_vis_T(_Wrapped(), "conv1:0", param_f=lambda: param.image(16))
        assert T("labels") == ["a", "b"] and T("conv1").shape[-1] == 8


# ---- 9. public names of the original's modules -------------------------------------------------------------------


def test_public_names_of_the_original(tmp_path, monkeypatch):
    assert showing.array_to_jsbuffer is serialize_array.array_to_jsbuffer
    assert "Float32Array" in showing.array_to_jsbuffer(np.zeros(3, np.float32))
    with open(tmp_path / "x.txt", "w") as handle:
        assert loading.is_handle(handle) and not loading.is_handle(str(tmp_path / "x.txt"))
    assert loading.set_io_scopes is saving.set_io_scopes is scoping.set_io_scopes
    monkeypatch.delenv("LUCID_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert reading.cache_dir() == str(tmp_path / reading.LUCID_CACHE_DIR_NAME)
    assert param.random.rfft2d_freqs(4, 4).shape == (4, 3)
    for module in ("Inception", "MobilenetV1", "MobilenetV2", "ResNetV1", "ResNetV2", "others"):
        slim_module = importlib.import_module("lucid.modelzoo.slim_models." + module)
        assert slim_module.IMAGENET_MEAN is vision_base.IMAGENET_MEAN
    for package in (caffe_models, slim_models):
        # A star import gives Model too, as the original's (it had no __all__).
        assert package.Model is vision_base.Model and "Model" in package.__all__
        assert "IMAGENET_MEAN" not in dir(package)
    monkeypatch.setattr(wordnet, "_wordnet", lambda: "the wordnet reader")
    assert wordnet.wn == "the wordnet reader"
    main = importlib.import_module("lucid.recipes.activation_atlas.main")
    layout = importlib.import_module("lucid.recipes.activation_atlas.layout")
    assert main.aligned_umap is layout.aligned_umap
    assert main.push_activations is aligned_activations.push_activations
    assert main.layer_inverse_covariance is aligned_activations.layer_inverse_covariance
    assert main.NUMBER_OF_AVAILABLE_SAMPLES == aligned_activations.NUMBER_OF_AVAILABLE_SAMPLES == 100000
    gradient_override = importlib.import_module("lucid.misc.gradient_override")
    assert gradient_override.gradient_override_map is overrides.gradient_override.gradient_override_map
    assert overrides.gradient_override.gradient_override_map is overrides.gradient_override_map


# ---- Also: MACO defaults ---------------------------------------------------------------------------------------


def test_maco_plain_call_and_its_own_defaults(model):
    spectrum = np.full((3, 8, 5), 0.05, np.float32)
    (images,) = render.render_vis(
        model, "conv2:3", param_f=lambda: param.maco(32, spectrum=spectrum), thresholds=(2,), verbose=False
    )
    assert images.shape == (1, 32, 32, 3)
    with tf.Graph().as_default(), tf.compat.v1.Session():
        T = render.make_vis_T(model, "conv2:3", param_f=lambda: param.maco(32, spectrum=spectrum, alpha=True))
        assert [f.__name__ for f in T("transforms")] == ["drop_alpha", "random_crops", "add_noise"]
        assert T("optimizer")._lr == param.MACO_LEARNING_RATE == 0.2
    with tf.Graph().as_default(), tf.compat.v1.Session():
        adam = tf.compat.v1.train.AdamOptimizer(0.01)
        T = render.make_vis_T(
            model, "conv2:3", lambda: param.maco(32, spectrum=spectrum), optimizer=adam, transforms=[]
        )
        assert T("optimizer") is adam and T("transforms") == []
    with tf.Graph().as_default(), tf.compat.v1.Session():
        T = render.make_vis_T(
            model, "conv2:3", lambda: param.maco(32, spectrum=spectrum), transforms=transform.standard_transforms
        )
        assert T("optimizer")._lr == 0.2 and T("transforms") is transform.standard_transforms
    # Other parameterizations keep the original's defaults.
    with tf.Graph().as_default(), tf.compat.v1.Session():
        T = render.make_vis_T(model, "conv2:3", lambda: param.image(32))
        assert T("optimizer")._lr == 0.05 and T("transforms") is None


# ---- Also: class names as people type them -------------------------------------------------------------------


def test_class_names_by_synonym():
    model = models.EfficientNetLite0()
    labels = list(model.labels)
    index = label_index
    assert model.label_index("goldfish") == 1
    assert labels[index(labels, "goldfish")] == "goldfish, Carassius auratus" == labels[index(labels, "Goldfish ")]
    assert index(labels, "carassius auratus") == index(labels, "goldfish, Carassius auratus")
    assert index(labels, "maillot") == 638  # the exact label first, though "maillot, tank suit" has it too
    with pytest.raises(KeyError, match=r"'crane' names 2 of the model's classes: 134 'crane', 517 'crane'"):
        index(labels, "crane")
    with pytest.raises(KeyError, match=r"'panther' names 2 .*286 'cougar, puma.*290 'jaguar, panther"):
        index(labels, "panther")
    with pytest.raises(KeyError, match=r"Close labels: 'goldfish, Carassius auratus'"):
        index(labels, "goldfsh")


def test_class_logit_and_cli_take_a_synonym(tmp_path):
    from lucid.cli import main

    model = models.EfficientNetLite0()
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        T = render.import_model(model, tf.fill([1, 64, 64, 3], 0.5))
        by_name, by_index = objectives.class_logit("logits", "goldfish")(T), objectives.class_logit("logits", 1)(T)
        assert sess.run(by_name) == sess.run(by_index)
    out = str(tmp_path / "goldfish.png")
    assert main(["EfficientNetLite0", "logits:goldfish", "-o", out, "--size", "32", "--steps", "2"]) == 0


# ---- Also: collapse_alpha_random anywhere in a chain -------------------------------------------------------------


def test_collapse_alpha_random_after_the_standard_transforms(sess):
    rgba = tf.constant(np.concatenate([np.full((2, 32, 32, 3), 0.5), np.zeros((2, 32, 32, 1))], -1), tf.float32)
    collapsed = transform.compose(transform.standard_transforms + [transform.collapse_alpha_random()])(rgba)
    assert collapsed.shape.as_list() == [2, None, None, 3]
    first, second = sess.run(collapsed), sess.run(collapsed)
    # Fully transparent: what is left is the random background, new on every run, with the sample's spread.
    assert 0 < first.min() and first.max() < 1
    assert first.shape != second.shape or not np.array_equal(first, second)
    assert 0.05 < first.std() < 0.3
