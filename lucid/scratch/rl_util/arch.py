"""The convolutional network of the "Understanding RL Vision" agents, for building compatible graphs."""

import numpy as np
import tensorflow as tf


def _layer(name, x, shape, stride=None):
    init = tf.compat.v1.initializers.orthogonal(np.sqrt(2))
    with tf.compat.v1.variable_scope(name):
        w = tf.compat.v1.get_variable("w", shape, initializer=init)
        b = tf.compat.v1.get_variable("b", shape[-1:], initializer=tf.compat.v1.zeros_initializer())
    if stride is None:
        return tf.matmul(x, w) + b
    return tf.nn.conv2d(x, w, stride, "SAME") + b


def clear_cnn(unscaled_images, batch_norm=False):
    """Features [n, 256] of uint8-valued observations [n, h, w, c] (0..255) in the current graph and variable scope.

    Three convolutions (16 8x8/2, 32 4x4/2, 32 3x3/1; ReLU), each named `conv1`..`conv3`, then a ReLU dense layer
    `fc` of 256; with `batch_norm`, each convolution is batch-normalised over the batch (training statistics).
    """
    x = tf.cast(unscaled_images, tf.float32) / 255.0
    for name, (size, channels, stride) in zip(["conv1", "conv2", "conv3"], [(8, 16, 2), (4, 32, 2), (3, 32, 1)]):
        x = _layer(name, x, [size, size, x.shape[-1], channels], stride)
        if batch_norm:
            mean, variance = tf.nn.moments(x, axes=[0, 1, 2])
            x = tf.nn.batch_normalization(x, mean, variance, None, None, 1e-5)
        x = tf.nn.relu(x, name=name + "_relu")
    x = tf.reshape(x, [-1, int(np.prod(x.shape[1:]))])
    return tf.nn.relu(_layer("fc", x, [x.shape[-1], 256]), name="fc_relu")
