"""fast=True (lucid.optvis.fast) and big weights held in variables (lucid.optvis.held_weights)."""

import pickle

import numpy as np
import pytest
import tensorflow as tf

from lucid.cli import build_parser
from lucid.optvis import fast, held_weights, overrides, param, render, transform
from lucid.optvis.session import graph_and_session, initialize_variables
from lucid.optvis.steps import run_steps
from lucid.scale.store import unit_key
from lucid.scale.units import check_settings
from lucid.testing import random_inception_v1


@pytest.fixture(scope="module")
def inception():
    return random_inception_v1()


@pytest.mark.parametrize("w, h, batch", [(128, 128, 1), (33, 20, 2), (7, 8, 3)])
def test_fast_image_is_param_image_computed_another_way(w, h, batch):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        np.random.seed(3)
        reference = param.image(w, h, batch=batch)
        np.random.seed(3)
        image = fast.image(w, h, batch=batch)
        sess.run(tf.compat.v1.global_variables_initializer())
        spectrum = np.random.normal(size=tf.compat.v1.global_variables()[0].shape).astype(np.float32)
        sess.run(tf.compat.v1.global_variables()[0].assign(spectrum))
        sess.run(tf.compat.v1.global_variables()[1].assign(spectrum.transpose(0, 3, 1, 2, 4)))
        expected, got = sess.run([reference, image])
    assert got.shape == (batch, h, w, 3)
    np.testing.assert_allclose(got, expected, atol=2e-6)


def test_fast_keeps_the_standard_transforms(inception):
    # A fused resampling of the same jitter, scale and rotation lost class-visualization quality (README).
    def rendered(**kwargs):
        return render.render_vis(
            inception, "mixed3a:5", thresholds=(3,), verbose=False, use_fixed_seed=True, image_size=48, **kwargs
        )[-1]

    explicit = rendered(fast=True, transforms=list(transform.standard_transforms))
    np.testing.assert_array_equal(rendered(fast=True), explicit)


def test_fast_relu_gradient_is_the_redirected_one_except_at_zero():
    x_value = np.array([[-1.0, 0.0, 2.0, -3.0, 0.5]], np.float32)
    grads = {}
    for name, context in (("default", overrides.relu_overrides), ("fast", fast.relu_overrides)):
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            step = tf.compat.v1.train.get_or_create_global_step()
            x = tf.constant(x_value)
            with context():
                y = tf.nn.relu(x)
            grad = tf.gradients(y, x, grad_ys=tf.constant([[-1.0, 1.0, 1.0, 1.0, 1.0]]))[0]
            sess.run(step.initializer)
            early = sess.run(grad)
            sess.run(step.assign(100))
            grads[name] = early, sess.run(grad)
    np.testing.assert_array_equal(grads["fast"][0], grads["default"][0])
    np.testing.assert_array_equal(grads["default"][1], [[0, 1, 1, 0, 1]])
    np.testing.assert_array_equal(grads["fast"][1], [[0, 0, 1, 0, 1]])  # ReluGrad: 0 at x == 0


def test_fast_renders_differ_from_the_default_only_where_intended(inception):
    def rendered(**kwargs):
        return render.render_vis(inception, "mixed3a:5", thresholds=(4,), verbose=False, use_fixed_seed=True, **kwargs)

    default, quick = rendered(image_size=64)[-1], rendered(image_size=64, fast=True)[-1]
    assert quick.shape == default.shape and 0 <= quick.min() and quick.max() <= 1
    # Within the redirected steps only the image's arithmetic differs: float rounding.
    assert not np.array_equal(quick, default) and np.allclose(quick, default, atol=1e-4)
    # Given its image and transforms, and no ReLU override, fast=True changes nothing.
    same = dict(param_f=lambda: param.image(64), transforms=[], relu_gradient_override=False)
    np.testing.assert_array_equal(rendered(fast=True, **same)[-1], rendered(**same)[-1])
    images, values = render.render_channels(inception, "mixed3a", [1, 2], steps=3, image_size=48, fast=True)
    assert images.shape == (2, 48, 48, 3) and np.all(np.isfinite(values))


def test_fast_is_part_of_the_store_key_only_when_set():
    common = dict(steps=8, size=32, batch_size=2, seed=0, precision="float32")
    default, quick = check_settings(**common), check_settings(fast=True, **common)
    assert "fast" not in default and check_settings(fast=False, **common) == default
    assert unit_key("sweep", "m" * 64, "conv1:0", quick) != unit_key("sweep", "m" * 64, "conv1:0", default)
    # The first fast path (a fused transform) keyed its units "fast": true; its images are not this one's.
    first_fast = dict(default, fast=True)
    assert unit_key("sweep", "m" * 64, "conv1:0", quick) != unit_key("sweep", "m" * 64, "conv1:0", first_fast)
    with pytest.raises(TypeError, match="fast must be True or False"):
        check_settings(fast="yes", **common)
    assert build_parser().parse_args(["m", "conv1:0", "-o", "x.png", "--fast"]).fast


