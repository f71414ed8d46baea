"""The convolutional network of the "Understanding RL Vision" agents, for building compatible graphs."""

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1


def _dense(x, units, name):
    """A ReLU dense layer with tf.layers' variables `<name>/kernel` (Glorot uniform) and `<name>/bias` (zeros)."""
    with v1.variable_scope(name):
        kernel = v1.get_variable("kernel", [x.shape[-1], units], initializer=v1.glorot_uniform_initializer())
        bias = v1.get_variable("bias", [units], initializer=v1.zeros_initializer())
    return tf.nn.relu(tf.matmul(x, kernel) + bias)


def _conv(x, filters, size, batch_norm):
    """A SAME convolution (`conv2d/kernel`, `conv2d/bias`), optionally tf.layers' batch normalization in
    inference mode (`batch_normalization/gamma, beta, moving_mean, moving_variance`, epsilon 1e-3), then ReLU."""
    with v1.variable_scope("conv2d"):
        kernel = v1.get_variable(
            "kernel", [size, size, x.shape[-1], filters], initializer=v1.glorot_uniform_initializer()
        )
        bias = v1.get_variable("bias", [filters], initializer=v1.zeros_initializer())
    x = tf.nn.conv2d(x, kernel, strides=1, padding="SAME") + bias
    if batch_norm:
        with v1.variable_scope("batch_normalization"):
            gamma = v1.get_variable("gamma", [filters], initializer=v1.ones_initializer())
            beta = v1.get_variable("beta", [filters], initializer=v1.zeros_initializer())
            mean = v1.get_variable("moving_mean", [filters], initializer=v1.zeros_initializer(), trainable=False)
            variance = v1.get_variable("moving_variance", [filters], initializer=v1.ones_initializer(), trainable=False)
        x = tf.nn.batch_normalization(x, mean, variance, beta, gamma, 1e-3)
    return tf.nn.relu(x)


def _pool_l2(x, size):
    """L2 pooling with the pool size as stride: sqrt(mean of squares + 1e-8)."""
    return tf.sqrt(tf.nn.avg_pool2d(x**2, size, size, "SAME") + 1e-8)


def clear_cnn(unscaled_images, batch_norm=False):
    """Features [n, 512] of observations [n, h, w, c] with values 0..255, built in the current graph and
    variable scope as the original's tf.layers network: convolutions 1a (16 7x7), 2a, 2b, 3a, 4a (32 5x5 each),
    L2 pooling by 2 after 1a, 2b, 3a and 4a, then ReLU dense layers of 256 and 512 (`dense`, `dense_1`).

    Made for interpretability: no residual connections, pool size equal to the stride (no gradient gridding),
    L2 instead of max pooling (continuous gradients), dense layers for non-visual processing.
    """
    out = tf.cast(unscaled_images, tf.float32) / 255.0
    layers = [("1a", 16, 7, 2), ("2a", 32, 5, None), ("2b", 32, 5, 2), ("3a", 32, 5, 2), ("4a", 32, 5, 2)]
    for scope, filters, size, pool in layers:
        with v1.variable_scope(scope):
            out = _conv(out, filters, size, batch_norm)
            out = out if pool is None else _pool_l2(out, pool)
    out = tf.reshape(out, [-1, int(np.prod(out.shape[1:]))])
    out = _dense(out, 256, "dense")
    return _dense(out, 512, "dense_1")
