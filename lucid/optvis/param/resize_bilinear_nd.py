"""Bilinear resizing of tensors of any rank, plus the shape checks that params, transforms and objectives share.

TensorFlow only resizes the two spatial dims of a 4-D tensor, so an n-D resize walks the dims two at a time,
folding the others into the batch and channel dims (`collapse_shape`). Resizes use TF1 bilinear semantics
(`half_pixel_centers=False`), as the original library did.
"""
import logging
import numbers

import tensorflow as tf

log = logging.getLogger(__name__)


def validate_size(value, name, minimum=1):
    """Return `value` as an int, or raise if it is not an integer >= `minimum` (a size, a count...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s must be an integer, got %r of type %s." % (name, value, type(value).__name__))
    if not isinstance(value, numbers.Integral):
        raise ValueError("%s must be an integer, got %r; pass a whole number such as %d." % (name, value, int(value)))
    if value < minimum:
        raise ValueError("%s must be at least %d, got %d." % (name, minimum, value))
    return int(value)


def validate_shape(shape, rank=None, name="shape"):
    """Return `shape` as a list of positive ints, or raise if it is not one (of length `rank`, if given)."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError("%s must be a list or tuple of integers, got %r." % (name, shape))
    shape = list(shape)
    if rank is not None and len(shape) != rank:
        raise ValueError("%s must have %d entries, got %d: %r." % (name, rank, len(shape), shape))
    return [validate_size(n, "%s[%d]" % (name, i)) for i, n in enumerate(shape)]


def validate_sd(sd):
    """Return `sd` (None or a non-negative finite number), or raise: it scales random initial values."""
    if sd is None:
        return None
    if isinstance(sd, bool) or not isinstance(sd, numbers.Real):
        raise TypeError("sd must be a number or None, got %r of type %s." % (sd, type(sd).__name__))
    if not 0 <= sd < float("inf"):
        raise ValueError("sd must be a finite number >= 0, got %r." % sd)
    return sd


def require_size_at_run_time(t, axis, minimum, message):
    """`t`, made to depend on a check that its size along `axis` is at least `minimum` when the graph runs.

    For sizes unknown while the graph is built: models forget the image's height and width (so any size works),
    and random transforms change them at every step. A failing check stops the run (InvalidArgumentError) with
    `message` and the size found, instead of failing deep in TensorFlow or silently averaging an empty slice.
    """
    size = tf.shape(t)[axis]
    check = tf.debugging.Assert(size >= minimum, [message + " Size at this step:", size])
    with tf.control_dependencies([check]):
        return tf.identity(t)


def product(l):
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
