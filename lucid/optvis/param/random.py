"""Random images with the same spectrum statistics as `fft_image`, freshly sampled on every session run."""

import logging

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import validate_sd, validate_shape
from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.spatial import _spectrum_scale, _spectrum_to_image

log = logging.getLogger(__name__)


def image_sample(shape, decorrelate=True, sd=None, decay_power=1):
    """A random RGB image batch of `shape` [batch, h, w, 3] in (0, 1), new on every run."""
    return to_valid_rgb(rand_fft_image(shape, sd=sd, decay_power=decay_power), decorrelate=decorrelate)


def rand_fft_image(shape, sd=None, decay_power=1):
    """An unconstrained random image tensor of `shape` [batch, h, w, ch] from an N(0, sd) spectrum (sd 0.01)."""
    shape = validate_shape(shape, rank=4)
    sd = validate_sd(sd)
    sd = 0.01 if sd is None else sd
    batch, h, w, ch = shape
    scale = _spectrum_scale(h, w, decay_power)
    real_imag = tf.random.normal((2, batch, ch) + scale.shape) * np.float32(sd)
    return _spectrum_to_image(real_imag, scale, h, w)
