"""Random images with the same spectrum statistics as `fft_image`, freshly sampled on every session run."""

import logging

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import validate_sd, validate_shape
from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.spatial import rfft2d_freqs, spectrum_scale, spectrum_to_image  # noqa: F401

__all__ = [
    "image_sample",
    "rand_fft_image",
    "rfft2d_freqs",
    "to_valid_rgb",
]

log = logging.getLogger(__name__)


def image_sample(shape, decorrelate=True, sd=None, decay_power=1):
    """A random RGB image batch of `shape` [batch, h, w, 3] in (0, 1), new on every run."""
    return to_valid_rgb(rand_fft_image(shape, sd=sd, decay_power=decay_power), decorrelate=decorrelate)


def rand_fft_image(shape, sd=None, decay_power=1):
    """An unconstrained random image tensor of `shape` [batch, h, w, ch] from an N(0, sd) spectrum (sd 0.01).

    `shape` may also be a 1-D int tensor (e.g. `tf.shape(t)` after random transforms): the sizes are then read
    when the graph runs.
    """
    sd = validate_sd(sd)
    sd = 0.01 if sd is None else sd
    if tf.is_tensor(shape):
        return _rand_fft_image_at_run_time(shape, sd, decay_power)
    shape = validate_shape(shape, rank=4)
    batch, h, w, ch = shape
    scale = spectrum_scale(h, w, decay_power)
    real_imag = tf.random.normal((2, batch, ch) + scale.shape) * np.float32(sd)
    return spectrum_to_image(real_imag, scale, h, w)


def _rand_fft_image_at_run_time(shape, sd, decay_power):
    """`rand_fft_image` for a shape tensor: the same frequency scaling (`spectrum_scale`), computed in the graph."""
    batch, h, w, ch = tf.unstack(tf.cast(shape, tf.int32), num=4)
    even_w = w + w % 2  # an odd width is made by cropping one column off the next even one, as in fft_image
    hf, wf = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
    # |frequency| of each row and rfft column, in cycles per pixel of the h x w image (as np.fft.fftfreq).
    rows, columns = tf.range(h), tf.range(even_w // 2 + 1)
    fy = tf.cast(tf.minimum(rows, h - rows), tf.float32)[:, None] / hf
    fx = tf.cast(tf.minimum(columns, w - columns), tf.float32)[None, :] / wf
    freqs = tf.sqrt(fx * fx + fy * fy)
    scale = tf.sqrt(wf * hf) / tf.maximum(freqs, 1.0 / tf.maximum(wf, hf)) ** decay_power / 4.0
    real, imag = tf.unstack(tf.random.normal(tf.stack([2, batch, ch, h, even_w // 2 + 1])) * np.float32(sd))
    spectrum = tf.complex(real * scale, imag * scale)
    image = tf.transpose(tf.signal.irfft2d(spectrum, fft_length=tf.stack([h, even_w])), (0, 2, 3, 1))
    return image[:, :, :w, :]
