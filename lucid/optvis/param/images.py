"""High-level image parameterization: the usual entry point, `param.image(w)`."""

import logging

import tensorflow as tf

from lucid.optvis.checks import validate_size
from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.spatial import fft_image, pixel_image

__all__ = [
    "fft_image",
    "grayscale_image_rgb",
    "image",
    "pixel_image",
    "to_valid_rgb",
]

log = logging.getLogger(__name__)


def image(w, h=None, batch=None, sd=None, decorrelate=True, fft=True, alpha=False, channels=None):
    """A [batch, h, w, ch] image tensor in (0, 1) backed by a variable; initially close to 0.5 grey.

    w, h: width and height (h defaults to w). batch defaults to 1.
    fft: parameterize by a Fourier spectrum (`fft_image`) rather than raw pixels (`pixel_image`).
    decorrelate: optimize in decorrelated colour space (RGB only).
    alpha: add a fourth, alpha channel. channels: an explicit channel count instead; then every channel is
    a plain sigmoid of the parameter (no colour decorrelation, `alpha` ignored).
    """
    w = validate_size(w, "w")
    h = w if h is None else validate_size(h, "h")
    batch = 1 if batch is None else validate_size(batch, "batch")
    ch = (4 if alpha else 3) if channels is None else validate_size(channels, "channels")
    shape = [batch, h, w, ch]
    t = (fft_image if fft else pixel_image)(shape, sd=sd)
    if channels is not None:
        return tf.nn.sigmoid(t)
    output = to_valid_rgb(t[..., :3] if alpha else t, decorrelate=decorrelate, sigmoid=True)
    if alpha:
        output = tf.concat([output, tf.nn.sigmoid(t[..., 3:])], -1)
    return output


def grayscale_image_rgb(*args, **kwargs):
    """A one-channel `image(...)` repeated into 3 identical RGB channels."""
    return tf.tile(image(*args, channels=1, **kwargs), (1, 1, 1, 3))
