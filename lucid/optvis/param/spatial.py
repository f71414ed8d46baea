"""Spatial parameterizations of images: raw pixels, Fourier spectrum, Laplacian pyramid, texture sampling."""

import logging
import numbers
import warnings

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import validate_sd, validate_shape, validate_size
from lucid.optvis.param.lowres import lowres_tensor

__all__ = [
    "bilinearly_sampled_image",
    "fft_image",
    "laplacian_pyramid",
    "laplacian_pyramid_image",
    "lowres_tensor",
    "naive",
    "pixel_image",
    "rfft2d_freqs",
    "sample_bilinear",
    "spectrum_scale",
    "spectrum_to_image",
]

log = logging.getLogger(__name__)


def pixel_image(shape, sd=None, init_val=None):
    """A float32 `tf.Variable` of `shape`: `init_val` if given, else N(0, sd) noise (sd defaults to 0.01)."""
    shape = validate_shape(shape)
    if sd is not None and init_val is not None:
        warnings.warn(
            "pixel_image received both an initial value and a sd argument; ignoring sd in favor of init_val.",
            stacklevel=2,
        )
    sd = validate_sd(sd) or 0.01
    if init_val is None:
        init_val = np.random.normal(size=shape, scale=sd).astype(np.float32)
    else:
        init_val = np.asarray(init_val, dtype=np.float32)
        if list(init_val.shape) != shape:
            raise ValueError("init_val has shape %s but shape is %s; pass matching ones." % (init_val.shape, shape))
        if not np.all(np.isfinite(init_val)):
            raise ValueError("init_val contains NaN or infinite values; pass finite numbers.")
    return tf.Variable(init_val)


def rfft2d_freqs(h, w):
    """Frequency magnitudes of the `irfft2d` spectrum of an h x w image: shape [h, w//2 + 1 (+1 if w is odd)]."""
    fy = np.fft.fftfreq(h)[:, None]
    # An odd width keeps one extra column: irfft2d then yields w + 1 columns, the last one cropped by callers.
    fx = np.fft.fftfreq(w)[: w // 2 + (2 if w % 2 else 1)]
    return np.sqrt(fx * fx + fy * fy)


def spectrum_scale(h, w, decay_power):
    """Per-frequency scale (float32) that makes all frequencies start with comparable energy."""
    if isinstance(decay_power, bool) or not isinstance(decay_power, numbers.Real):
        raise TypeError("decay_power must be a number, got %r." % (decay_power,))
    freqs = rfft2d_freqs(h, w)
    scale = 1.0 / np.maximum(freqs, 1.0 / max(w, h)) ** decay_power
    return (scale * np.sqrt(w * h)).astype(np.float32)


def spectrum_to_image(real_imag, scale, h, w):
    """h x w images [batch, h, w, ch] from spectra `real_imag` [2, batch, ch] + scale.shape (real, imaginary)."""
    # unstack, not real_imag[0]: the gradient of a strided slice costs more than the whole FFT here. The
    # original's final "/ 4" is folded into the constant scale.
    real, imag = tf.unstack(real_imag)
    scale = scale / 4.0
    spectrum = tf.complex(real * scale, imag * scale)
    # An explicit length keeps w = 1 working (its single frequency column would otherwise give 0 columns).
    image = tf.transpose(tf.signal.irfft2d(spectrum, fft_length=[h, w + w % 2]), (0, 2, 3, 1))
    return image[:, :, :w, :] if w % 2 else image


def fft_image(shape, sd=None, decay_power=1):
    """An unconstrained image tensor of `shape` [batch, h, w, ch], parameterized by a Fourier spectrum variable.

    The variable, of shape (2, batch, ch) + rfft2d_freqs(h, w).shape, holds real and imaginary parts drawn
    from N(0, sd) (sd defaults to 0.01); frequencies are scaled by 1 / freq**decay_power. Feed the result to
    `to_valid_rgb`.
    """
    shape = validate_shape(shape, rank=4)
    sd = validate_sd(sd) or 0.01
    batch, h, w, ch = shape
    scale = spectrum_scale(h, w, decay_power)
    init_val = np.random.normal(size=(2, batch, ch) + scale.shape, scale=sd).astype(np.float32)
    return spectrum_to_image(tf.Variable(init_val), scale, h, w)


def laplacian_pyramid_image(shape, n_levels=4, sd=None):
    """An unconstrained image tensor: the sum of `n_levels` lowres tensors, each at half the previous size.

    The last three entries of `shape` are taken as (w, h, ch) when sizing the levels, as in the original.
    """
    shape = validate_shape(shape)
    if len(shape) < 3:
        raise ValueError("laplacian_pyramid_image needs a shape with at least 3 dims, got %s." % (shape,))
    n_levels = validate_size(n_levels, "n_levels")
    batch_dims = shape[:-3]
    w, h, ch = shape[-3:]
    if min(w, h) < 2 ** (n_levels - 1):
        raise ValueError(
            "n_levels=%d halves the size %d times, too often for %s; use n_levels <= %d."
            % (n_levels, n_levels - 1, shape, min(w, h).bit_length())
        )
    pyramid = 0
    for n in range(n_levels):
        k = 2**n
        pyramid += lowres_tensor(shape, batch_dims + [w // k, h // k, ch], sd=sd)
    return pyramid


def bilinearly_sampled_image(texture, uv):
    """Sample `texture` [th, tw, C] at coordinates `uv` [..., 2] in [0, 1], bilinearly and with wrap-around.

    Follows OpenGL conventions: v points up (row 0 is the top at v = 1), texel centres sit at half-integers,
    and coordinates outside [0, 1] repeat the texture.
    """
    texture = tf.convert_to_tensor(texture, dtype=tf.float32)
    uv = tf.convert_to_tensor(uv, dtype=tf.float32)
    h, w = tf.unstack(tf.shape(texture)[:2])
    u, v = tf.split(uv, 2, axis=-1)
    v = 1.0 - v
    u = u * tf.cast(w, tf.float32) - 0.5
    v = v * tf.cast(h, tf.float32) - 0.5
    u0, v0 = tf.floor(u), tf.floor(v)
    u_weight, v_weight = u - u0, v - v0
    u0, v0 = tf.cast(u0, tf.int32), tf.cast(v0, tf.int32)
    u0, u1 = u0 % w, (u0 + 1) % w
    v0, v1 = v0 % h, (v0 + 1) % h

    def texel(vi, ui):
        return tf.gather_nd(texture, tf.concat([vi, ui], -1))

    top = texel(v0, u0) * (1.0 - u_weight) + texel(v0, u1) * u_weight
    bottom = texel(v1, u0) * (1.0 - u_weight) + texel(v1, u1) * u_weight
    return top * (1.0 - v_weight) + bottom * v_weight


def _deprecated(old, new):
    warnings.warn("%s is deprecated, use %s instead." % (old, new), DeprecationWarning, stacklevel=3)


def naive(shape, sd=None):
    """Deprecated alias of `pixel_image`."""
    _deprecated("naive", "pixel_image")
    return pixel_image(shape, sd=sd)


def laplacian_pyramid(shape, n_levels=4, sd=None):
    """Deprecated alias of `laplacian_pyramid_image`."""
    _deprecated("laplacian_pyramid", "laplacian_pyramid_image")
    return laplacian_pyramid_image(shape, n_levels=n_levels, sd=sd)


def sample_bilinear(texture, uv):
    """Deprecated alias of `bilinearly_sampled_image`."""
    _deprecated("sample_bilinear", "bilinearly_sampled_image")
    return bilinearly_sampled_image(texture, uv)
