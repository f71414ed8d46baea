"""lucid.recipes.circuits: expanded weights checked against a case computed by hand."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.modelzoo.vision_base import Model
from lucid.recipes.circuits import expanded_weights, strongest

# conv0 (1x1, weight 1) -> conv1 (2x2 kernel K1, VALID) -> ReLU -> max-pool 2x2 stride 2 -> conv2 (1x1, weights
# 2 and -1 into two channels). Into conv2's centre, the max-pool counts as an average (1/4 to each position of
# its window) and the ReLU as the identity, so the weight from conv0 at each input position is
# conv2's weight x 1/4 x (the sum of K1's taps that reach it through the window): K1 convolved with a 2x2 block
# of ones, times 2/4 (or -1/4).
K1 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
BY_HAND = 0.5 * np.array([[1.0, 3.0, 2.0], [4.0, 10.0, 6.0], [3.0, 7.0, 4.0]], np.float32)
SIZE = 9  # conv1: 8 x 8, pooled: 4 x 4, centre (2, 2): its window covers conv1's rows / columns 4-5, input 4-6


def _two_convolutions(multiply=False):
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="input")
        conv0 = tf.nn.conv2d(x[..., :1], tf.ones([1, 1, 1, 1]), 1, "VALID", name="conv0")
        conv1 = tf.nn.conv2d(conv0, tf.constant(K1[:, :, None, None]), 1, "VALID", name="conv1")
        pooled = tf.nn.max_pool2d(tf.nn.relu(conv1), 2, 2, "VALID")
        if multiply:  # a squeeze-excite-like gate: the path is no longer linear
            pooled = pooled * tf.reduce_mean(pooled, [1, 2], keepdims=True)
        tf.nn.conv2d(pooled, tf.constant([[[[2.0, -1.0]]]]), 1, "VALID", name="conv2")

    class TwoConvolutions(Model):
        model_path = "two convolutions (in memory)"
        image_shape = [SIZE, SIZE, 3]
        image_value_range = (0, 1)
        input_name = "input"
        _graph_def = graph.as_graph_def()

    return TwoConvolutions()


def test_expanded_weights_match_the_hand_computed_case():
    weights, linear = expanded_weights(_two_convolutions(), "conv0", "conv2")
    assert linear and weights.shape == (2, SIZE, SIZE, 1)
    expected = np.zeros((2, SIZE, SIZE, 1), np.float32)
    expected[0, 4:7, 4:7, 0] = BY_HAND
    expected[1, 4:7, 4:7, 0] = -BY_HAND / 2
    np.testing.assert_allclose(weights, expected, atol=1e-6)
    assert weights[0].sum() == pytest.approx(20.0) and weights[1].sum() == pytest.approx(-10.0)
    # One channel at a time gives the same weights.
    only_first, _ = expanded_weights(_two_convolutions(), "conv0", "conv2", channels=[1], batch_size=1)
    np.testing.assert_allclose(only_first, expected[1:], atol=1e-6)


def test_a_multiplicative_path_gives_the_mean_gradient_and_says_so():
    images = np.random.RandomState(1).uniform(size=(3, SIZE, SIZE, 3)).astype(np.float32)
    weights, linear = expanded_weights(_two_convolutions(multiply=True), "conv0", "conv2", images=images)
    assert not linear and weights.shape == (2, SIZE, SIZE, 1) and np.abs(weights).max() > 0


def test_strongest_orders_each_sign():
    assert strongest([0.5, -2.0, 3.0, 0.0, -0.1], k=2) == ([2, 0], [1, 4])
    assert strongest([1.0, 2.0], k=8) == ([1, 0], [])


def test_bad_layers_are_named():
    model = _two_convolutions()
    with pytest.raises(ValueError, match="does not depend"):
        expanded_weights(model, "conv2", "conv0")
    with pytest.raises(ValueError, match="channels of 'conv2'"):
        expanded_weights(model, "conv0", "conv2", channels=[5])
