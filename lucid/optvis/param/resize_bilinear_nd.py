"""Bilinear resizing of tensors of any rank.

TensorFlow only resizes the two spatial dims of a 4-D tensor, so an n-D resize walks the dims two at a time,
folding the others into the batch and channel dims (`collapse_shape`). Resizes use TF1 bilinear semantics
(`half_pixel_centers=False`), as the original library did.
"""

import logging

import tensorflow as tf

from lucid.optvis.checks import validate_shape

__all__ = [
    "collapse_shape",
    "product",
    "resize_bilinear_nd",
]

log = logging.getLogger(__name__)


def product(l):  # noqa: E741 - the original's parameter name, which keyword callers use
    """Product of the entries of `l` (1 for an empty list)."""
    prod = 1
    for x in l:
        prod *= x
    return prod


def collapse_shape(shape, a, b):
    """Fold `shape` into 3 parts: the product of dims before `a`, dims `a:b` as they are, the product after `b`.

    Pads with 1s when `a < 0` or `b > len(shape)`. For shape [1, 2, 3, 4, 5]:
    (0, 2) -> [1, 1, 2, 60]; (1, 3) -> [1, 2, 3, 20]; (2, 4) -> [2, 3, 4, 5]; (3, 5) -> [6, 4, 5, 1].
    """
    shape = list(shape)
    if a < 0:
        return collapse_shape([1] * -a + shape, 0, b - a)
    if b > len(shape):
        return collapse_shape(shape + [1] * (b - len(shape)), a, b)
    return [product(shape[:a])] + shape[a:b] + [product(shape[b:])]


def resize_bilinear_nd(t, target_shape):
    """Bilinearly resize `t` (fully known static shape) to `target_shape` (same rank), two dims at a time."""
    shape = t.get_shape().as_list()
    target_shape = validate_shape(target_shape, name="target_shape")
    if None in shape:
        raise ValueError("resize_bilinear_nd needs a tensor of fully known static shape, got %s." % (shape,))
    if len(shape) != len(target_shape):
        raise ValueError(
            "resize_bilinear_nd: target_shape %s has rank %d but the tensor has rank %d (shape %s)."
            % (target_shape, len(target_shape), len(shape), shape)
        )
    d = 0
    while d < len(shape):
        if shape[d] == target_shape[d]:
            d += 1
            continue
        new_shape = shape[:]
        new_shape[d : d + 2] = target_shape[d : d + 2]
        t_4d = tf.reshape(t, collapse_shape(shape, d, d + 2))
        size = collapse_shape(new_shape, d, d + 2)[1:3]
        t_4d = tf.raw_ops.ResizeBilinear(images=t_4d, size=size, align_corners=False, half_pixel_centers=False)
        t = tf.reshape(t_4d, new_shape)
        shape = new_shape
        d += 2
    return t
