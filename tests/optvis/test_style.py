"""Style losses: Gram matrices and StyleLoss values against NumPy."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.optvis import style


def np_gram(a):
    flat = a.reshape(-1, a.shape[-1]).astype(np.float64)
    return flat.T @ flat / flat.shape[0]


def test_gram_style(sess):
    a = np.random.rand(2, 4, 5, 3).astype(np.float32)
    gram = style.gram_style(tf.constant(a))
    assert gram.shape.as_list() == [3, 3]
    assert gram.name.startswith("gram")
    np.testing.assert_allclose(sess.run(gram), np_gram(a), rtol=1e-5)


def test_gram_style_dynamic_positions(sess):
    ph = tf.compat.v1.placeholder(tf.float32, [None, None, None, 2])
    a = np.random.rand(1, 3, 7, 2).astype(np.float32)
    np.testing.assert_allclose(sess.run(style.gram_style(ph), {ph: a}), np_gram(a), rtol=1e-5)
    with pytest.raises(ValueError, match="static channel count"):
        style.gram_style(tf.compat.v1.placeholder(tf.float32, [None, 3, 3, None]))


def test_mean_losses(sess):
    g1, g2 = np.random.rand(4, 4), np.random.rand(4, 4)
    assert np.isclose(sess.run(style.mean_l1_loss(g1, g2)), np.abs(g1 - g2).mean())
    assert np.isclose(sess.run(style.mean_l2_loss(g1, g2)), np.sqrt(((g1 - g2) ** 2).mean()))


def _two_layers(x):
    """Two small 'style layers' of an image placeholder."""
    kernel = tf.constant(np.random.rand(3, 3, 3, 4).astype(np.float32))
    conv = tf.nn.relu(tf.nn.conv2d(x, kernel, [1, 1, 1, 1], "SAME"))
    return [x, conv], kernel


def _np_layers(img, kernel):
    p = np.pad(img, [(0, 0), (1, 1), (1, 1), (0, 0)])
    h, w = img.shape[1:3]
    conv = sum(np.einsum("bhwc,cd->bhwd", p[:, i : i + h, j : j + w], kernel[i, j]) for i in range(3) for j in range(3))
    return [img, np.maximum(conv, 0)]


@pytest.mark.parametrize(
    "loss_func, np_loss",
    [
        (style.mean_l1_loss, lambda g, t: np.abs(g - t).mean()),
        (style.mean_l2_loss, lambda g, t: np.sqrt(((g - t) ** 2).mean())),
    ],
)
def test_style_loss_after_set_style(sess, loss_func, np_loss):
    x = tf.compat.v1.placeholder(tf.float32, [1, 6, 6, 3])
    layers, kernel = _two_layers(x)
    loss = style.StyleLoss(layers, loss_func=loss_func)
    style_img, content = np.random.rand(2, 1, 6, 6, 3).astype(np.float32)
    sess.run(tf.compat.v1.global_variables_initializer())
    with sess.as_default():
        loss.set_style({x: style_img})
    kernel_ = sess.run(kernel)
    targets = [np_gram(a) for a in _np_layers(style_img, kernel_)]
    for var, target in zip(loss.target_vars, targets):
        np.testing.assert_allclose(sess.run(var), target, rtol=1e-4)
    want = sum(np_loss(np_gram(a), t) for a, t in zip(_np_layers(content, kernel_), targets))
    assert np.isclose(sess.run(loss.style_loss, {x: content}), want, rtol=1e-4)
    assert np.isclose(sess.run(loss.style_loss, {x: style_img}), 0, atol=1e-5)


def test_set_style_needs_default_session():
    with tf.Graph().as_default():  # no session made default
        x = tf.compat.v1.placeholder(tf.float32, [1, 4, 4, 3])
        loss = style.StyleLoss([x])
        with pytest.raises(ValueError, match="default session"):
            loss.set_style({x: np.zeros([1, 4, 4, 3])})


def test_ema_decay_averages_grams_but_keeps_gradient(sess):
    x = tf.compat.v1.placeholder(tf.float32, [1, 4, 4, 2])
    loss = style.StyleLoss([x], ema_decay=0.5)
    sess.run(tf.compat.v1.global_variables_initializer())
    img1, img2 = np.random.rand(2, 1, 4, 4, 2).astype(np.float32)
    g1, g2 = np_gram(img1), np_gram(img2)
    # Targets are zero; the shadow starts at zero (no debiasing): g1 / 2 after one step, g1 / 4 + g2 / 2 after two.
    assert np.isclose(sess.run(loss.style_loss, {x: img1}), np.abs(g1 / 2).mean(), rtol=1e-5)
    assert np.isclose(sess.run(loss.style_loss, {x: img2}), np.abs(g1 / 4 + g2 / 2).mean(), rtol=1e-5)
    grad = tf.gradients(loss.style_loss, x)[0]
    assert np.abs(sess.run(grad, {x: img2})).sum() > 0


def test_style_loss_needs_layers(sess):
    with pytest.raises(ValueError, match="at least one style layer"):
        style.StyleLoss([])
