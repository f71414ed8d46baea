"""Tests for lucid.optvis.transform: output shapes and values, randomness across runs, gradients."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from reference import projective_rotate

from lucid.optvis import transform


def _image(batch=2, h=10, w=12, ch=3):
    return np.random.uniform(size=(batch, h, w, ch)).astype(np.float32)


def _assert_gradient_reaches_input(sess, f, x):
    x_t = tf.constant(x)
    (grad,) = tf.gradients(tf.reduce_sum(f(x_t)), [x_t])
    assert grad is not None
    assert np.abs(sess.run(grad)).sum() > 0


def _distinct_runs(sess, t, n=12):
    return {sess.run(t).tobytes() for _ in range(n)}


# ---------------------------------------------------------------- jitter


def test_jitter_crops_and_varies(sess):
    x = _image()
    t = transform.jitter(3)(x)
    assert t.get_shape().as_list() == [2, 7, 9, 3]
    values = [sess.run(t) for _ in range(12)]
    assert len({v.tobytes() for v in values}) > 1
    crops = {(i, j): x[:, i : i + 7, j : j + 9] for i in range(4) for j in range(4)}
    for v in values:
        assert any(np.array_equal(v, c) for c in crops.values())
    _assert_gradient_reaches_input(sess, transform.jitter(3), x)


def test_jitter_static_shape_with_unknown_height(sess):
    x = tf.compat.v1.placeholder(tf.float32, [1, None, 12, 3])
    t = transform.jitter(2)(x)
    assert t.get_shape().as_list() == [1, None, 10, 3]
    assert sess.run(t, {x: _image(1, 6, 12)}).shape == (1, 4, 10, 3)


def test_jitter_rejects_bad_input(sess):
    with pytest.raises(ValueError, match="larger than"):
        transform.jitter(10)(_image(h=10))
    with pytest.raises(ValueError, match="rank 4"):
        transform.jitter(1)(np.zeros([5, 5, 3], np.float32))
    with pytest.raises(ValueError):
        transform.jitter(-1)


# ---------------------------------------------------------------- pad


def test_pad_modes(sess):
    x = _image(1, 4, 5)
    reflect, constant, symmetric = sess.run(
        [
            transform.pad(2)(x),
            transform.pad(1, mode="constant", constant_value=0.25)(x),
            transform.pad(2, mode="Symmetric")(x),
        ]
    )
    spatial = [(0, 0), (2, 2), (2, 2), (0, 0)]
    np.testing.assert_array_equal(reflect, np.pad(x, spatial, mode="reflect"))
    np.testing.assert_array_equal(symmetric, np.pad(x, spatial, mode="symmetric"))
    np.testing.assert_array_equal(constant, np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], constant_values=0.25))
    _assert_gradient_reaches_input(sess, transform.pad(2), x)


def test_pad_uniform_value_varies(sess):
    t = transform.pad(1, mode="CONSTANT", constant_value="uniform")(np.zeros([1, 2, 2, 1], np.float32))
    assert t.get_shape().as_list() == [1, 4, 4, 1]
    corners = [sess.run(t)[0, 0, 0, 0] for _ in range(6)]
    assert all(0 <= c < 1 for c in corners) and len(set(corners)) > 1


def test_pad_rejects_bad_config(sess):
    with pytest.raises(ValueError, match="mode"):
        transform.pad(2, mode="wrap")
    with pytest.raises(ValueError, match="uniform"):
        transform.pad(2, constant_value="random")
    with pytest.raises(TypeError, match="uniform"):
        transform.pad(2, constant_value=None)
    with pytest.raises(ValueError, match="at least"):
        transform.pad(4)(_image(h=4))


# ---------------------------------------------------------------- random_scale


def test_random_scale_truncates_and_matches_v1_bilinear(sess):
    x = _image(1, 10, 12)
    t = transform.random_scale([0.95])(x)
    ref = tf.compat.v1.image.resize_bilinear(x, [9, 11], align_corners=False, half_pixel_centers=False)
    value, expected = sess.run([t, ref])
    assert value.shape == (1, 9, 11, 3)  # 9.5 -> 9, 11.4 -> 11
    np.testing.assert_allclose(value, expected, atol=1e-6)
    _assert_gradient_reaches_input(sess, transform.random_scale([1.5]), x)


def test_random_scale_varies_and_accepts_generators(sess):
    t = transform.random_scale(s / 10 for s in (5, 10, 20))(_image(1, 10, 10))
    shapes = {sess.run(t).shape for _ in range(30)}
    assert shapes == {(1, 5, 5, 3), (1, 10, 10, 3), (1, 20, 20, 3)}


def test_random_scale_rejects_bad_scales():
    with pytest.raises(ValueError, match="empty"):
        transform.random_scale([])
    with pytest.raises(TypeError):
        transform.random_scale(["big"])
    with pytest.raises(TypeError):
        transform.random_scale(1.1)


# ---------------------------------------------------------------- rotation and its helpers


def test_rand_select_covers_all_values(sess):
    t = transform._rand_select(iter([3, 5, 7]), seed=1)
    assert {int(sess.run(t)) for _ in range(40)} == {3, 5, 7}
    with pytest.raises(ValueError, match="empty"):
        transform._rand_select([])


def test_angle2rads(sess):
    values = sess.run(
        [transform._angle2rads(180, "Degrees"), transform._angle2rads(2, "rad"), transform._angle2rads(1, "radians")]
    )
    np.testing.assert_allclose(values, [3.14, 2.0, 1.0], rtol=1e-6)
    with pytest.raises(ValueError, match="units"):
        transform._angle2rads(1, "turns")
    with pytest.raises(ValueError, match="units"):
        transform.random_rotate([1], units="grad")


def test_random_rotate_90_degrees_matches_rot90(sess):
    x = _image(2, 5, 5)
    t = transform.random_rotate([90])(x)
    assert t.get_shape().as_list() == [2, 5, 5, 3]
    np.testing.assert_array_equal(sess.run(t), np.rot90(x, k=1, axes=(1, 2)))
    np.testing.assert_array_equal(sess.run(transform.random_rotate([0])(x)), x)
    _assert_gradient_reaches_input(sess, transform.random_rotate([90, 10]), x)


def test_rotation_is_bit_identical_to_tf_projective_transform_and_its_gradient(sess):
    """_rotate computes with gathers what ImageProjectiveTransformV3 (NEAREST, zero fill) and its registered
    gradient compute: identical outputs and gradients, including under Grappler's graph rewrites."""
    x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
    angle = tf.compat.v1.placeholder(tf.float32, [])
    expected = projective_rotate(x, angle)
    rotated = transform._rotate(x, angle)
    upstream = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
    grads = tf.gradients(expected, x, upstream) + tf.gradients(rotated, x, upstream)
    rng = np.random.RandomState(0)
    for h, w in [(5, 7), (33, 40), (131, 128), (144, 144)]:
        for degrees in list(range(-10, 11)) + [45, 90, 180, -135]:
            feed = {x: rng.rand(2, h, w, 3), upstream: rng.rand(2, h, w, 3), angle: 3.14 * degrees / 180}
            want, got, want_grad, got_grad = sess.run([expected, rotated] + grads, feed)
            np.testing.assert_array_equal(got, want, err_msg="%dx%d, %d degrees" % (h, w, degrees))
            np.testing.assert_array_equal(got_grad, want_grad, err_msg="gradient, %dx%d, %d degrees" % (h, w, degrees))


