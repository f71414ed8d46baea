"""Tests for lucid.optvis.param: shapes, values against NumPy references, gradients, validation."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.optvis import param
from lucid.optvis.param import color, lowres, spatial, unit_balls
from lucid.optvis.param.cppn import _composite_activation, _relu_normalized_activation
from lucid.optvis.param.resize_bilinear_nd import collapse_shape, product, resize_bilinear_nd


def _init(sess):
    sess.run(tf.compat.v1.global_variables_initializer())


def _assert_grads_reach_variables(sess, t, variables=None):
    variables = variables or tf.compat.v1.trainable_variables()
    assert variables
    grads = tf.gradients(tf.reduce_sum(t * t), variables)
    assert all(g is not None for g in grads)
    values = sess.run(grads)
    assert all(np.abs(v).sum() > 0 for v in values)


def _np_resize_axis(a, axis, size):
    """TF1 bilinear resize of one axis (align_corners=False, half_pixel_centers=False)."""
    n = a.shape[axis]
    coords = np.arange(size) * (n / size)
    lo = np.floor(coords).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = (coords - lo).reshape([-1 if i == axis else 1 for i in range(a.ndim)])
    return np.take(a, lo, axis) * (1 - frac) + np.take(a, hi, axis) * frac


# ---------------------------------------------------------------- package layout


def test_exports_and_submodules():
    for name in [
        "image",
        "grayscale_image_rgb",
        "lowres_tensor",
        "to_valid_rgb",
        "naive",
        "fft_image",
        "laplacian_pyramid",
        "image_sample",
        "cppn",
    ]:
        assert callable(getattr(param, name)), name
    for name in ["images", "color", "spatial", "lowres", "random", "unit_balls", "resize_bilinear_nd"]:
        assert getattr(param, name).__name__ == "lucid.optvis.param." + name
    assert not hasattr(param, "pixel_image") and not hasattr(param, "laplacian_pyramid_image")
    assert param.random.image_sample is param.image_sample


# ---------------------------------------------------------------- color


def test_color_constants():
    assert color.max_norm_svd_sqrt == pytest.approx(0.4619524, abs=1e-7)
    np.testing.assert_allclose(
        np.linalg.norm(color.color_correlation_svd_sqrt, axis=0), [0.4619524, 0.12727922, 0.06164414], atol=1e-7
    )
    effective = (color.color_correlation_svd_sqrt / color.max_norm_svd_sqrt).T
    expected = [[0.5628285, 0.5844758, 0.5844758], [0.1948253, 0.0, -0.1948253], [0.0432945, -0.1082363, 0.0649418]]
    np.testing.assert_allclose(effective, expected, atol=1e-6)
    assert color.color_mean == [0.48, 0.46, 0.41]


def test_to_valid_rgb_matches_numpy(sess):
    x = np.random.normal(size=(2, 3, 4, 3)).astype(np.float32)
    matrix = (color.color_correlation_svd_sqrt / color.max_norm_svd_sqrt).T
    decorrelated = x @ matrix

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    out = sess.run(
        [
            color.to_valid_rgb(x, decorrelate=True),
            color.to_valid_rgb(x),
            color.to_valid_rgb(x, decorrelate=True, sigmoid=False),
            color.to_valid_rgb(x, sigmoid=False),
        ]
    )
    np.testing.assert_allclose(out[0], sigmoid(decorrelated), rtol=1e-5)
    np.testing.assert_allclose(out[1], sigmoid(x), rtol=1e-5)
    np.testing.assert_allclose(out[2], np.clip(decorrelated + color.color_mean, 0, 1), atol=1e-6)
    np.testing.assert_allclose(out[3], np.clip(x, 0, 1), atol=1e-6)


def test_to_valid_rgb_decorrelate_needs_three_channels(sess):
    with pytest.raises(ValueError, match="3 colour channels"):
        color.to_valid_rgb(tf.zeros([1, 2, 2, 4]), decorrelate=True)


# ---------------------------------------------------------------- spatial


@pytest.mark.parametrize("h,w", [(4, 6), (5, 7), (1, 1), (8, 3)])
def test_rfft2d_freqs(h, w):
    freqs = spatial.rfft2d_freqs(h, w)
    fx = np.fft.fftfreq(w)[: w // 2 + 1 + w % 2]
    fy = np.fft.fftfreq(h)
    assert freqs.shape == (h, len(fx))
    np.testing.assert_allclose(freqs, np.sqrt(fy[:, None] ** 2 + fx[None, :] ** 2))


@pytest.mark.parametrize("shape", [(2, 6, 8, 3), (1, 7, 5, 2), (1, 3, 1, 1)])
def test_fft_image_initial_value_matches_numpy(sess, shape):
    batch, h, w, ch = shape
    t = spatial.fft_image(list(shape), decay_power=1.5)
    assert t.get_shape().as_list() == list(shape) and t.dtype == tf.float32
    (var,) = tf.compat.v1.trainable_variables()
    assert var.get_shape().as_list() == [2, batch, ch] + list(spatial.rfft2d_freqs(h, w).shape)
    _init(sess)
    v, out = sess.run([var, t])
    assert np.std(v) == pytest.approx(0.01, rel=0.3)
    freqs = spatial.rfft2d_freqs(h, w)
    scale = np.sqrt(w * h) / np.maximum(freqs, 1.0 / max(w, h)) ** 1.5
    spectrum = scale * (v[0] + 1j * v[1])
    expected = np.fft.irfft2(spectrum, s=(h, w + w % 2)).transpose(0, 2, 3, 1)[:, :h, :w, :] / 4.0
    np.testing.assert_allclose(out, expected, atol=1e-5)
    _assert_grads_reach_variables(sess, t)


def test_initial_values_follow_numpy_seed(sess):
    np.random.seed(7)
    a = spatial.pixel_image([1, 3, 3, 3])
    np.random.seed(7)
    b = spatial.pixel_image([1, 3, 3, 3])
    _init(sess)
    va, vb = sess.run([a, b])
    np.testing.assert_array_equal(va, vb)
    np.random.seed(7)
    np.testing.assert_array_equal(va, np.random.normal(size=(1, 3, 3, 3), scale=0.01).astype(np.float32))


def test_pixel_image(sess):
    t = spatial.pixel_image([2, 5, 6, 3], sd=0.5)
    assert isinstance(t, tf.Variable) and t.get_shape().as_list() == [2, 5, 6, 3]
    init = np.arange(6, dtype=np.float64).reshape([1, 2, 3, 1])
    with pytest.warns(UserWarning, match="ignoring sd"):
        u = spatial.pixel_image([1, 2, 3, 1], sd=0.1, init_val=init)
    _init(sess)
    assert np.std(sess.run(t)) == pytest.approx(0.5, rel=0.2)
    np.testing.assert_array_equal(sess.run(u), init.astype(np.float32))
    _assert_grads_reach_variables(sess, t, [t])


def test_laplacian_pyramid_image_list_and_tuple(sess):
    for shape in ([1, 16, 8, 3], (1, 16, 8, 3)):
        t = spatial.laplacian_pyramid_image(shape, n_levels=3)
        assert t.get_shape().as_list() == [1, 16, 8, 3]
    shapes = [v.get_shape().as_list() for v in tf.compat.v1.trainable_variables()]
    assert shapes == 2 * [[1, 16, 8, 3], [1, 8, 4, 3], [1, 4, 2, 3]]
    _init(sess)
    _assert_grads_reach_variables(sess, t, tf.compat.v1.trainable_variables()[3:])
    with pytest.raises(ValueError, match="n_levels"):
        spatial.laplacian_pyramid_image([1, 4, 4, 3], n_levels=4)


def test_bilinearly_sampled_image_matches_numpy(sess):
    texture = np.random.uniform(size=(4, 5, 2)).astype(np.float32)
    uv = np.random.uniform(-0.5, 1.5, size=(3, 6, 2)).astype(np.float32)
    h, w = texture.shape[:2]
    u = uv[..., 0] * w - 0.5
    v = (1 - uv[..., 1]) * h - 0.5
    u0, v0 = np.floor(u).astype(int), np.floor(v).astype(int)
    fu, fv = (u - u0)[..., None], (v - v0)[..., None]

    def tex(vi, ui):
        return texture[vi % h, ui % w]

    expected = (tex(v0, u0) * (1 - fu) + tex(v0, u0 + 1) * fu) * (1 - fv) + (
        tex(v0 + 1, u0) * (1 - fu) + tex(v0 + 1, u0 + 1) * fu
    ) * fv
    np.testing.assert_allclose(sess.run(spatial.bilinearly_sampled_image(texture, uv)), expected, atol=1e-5)


def test_deprecated_aliases_warn(sess):
    with pytest.warns(DeprecationWarning, match="pixel_image"):
        assert param.naive([1, 2, 2, 3]).get_shape().as_list() == [1, 2, 2, 3]
    with pytest.warns(DeprecationWarning, match="laplacian_pyramid_image"):
        assert param.laplacian_pyramid([1, 4, 4, 3], n_levels=2).get_shape().as_list() == [1, 4, 4, 3]
    with pytest.warns(DeprecationWarning, match="bilinearly_sampled_image"):
        spatial.sample_bilinear(np.zeros([2, 2, 1], np.float32), np.zeros([1, 1, 2], np.float32))


# ---------------------------------------------------------------- lowres, resize_bilinear_nd


def test_collapse_shape_examples():
    shape = [1, 2, 3, 4, 5]
    assert collapse_shape(shape, 0, 2) == [1, 1, 2, 60]
    assert collapse_shape(shape, 1, 3) == [1, 2, 3, 20]
    assert collapse_shape(shape, 2, 4) == [2, 3, 4, 5]
    assert collapse_shape(shape, 3, 5) == [6, 4, 5, 1]
    assert collapse_shape(shape, 4, 6) == [24, 5, 1, 1]
    assert collapse_shape([2, 3], -1, 1) == [1, 1, 2, 3]
    assert product([2, 3, 4]) == 24 and product([]) == 1


def test_resize_bilinear_nd_matches_v1_resize_bilinear(sess):
    x = np.random.uniform(size=(2, 3, 5, 4)).astype(np.float32)
    ours = resize_bilinear_nd(tf.constant(x), [2, 7, 4, 4])
    ref = tf.compat.v1.image.resize_bilinear(x, [7, 4], align_corners=False, half_pixel_centers=False)
    a, b = sess.run([ours, ref])
    np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(a, _np_resize_axis(_np_resize_axis(x, 1, 7), 2, 4), atol=1e-5)


def test_resize_bilinear_nd_any_rank(sess):
    x = np.random.uniform(size=(2, 3, 4, 2, 3)).astype(np.float32)
    target = [3, 3, 7, 5, 2]
    expected = x
    for axis, size in enumerate(target):
        expected = _np_resize_axis(expected, axis, size)
    out = resize_bilinear_nd(tf.constant(x), target)
    assert out.get_shape().as_list() == target
    np.testing.assert_allclose(sess.run(out), expected, atol=1e-5)
    with pytest.raises(ValueError, match="rank"):
        resize_bilinear_nd(tf.constant(x), [2, 3, 4])


def test_lowres_tensor_without_and_with_offset(sess):
    shape, under = [1, 8, 6, 3], [1, 4, 3, 3]
    plain = lowres.lowres_tensor(shape, under)
    shifted = lowres.lowres_tensor(shape, under, offset=True)
    ints = lowres.lowres_tensor(shape, under, offset=[0, 3, False, 0])
    assert [t.get_shape().as_list() for t in (plain, shifted, ints)] == 3 * [shape]
    v_plain, v_shifted, v_ints = tf.compat.v1.trainable_variables()
    _init(sess)
    values = sess.run([v_plain, v_shifted, v_ints, plain, shifted, ints])
    for var, out, offsets in zip(values[:3], values[3:], [[0] * 4, [0, 1, 1, 0], [0, 3, 0, 0]]):
        up = var
        for axis, size in enumerate(shape):
            up = _np_resize_axis(up, axis, size)
        padded = np.pad(up, [(o, 0) for o in offsets], mode="symmetric")
        np.testing.assert_allclose(out, padded[:, :8, :6, :], atol=1e-6)
    assert np.std(values[0]) == pytest.approx(0.01, rel=0.5)
    _assert_grads_reach_variables(sess, shifted, [v_shifted])


def test_lowres_offset_list_not_mutated(sess):
    offset = [False, True, True, False]
    lowres.lowres_tensor([1, 4, 4, 1], [1, 2, 2, 1], offset=offset)
    assert offset == [False, True, True, False]


# ---------------------------------------------------------------- images


@pytest.mark.parametrize(
    "kwargs,shape",
    [
        ({}, [1, 7, 8, 3]),
        ({"h": 5, "batch": 2}, [2, 5, 8, 3]),
        ({"alpha": True}, [1, 7, 8, 4]),
        ({"channels": 2, "fft": False}, [1, 7, 8, 2]),
        ({"decorrelate": False, "fft": False, "sd": 0.5}, [1, 7, 8, 3]),
    ],
)
def test_image_shapes_range_gradients(sess, kwargs, shape):
    if "h" not in kwargs:
        kwargs = dict(kwargs, h=7)
    t = param.image(8, **kwargs)
    assert t.get_shape().as_list() == shape and t.dtype == tf.float32
    _init(sess)
    value = sess.run(t)
    assert np.all((value > 0) & (value < 1))
    if "sd" not in kwargs:
        np.testing.assert_allclose(value, 0.5, atol=0.05)  # starts close to grey
    _assert_grads_reach_variables(sess, t)


def test_image_width_comes_first(sess):
    assert param.image(6, 4).get_shape().as_list() == [1, 4, 6, 3]


def test_grayscale_image_rgb(sess):
    t = param.grayscale_image_rgb(5, batch=2)
    assert t.get_shape().as_list() == [2, 5, 5, 3]
    _init(sess)
    value = sess.run(t)
    np.testing.assert_array_equal(value[..., 0], value[..., 2])
    _assert_grads_reach_variables(sess, t)


def test_shape_rank_validation(sess):
    with pytest.raises(ValueError, match="4 entries"):
        spatial.fft_image([8, 8, 3])
    with pytest.raises(ValueError, match="4 entries"):
        param.image_sample([1, 8, 8])
    with pytest.raises(ValueError, match="underlying_shape"):
        param.lowres_tensor([1, 8, 8, 3], [4, 4, 3])
    with pytest.raises(TypeError):
        spatial.pixel_image(8)
    with pytest.raises(TypeError, match="decay_power"):
        spatial.fft_image([1, 4, 4, 3], decay_power="1")
    assert not tf.compat.v1.global_variables()


# ---------------------------------------------------------------- random


def test_image_sample_varies_between_runs(sess):
    t = param.image_sample([2, 6, 5, 3], sd=0.5)
    assert t.get_shape().as_list() == [2, 6, 5, 3]
    assert not tf.compat.v1.global_variables()
    a, b = sess.run(t), sess.run(t)
    assert np.all((a > 0) & (a < 1))
    assert not np.allclose(a, b)
    raw = param.random.rand_fft_image([1, 4, 4, 2], sd=0.0)
    np.testing.assert_array_equal(sess.run(raw), np.zeros([1, 4, 4, 2]))


# ---------------------------------------------------------------- cppn


def test_cppn_shape_range_variables(sess):
    tf.compat.v1.set_random_seed(0)  # the cppn initializers draw from TF's RNG, like the original's slim layers
    t = param.cppn(6, batch=2, num_layers=2, num_hidden_channels=4)
    assert t.get_shape().as_list() == [2, 6, 6, 3]
    names = [v.name for v in tf.compat.v1.trainable_variables()]
    assert names == [
        "cppn/Conv/weights:0",
        "cppn/Conv/biases:0",
        "cppn/Conv_1/weights:0",
        "cppn/Conv_1/biases:0",
        "cppn/Conv_2/weights:0",
        "cppn/Conv_2/biases:0",
    ]
    shapes = [v.get_shape().as_list() for v in tf.compat.v1.trainable_variables()]
    assert shapes == [[1, 1, 2, 4], [4], [1, 1, 8, 4], [4], [1, 1, 8, 3], [3]]
    first_w, _, _, _, out_w, out_bias = tf.compat.v1.trainable_variables()
    _init(sess)
    value, first_w, out_w, out_bias = sess.run([t, first_w, out_w, out_bias])
    assert np.all((value > 0) & (value < 1))
    np.testing.assert_array_equal(out_w, 0)  # zero-initialized output layer: a flat colour per channel
    np.testing.assert_allclose(value, np.broadcast_to(1 / (1 + np.exp(-out_bias)), value.shape), rtol=1e-6)
    stddev = np.sqrt(1 / 2) / 0.87962566103423978  # variance scaling, fan_in = 2, truncated at 2 stddev
    assert np.all(np.abs(first_w) <= 2 * stddev + 1e-6) and np.abs(first_w).max() > 0.1
    grads = tf.gradients(tf.reduce_sum(t), tf.compat.v1.trainable_variables())
    assert all(g is not None for g in grads)


def test_cppn_normalize_and_activations(sess):
    t = param.cppn(5, num_layers=1, num_hidden_channels=3, normalize=True, activation_func=_relu_normalized_activation)
    assert t.get_shape().as_list() == [1, 5, 5, 3]
    names = [v.name for v in tf.compat.v1.trainable_variables()]
    assert "cppn/InstanceNorm/beta:0" in names
    param.cppn(5, num_layers=1)
    assert "cppn_1/Conv/weights:0" in [v.name for v in tf.compat.v1.trainable_variables()]
    x = np.linspace(-3, 3, 7).astype(np.float32)
    a = np.arctan(x)
    biased, unbiased, relu = sess.run(
        [_composite_activation(x), _composite_activation(x, biased=False), _relu_normalized_activation(x)]
    )
    np.testing.assert_allclose(biased, np.concatenate([a / 0.67, a * a / 0.6]), rtol=1e-5)
    np.testing.assert_allclose(unbiased, np.concatenate([a / 0.67, (a * a - 0.45) / 0.396]), rtol=1e-5)
    np.testing.assert_allclose(relu, (np.maximum(x, 0) - 0.4) / 0.58, rtol=1e-5)
    with pytest.raises(TypeError):
        param.cppn(5, activation_func="relu")


# ---------------------------------------------------------------- unit balls


def test_constrain_L2_value_and_gradient(sess):
    outside = tf.constant([3.0, 4.0])
    inside = tf.constant([0.3, 0.4])
    out = unit_balls.constrain_L2(outside)
    outward = tf.constant([1.0, 1.0])
    inward = tf.constant([-1.0, 0.0])
    g_out = tf.gradients(out, outside, grad_ys=outward)[0]
    g_in = tf.gradients(out, outside, grad_ys=inward)[0]
    g_inside = tf.gradients(unit_balls.constrain_L2(inside), inside, grad_ys=outward)[0]
    values = sess.run([out, g_out, g_in, g_inside])
    np.testing.assert_allclose(values[0], [0.6, 0.8], rtol=1e-6)
    radial = np.array([0.6, 0.8])
    np.testing.assert_allclose(values[1], [1, 1] - radial * radial.sum(), atol=1e-6)
    np.testing.assert_allclose(values[2], [-1, 0], atol=1e-6)
    np.testing.assert_allclose(values[3], [1, 1], atol=1e-6)


def test_constrain_L_inf_value_and_gradient(sess):
    x = tf.constant([-2.0, -0.5, 0.5, 2.0, 3.0])
    grad = tf.constant([-3.0, 2.0, -0.5, -1.0, 0.25])
    plain = tf.gradients(unit_balls.constrain_L_inf(x), x, grad_ys=grad)[0]
    sign = tf.gradients(unit_balls.constrain_L_inf_precondition(x), x, grad_ys=grad)[0]
    value, g_plain, g_sign = sess.run([unit_balls.constrain_L_inf(x), plain, sign])
    np.testing.assert_allclose(value, [-1, -0.5, 0.5, 1, 1])
    np.testing.assert_allclose(g_plain, [0, 2, -0.5, -1, 0])
    np.testing.assert_allclose(g_sign, [0, 1, -1, -1, 0])


def test_unit_balls_variables_get_gradients(sess):
    weights = tf.constant([[1.0, 2, 3], [4, 5, 6]])
    balls = [
        unit_balls.unit_ball_L2([2, 3]),
        unit_balls.unit_ball_L_inf([2, 3]),
        unit_balls.unit_ball_L_inf([2, 3], precondition=False),
    ]
    variables = tf.compat.v1.trainable_variables()
    grads = [tf.gradients(tf.reduce_sum(t * weights), [v])[0] for t, v in zip(balls, variables)]
    _init(sess)
    values = sess.run(balls + grads)
    for value in values[:3]:
        np.testing.assert_array_equal(value, np.zeros([2, 3]))
    np.testing.assert_allclose(values[3], [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_allclose(values[4], np.ones([2, 3]))  # preconditioned: the gradient's sign
    np.testing.assert_allclose(values[5], [[1, 2, 3], [4, 5, 6]])
