"""Compositional pattern-producing network (CPPN) image parameterization.

A small per-pixel MLP (1x1 convolutions) maps (x, y) coordinates to RGB, giving smooth, resolution-free
images. Variables live in a `cppn` variable scope, one `Conv`, `Conv_1`, ... scope per layer (as slim named
them), holding `weights` and `biases`; instance norms, if any, in `InstanceNorm`, `InstanceNorm_1`, ... (holding
`beta` and `gamma`)
"""

import logging

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import validate_size

__all__ = [
    "cppn",
]

log = logging.getLogger(__name__)


def _composite_activation(x, biased=True):
    """atan(x) and its square, each roughly normalized; doubles the channel count."""
    x = tf.atan(x)
    coeffs, means = ((0.67, 0.6), (0, 0)) if biased else ((0.67, 0.396), (0, 0.45))
    return tf.concat([(x - means[0]) / coeffs[0], (x * x - means[1]) / coeffs[1]], -1)


def _relu_normalized_activation(x):
    """ReLU shifted and scaled to roughly zero mean, unit variance for unit-normal inputs."""
    return (tf.nn.relu(x) - 0.40) / 0.58


def _numbered(name, i):
    """slim's scope naming: `name`, `name_1`, `name_2`, ..."""
    return name if i == 0 else "%s_%d" % (name, i)


def _conv1x1(x, out_channels, scope, weights_initializer):
    """1x1 convolution with biases ~ N(0, 0.1), its variables in `scope`."""
    in_channels = x.get_shape().as_list()[-1]
    with tf.compat.v1.variable_scope(scope):
        weights = tf.compat.v1.get_variable(
            "weights", [1, 1, in_channels, out_channels], initializer=weights_initializer
        )
        biases = tf.compat.v1.get_variable(
            "biases", [out_channels], initializer=tf.compat.v1.random_normal_initializer(0.0, 0.1)
        )
    return tf.nn.conv2d(x, weights, strides=[1, 1, 1, 1], padding="SAME") + biases


def _instance_norm(x, scope, epsilon=1e-6):
    """Normalize each channel of each image over its pixels, then scale by a learned `gamma` (starts at 1) and
    offset by a learned `beta` (starts at 0): slim.instance_norm's defaults, which the original used."""
    depth = x.get_shape().as_list()[-1]
    with tf.compat.v1.variable_scope(scope):
        beta = tf.compat.v1.get_variable("beta", [depth], initializer=tf.zeros_initializer())
        gamma = tf.compat.v1.get_variable("gamma", [depth], initializer=tf.ones_initializer())
    mean, variance = tf.nn.moments(x, [1, 2], keepdims=True)
    return tf.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)


def cppn(
    width,
    batch=1,
    num_output_channels=3,
    num_hidden_channels=24,
    num_layers=8,
    activation_func=_composite_activation,
    normalize=False,
):
    """A [batch, width, width, num_output_channels] image in (0, 1) from a CPPN shared across the batch.

    The output layer's weights start at zero, so the image starts as a flat colour set by its biases.
    """
    width = validate_size(width, "width")
    batch = validate_size(batch, "batch")
    num_output_channels = validate_size(num_output_channels, "num_output_channels")
    num_hidden_channels = validate_size(num_hidden_channels, "num_hidden_channels")
    num_layers = validate_size(num_layers, "num_layers", minimum=0)
    if not callable(activation_func):
        raise TypeError("activation_func must be callable, got %r." % (activation_func,))
    r = 3.0**0.5
    coord_range = np.linspace(-r, r, width, dtype=np.float32)
    y, x = np.meshgrid(coord_range, coord_range, indexing="ij")
    net = tf.constant(np.stack([np.stack([x, y], -1)] * batch, 0))
    hidden_init = tf.compat.v1.variance_scaling_initializer(scale=1.0, mode="fan_in", distribution="truncated_normal")
    with tf.compat.v1.variable_scope(None, default_name="cppn"):
        for i in range(num_layers):
            net = _conv1x1(net, num_hidden_channels, _numbered("Conv", i), hidden_init)
            if normalize:
                net = _instance_norm(net, _numbered("InstanceNorm", i))
            net = activation_func(net)
        net = _conv1x1(net, num_output_channels, _numbered("Conv", num_layers), tf.zeros_initializer())
    return tf.nn.sigmoid(net)