def test_random_rotate_fills_corners_with_zero_and_varies(sess):
    x = np.ones([1, 9, 9, 1], np.float32)
    rotated = sess.run(transform.random_rotate([45])(x))
    assert rotated[0, 0, 0, 0] == 0 and rotated[0, 4, 4, 0] == 1
    t = transform.random_rotate(list(range(-10, 11)))(_image(1, 12, 12))
    assert len(_distinct_runs(sess, t)) > 1


# ---------------------------------------------------------------- normalize_gradient, compose


def test_normalize_gradient_unit_norm_per_example(sess):
    x = tf.constant(_image(3, 4, 4))
    y = transform.normalize_gradient()(x)
    weights = tf.constant(np.random.normal(size=(3, 4, 4, 3)).astype(np.float32))
    (grad,) = tf.gradients(tf.reduce_sum(y * weights), [x])
    scaled = transform.normalize_gradient(grad_scales=[1.0, -2.0, 0.5])(x)
    (grad_scaled,) = tf.gradients(tf.reduce_sum(scaled * weights), [x])
    y_value, g, gs, w = sess.run([y, grad, grad_scaled, weights])
    np.testing.assert_array_equal(y_value, sess.run(x))
    norms = np.sqrt((g**2).sum(axis=(1, 2, 3)))
    np.testing.assert_allclose(norms, 1, rtol=1e-5)
    np.testing.assert_allclose(g, w / np.sqrt((w**2).sum(axis=(1, 2, 3), keepdims=True)), rtol=1e-5)
    # As in the original, the scales multiply the normalized gradient: per-example norms are |grad_scales|.
    np.testing.assert_allclose(gs, g * np.array([1, -2, 0.5])[:, None, None, None], rtol=1e-5)
    np.testing.assert_allclose(np.sqrt((gs**2).sum(axis=(1, 2, 3))), [1, 2, 0.5], rtol=1e-5)


