"""Low-resolution parameterization: a small variable bilinearly upsampled to the wanted shape."""

import logging

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import validate_sd, validate_shape
from lucid.optvis.param.resize_bilinear_nd import resize_bilinear_nd

__all__ = [
    "lowres_tensor",
    "resize_bilinear_nd",
]

log = logging.getLogger(__name__)


def lowres_tensor(shape, underlying_shape, offset=None, sd=None):
    """A tensor of `shape` made by bilinearly upsampling a variable of `underlying_shape` (same rank).

    offset: None, or one value or a list with one value per dim. True shifts that dim by half an upsampled
    pixel (`shape[n] / underlying_shape[n] / 2`), False or 0 by nothing, an int by that many pixels. The
    shift pads symmetrically in front and crops back to `shape`, so different offsets interleave their grids.
    """
    shape = validate_shape(shape)
    underlying_shape = validate_shape(underlying_shape, rank=len(shape), name="underlying_shape")
    sd = validate_sd(sd) or 0.01
    init_val = (sd * np.random.randn(*underlying_shape)).astype(np.float32)
    underlying_t = tf.Variable(init_val)
    t = resize_bilinear_nd(underlying_t, shape)
    if offset is not None:
        offset = _pixel_offsets(offset, shape, underlying_shape)
        t = tf.pad(t, [(o, 0) for o in offset], "SYMMETRIC")
        t = tf.slice(t, [0] * len(shape), shape)
    return t


def _pixel_offsets(offset, shape, underlying_shape):
    """Resolve `lowres_tensor`'s `offset` argument to one int per dim (the caller's list is not changed)."""
    offset = list(offset) if isinstance(offset, (list, tuple)) else len(shape) * [offset]
    if len(offset) != len(shape):
        raise ValueError("offset needs one entry per dim of shape %s, got %r." % (shape, offset))
    pixels = []
    for n, o in enumerate(offset):
        if o is True:
            o = shape[n] / underlying_shape[n] / 2
        elif o is False:
            o = 0
        o = int(o)
        if not 0 <= o <= shape[n]:
            raise ValueError("offset[%d] = %d must lie between 0 and shape[%d] = %d." % (n, o, n, shape[n]))
        pixels.append(o)
    return pixels
