"""Map unconstrained tensors to valid RGB images, optionally through decorrelated colour space.

Optimizing in a space where the colour channels are decorrelated (the square root of ImageNet's colour
covariance, via SVD) gives better-behaved visualizations than optimizing raw RGB.
"""

import logging

import numpy as np
import tensorflow as tf

from lucid.optvis.param.unit_balls import constrain_L_inf

__all__ = [
    "color_correlation_svd_sqrt",
    "color_mean",
    "constrain_L_inf",
    "max_norm_svd_sqrt",
    "to_valid_rgb",
]

log = logging.getLogger(__name__)

color_correlation_svd_sqrt = np.asarray(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=np.float32
)
max_norm_svd_sqrt = np.max(np.linalg.norm(color_correlation_svd_sqrt, axis=0))
color_mean = [0.48, 0.46, 0.41]


def _linear_decorelate_color(t):
    """Multiply the last (colour) axis of `t` by the normalized colour correlation matrix."""
    t_flat = tf.reshape(t, [-1, 3])
    color_correlation_normalized = color_correlation_svd_sqrt / max_norm_svd_sqrt
    t_flat = tf.matmul(t_flat, color_correlation_normalized.T)
    result = tf.reshape(t_flat, tf.shape(t))
    result.set_shape(t.get_shape())
    return result


def to_valid_rgb(t, decorrelate=False, sigmoid=True):
    """Map `t` (last axis: 3 colour channels) to RGB values in [0, 1].

    decorrelate: treat `t` as living in decorrelated colour space (adds `color_mean` when not using sigmoid).
    sigmoid: squash with a sigmoid; otherwise clip into [0, 1] with a gradient that respects the clipping.
    """
    t = tf.convert_to_tensor(t, dtype=tf.float32)
    channels = t.get_shape().as_list()[-1] if t.get_shape().rank else None
    if decorrelate and channels not in (None, 3):
        raise ValueError(
            "to_valid_rgb(decorrelate=True) needs 3 colour channels on the last axis, got %d; "
            "pass decorrelate=False or slice t[..., :3]." % channels
        )
    if decorrelate:
        t = _linear_decorelate_color(t)
        if not sigmoid:
            t += color_mean
    if sigmoid:
        return tf.nn.sigmoid(t)
    return constrain_L_inf(2 * t - 1) / 2 + 0.5