def test_compose_applies_in_order(sess):
    f = transform.compose([lambda t: t + 1, lambda t: t * 10])
    assert sess.run(f(tf.constant(1.0))) == 20
    with pytest.raises(TypeError, match="callables"):
        transform.compose([transform.jitter(1), "pad"])


# ---------------------------------------------------------------- alpha, crop_or_pad_to


def test_collapse_alpha_random(sess):
    rgb = _image(1, 6, 6)
    opaque = np.concatenate([rgb, np.ones([1, 6, 6, 1], np.float32)], -1)
    clear = np.concatenate([rgb, np.zeros([1, 6, 6, 1], np.float32)], -1)
    f = transform.collapse_alpha_random()
    t_opaque, t_clear = f(opaque), f(clear)
    assert t_clear.get_shape().as_list() == [1, 6, 6, 3]
    np.testing.assert_allclose(sess.run(t_opaque), rgb, atol=1e-6)
    a, b = sess.run(t_clear), sess.run(t_clear)
    assert np.all((a > 0) & (a < 1)) and not np.allclose(a, b)
    _assert_gradient_reaches_input(sess, f, opaque)


def test_crop_or_pad_to(sess):
    x = _image(1, 6, 7)
    cropped, padded = sess.run([transform.crop_or_pad_to(4, 3)(x), transform.crop_or_pad_to(8, 9)(x)])
    np.testing.assert_array_equal(cropped, x[:, 1:5, 2:5])
    np.testing.assert_array_equal(padded, np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)]))
    _assert_gradient_reaches_input(sess, transform.crop_or_pad_to(4, 3), x)
    with pytest.raises(ValueError):
        transform.crop_or_pad_to(0, 3)


# ---------------------------------------------------------------- standard_transforms


def test_standard_transforms_config(sess):
    """The original's list: pad(12, constant 0.5), jitter(8), random_scale(0.9..1.1 by 0.02),
    random_rotate(-10..10 degrees, 0 weighted 6 of 26), jitter(4); checked by what each one does."""
    pad, jitter8, scale, rotate, jitter4 = transform.standard_transforms
    x = _image(1, 50, 50)
    padded = sess.run(pad(x))
    np.testing.assert_array_equal(padded, np.pad(x, [(0, 0), (12, 12), (12, 12), (0, 0)], constant_values=0.5))
    assert sess.run(jitter8(x)).shape == (1, 42, 42, 3) and sess.run(jitter4(x)).shape == (1, 46, 46, 3)
    t_scale = scale(x)
    sizes = {sess.run(t_scale).shape[1] for _ in range(200)}
    assert sizes == {int(np.float32(50) * np.float32(1 + (i - 5) / 50.0)) for i in range(11)}  # float32, truncated
    # Which angle each of 300 rotations used, by comparison with the reference rotation by every whole degree.
    big = _image(1, 144, 144)  # large enough that every whole degree moves some pixel
    references = sess.run([projective_rotate(tf.constant(big), np.float32(3.14 * a / 180)) for a in range(-10, 11)])
    t_rotate = rotate(big)
    angles = []
    for _ in range(300):
        rotated = sess.run(t_rotate)
        (angle,) = [a for a, ref in zip(range(-10, 11), references) if np.allclose(rotated, ref, atol=1e-6)]
        angles.append(angle)
    assert set(angles) == set(range(-10, 11))
    assert 35 <= angles.count(0) <= 105  # 6 of 26 draws: 69 expected


def test_standard_transforms_on_128(sess):
    x = tf.constant(np.random.uniform(size=(1, 128, 128, 3)).astype(np.float32))
    t = transform.compose(transform.standard_transforms)(x)
    (grad,) = tf.gradients(tf.reduce_sum(t), [x])
    sizes = set()
    for _ in range(8):
        value, g = sess.run([t, grad])
        assert value.shape[1] == value.shape[2] and 125 <= value.shape[1] <= 154
        assert np.abs(g).sum() > 0
        sizes.add(value.shape[1])
    assert len(sizes) > 1


def test_works_after_disable_eager_execution():
    """TF1-style code: eager off, everything in the global default graph."""
    script = textwrap.dedent(
        """
        import numpy as np
        import tensorflow as tf
        tf.compat.v1.disable_eager_execution()
        from lucid.optvis import param, transform
        img = param.image(32)
        t = transform.compose(transform.standard_transforms + [transform.normalize_gradient()])(img)
        grads = tf.gradients(tf.reduce_sum(t), tf.compat.v1.trainable_variables())
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            value, g = sess.run([t, grads])
        assert 39 <= value.shape[1] <= 48 and np.abs(g[0]).sum() > 0
        print("ok")
        """
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
