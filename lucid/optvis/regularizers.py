"""Regularizers: objectives on the image itself (or a layer) that keep it smooth, small or simple, used negated or
with a small weight beside a feature objective, e.g. `channel("mixed4a", 3) - 0.05 * total_variation()`.
Also importable from lucid.optvis.objectives, where the original had them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf
from numpy.typing import ArrayLike

from lucid.optvis.objective_base import ObjectiveFunc, wrap_objective
from lucid.optvis.objectives_util import static_dim

__all__ = [
    "L1",
    "L2",
    "blur_alpha_each_step",
    "blur_input_each_step",
    "penalize_boundary_complexity",
    "total_variation",
]


def _tf_blur(x, w=3):
    """Blur NHWC `x` per channel with a w x w kernel (0.5 on the border, 1 inside), normalised at the edges."""
    depth = static_dim(x, -1)
    if depth is None:
        raise ValueError("Blurring needs a known static channel count, but the tensor's shape is %s." % x.shape)
    kernel_2d = np.full([w, w], 0.5)
    kernel_2d[1:-1, 1:-1] = 1.0
    kernel = (kernel_2d[:, :, None, None] * np.eye(depth)).astype(x.dtype.as_numpy_dtype)

    def conv_k(t):
        return tf.nn.conv2d(t, kernel, [1, 1, 1, 1], "SAME")

    return conv_k(x) / conv_k(tf.ones_like(x))


@wrap_objective(handle_batch=True, reads=("layer",))
def total_variation(layer: str = "input") -> ObjectiveFunc:
    """Per-image total variation (sum of absolute neighbour differences), a `[B]` vector; use it negated."""
    return lambda T: tf.image.total_variation(T(layer))


@wrap_objective(handle_batch=True, reads=("layer",))
def L1(layer: str = "input", constant: ArrayLike = 0) -> ObjectiveFunc:
    """Sum of absolute differences from `constant`."""
    return lambda T: tf.reduce_sum(tf.abs(T(layer) - constant))


@wrap_objective(handle_batch=True, reads=("layer",))
def L2(layer: str = "input", constant: ArrayLike = 0, epsilon: float = 1e-6) -> ObjectiveFunc:
    """Euclidean distance from `constant` (epsilon keeps the gradient finite at zero)."""
    return lambda T: tf.sqrt(epsilon + tf.reduce_sum((T(layer) - constant) ** 2))


def _blur_step(x):
    """0.5 * ||x - blur(x)||^2 with the blur held constant: a step of size k on -value moves x k of the way
    toward its blur."""
    return 0.5 * tf.reduce_sum((x - tf.stop_gradient(_tf_blur(x))) ** 2)


@wrap_objective(reads=())
def blur_input_each_step() -> ObjectiveFunc:
    """Use negated: blurs the input image a little at every optimisation step."""
    return lambda T: _blur_step(T("input"))


@wrap_objective(reads=())
def blur_alpha_each_step() -> ObjectiveFunc:
    """Use negated: blurs the alpha channel (channel 3) of an RGBA input at every step."""
    return lambda T: _blur_step(T("input")[..., 3:4])


@wrap_objective(reads=())
def penalize_boundary_complexity(
    shp: Sequence[int], w: int = 20, mask: ArrayLike | None = None, C: float = 0.5
) -> ObjectiveFunc:
    """Negative penalty on detail and on distance from grey `C` inside `mask` (default: a border w pixels wide)."""
    if mask is None:
        mask = np.ones(shp, np.float32)
        mask[:, w:-w, w:-w] = 0

    def inner(T):
        arr = T("input")
        diffs = (_tf_blur(arr, w=5) - arr) ** 2 + 0.8 * (arr - C) ** 2
        return -tf.reduce_sum(diffs * tf.cast(mask, arr.dtype))

    return inner