def _steps_with(model, hold, monkeypatch, steps=6):
    """Images of a seeded render built with `hold_weights=hold` (every weight held: HOLD_BYTES 0), and whether the
    imported graph has a float Const of more than 64 values left."""
    monkeypatch.setattr(held_weights, "HOLD_BYTES", 0)
    with graph_and_session() as (graph, sess):
        tf.compat.v1.set_random_seed(0)
        np.random.seed(0)
        T = render._make_vis_T(model, "mixed4a:3", None, None, None, True, hold_weights=hold)
        initialize_variables(sess)
        big_constants = [
            op.name
            for op in graph.get_operations()
            if op.type == "Const" and op.name.startswith("import/") and op.outputs[0].shape.num_elements() > 64
        ]
        held = [v for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES) if "held" in v.name]
        return run_steps(sess, T, {1, steps - 1}), big_constants, held


def test_held_weights_give_bit_identical_images_and_leave_the_graph_no_big_constants(inception, monkeypatch):
    before_hash = inception.graph_def.SerializeToString(deterministic=True)
    constant_images, constants, _ = _steps_with(inception, False, monkeypatch)
    held_images, left, held_globals = _steps_with(inception, True, monkeypatch)
    assert constants and not left
    assert not held_globals  # outside the collections: initializers and optimizers never see them
    for a, b in zip(constant_images, held_images):
        np.testing.assert_array_equal(a, b)
    assert inception.graph_def.SerializeToString(deterministic=True) == before_hash


def test_held_weights_only_in_renders_that_own_their_session(inception, monkeypatch):
    monkeypatch.setattr(held_weights, "HOLD_BYTES", 0)
    with tf.Graph().as_default() as graph, tf.compat.v1.Session():
        render.make_vis_T(inception, "mixed3a:1")
        assert not [op for op in graph.get_operations() if op.name.startswith("held_weights")]
    seeded = dict(thresholds=(3,), verbose=False, use_fixed_seed=True, image_size=64)
    held = render.render_vis(inception, "mixed3a:1", **seeded)[-1]
    monkeypatch.setattr(held_weights, "HOLD_BYTES", None)
    np.testing.assert_array_equal(held, render.render_vis(inception, "mixed3a:1", **seeded)[-1])


def test_the_kept_weightless_copy_is_not_pickled_with_the_model(inception, monkeypatch):
    monkeypatch.setattr(held_weights, "HOLD_BYTES", 0)
    light, weights = held_weights.weightless(inception)
    assert light is not None and weights and held_weights.weightless(inception)[0] is light
    assert "_held_weights" not in pickle.loads(pickle.dumps(inception)).__dict__


def test_sweep_and_microscope_tasks_pass_fast_on(inception, monkeypatch):
    from lucid.scale import tasks

    monkeypatch.setattr(tasks, "load_model", lambda spec: inception)
    calls = []
    render_channels, render_vis = tasks.render_channels, tasks.render_vis
    monkeypatch.setattr(tasks, "render_channels", lambda *a, **k: calls.append(k["fast"]) or render_channels(*a, **k))
    monkeypatch.setattr(tasks, "render_vis", lambda *a, **k: calls.append(k["fast"]) or render_vis(*a, **k))
    batch = tasks.render_batch("InceptionV1", "mixed3a", [1, 2], 2, 40, 0, "float32", True)
    views = tasks.render_views("InceptionV1", "mixed3a", [1], 2, 40, 0, "float32", True)
    assert calls == [True, True] and len(batch["pngs"]) == 2 and len(views["images"]) == 1


def test_held_weights_are_made_once_per_graph_and_fed_without_a_full_shape(inception, monkeypatch):
    """The whole model imported after a part (a name outside the part) reads the part's variables instead of a
    second copy of the weights; the weights' placeholders have an unknown dimension, because for a feed of fully
    known shape TensorFlow allocates a tensor of that shape for Grappler on every new run signature."""
    monkeypatch.setattr(held_weights, "HOLD_BYTES", 0)
    light, weights = held_weights.weightless(inception)
    with graph_and_session() as (graph, sess):
        T = render._make_vis_T(inception, "mixed3a:3", None, None, None, True, hold_weights=True)
        held = lambda op_type: [op for op in graph.get_operations() if op.type == op_type and "held" in op.name]  # noqa: E731
        part = held("VarHandleOp")
        T("mixed5b")  # outside the part: imports the whole model
        handles, fed = held("VarHandleOp"), held("Placeholder")
    assert 0 < len(part) < len(handles) == len(weights) == len({op.get_attr("shared_name") for op in handles})
    assert fed and all(not op.outputs[0].shape.is_fully_defined() for op in fed)
