"""The fast path of a render (`fast=True`): the default image and the late ReLU gradients computed with fewer,
larger ops. The numbers differ from the original's (matrix products instead of TF's FFT, TF's ReluGrad after the
redirected steps), the distributions do not: the same Fourier parameterization and initial values, the same
gradient rule except at inputs of exactly 0. The transforms are the standard ones: a single affine resampling
of the same jitter, scale and rotation was faster but lost class-visualization quality in every variant tried
(README), so it was dropped. Quality: benchmarks/bench_precision_quality.py --fast.

    image(128)             # like param.image(128): the inverse real FFT and colour decorrelation as matrix products
    relu_overrides()       # like overrides.relu_overrides(), the late steps' gradient one ReluGrad op
"""

from contextlib import AbstractContextManager

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import validate_size
from lucid.optvis.overrides.gradient_override import gradient_override_map
from lucid.optvis.overrides.redirected_relu_grad import redirected_relu6_grad, redirected_relu_grad
from lucid.optvis.param.color import color_correlation_svd_sqrt, max_norm_svd_sqrt
from lucid.optvis.param.spatial import spectrum_scale

__all__ = [
    "VERSION",
    "image",
    "relu_overrides",
    "spectrum_to_image_matrices",
]

# The fast path's revision, the value of the store keys' "fast" setting: a store never counts a unit that an
# earlier fast path rendered (revision 1, true in its keys: a fused resampling for the transforms) as done.
VERSION = 2


def _inverse_rdft_matrices(n, columns):
    """Real matrices of the inverse DFT along one axis of length `n`: (cos, sin) [n, columns], for the first
    `columns` frequencies."""
    k = np.arange(columns)[None, :]
    x = np.arange(n)[:, None]
    angle = 2 * np.pi * ((k * x) % n) / n
    return np.cos(angle), np.sin(angle)


def spectrum_to_image_matrices(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows [2h, 2h], columns [2 * wf, w]) such that, for the stacked real and imaginary parts S = [Re; Im] of an
    irfft2d spectrum [h, wf] (wf = `rfft2d_freqs(h, w).shape[1]`), `flatten([Yr, Yi]) @ columns` with
    `[Yr; Yi] = rows @ S` is irfft2d(S) cropped to w columns, as spectrum_to_image computes it."""
    length = w + w % 2  # spectrum_to_image's fft_length: an odd width keeps one more column and crops it
    wf = length // 2 + 1
    cos_h, sin_h = _inverse_rdft_matrices(h, h)
    rows = np.block([[cos_h, -sin_h], [sin_h, cos_h]])
    cos_w, sin_w = _inverse_rdft_matrices(length, wf)
    # A real signal's spectrum counts every frequency but the zero and Nyquist ones twice; their imaginary
    # parts drop out, as irfft drops them.
    weight = np.full(wf, 2.0)
    weight[0] = weight[-1] = 1.0
    columns = np.concatenate([(weight * cos_w).T, -(weight * sin_w).T])[:, :w] / (h * length)
    return rows.astype(np.float32), columns.astype(np.float32)


def image(
    w: int, h: int | None = None, batch: int | None = None, sd: float | None = None, decay_power: float = 1
) -> tf.Tensor:
    """A [batch, h, w, 3] image in (0, 1) like `param.image(w, h, batch, sd)` (Fourier, decorrelated colour,
    sigmoid; the same initial spectrum for the same NumPy seed), computed as two matrix products, which use every
    core, instead of TF's single-threaded complex FFT."""
    w = validate_size(w, "w")
    h = w if h is None else validate_size(h, "h")
    batch = 1 if batch is None else validate_size(batch, "batch")
    sd = 0.01 if sd is None else sd
    scale = spectrum_scale(h, w, decay_power) / 4.0  # spectrum_to_image's "/ 4"
    wf = scale.shape[1]
    init = np.random.normal(size=(2, batch, 3, h, wf), scale=sd).astype(np.float32)
    # Held as [2, h, batch, 3, wf]: the first product contracts (real/imaginary, frequency row) with a reshape.
    spectrum = tf.Variable(init.transpose(0, 3, 1, 2, 4)) * scale[None, :, None, None, :]
    rows, columns = spectrum_to_image_matrices(h, w)
    mixed = tf.matmul(rows, tf.reshape(spectrum, [2 * h, batch * 3 * wf]))
    mixed = tf.transpose(tf.reshape(mixed, [2, h, batch, 3, wf]), [2, 1, 3, 0, 4])
    pixels = tf.matmul(tf.reshape(mixed, [batch * h * 3, 2 * wf]), columns)  # [batch * h * 3, w]
    color = (color_correlation_svd_sqrt / max_norm_svd_sqrt).astype(np.float32)
    rgb = tf.einsum("bhcw,dc->bhwd", tf.reshape(pixels, [batch, h, 3, w]), color)
    return tf.nn.sigmoid(rgb)


def _fused_relu_grad(op, grad):
    """The redirected ReLU gradient, whose plain (late) branch is TF's one ReluGrad op (0 at an input of exactly
    0, where the original passes the gradient) instead of a where(x < 0) of three ops."""
    return redirected_relu_grad(op, grad, plain_grad=_relu_grad)


def _relu_grad(x, grad):
    return tf.raw_ops.ReluGrad(gradients=grad, features=x)


def _fused_relu6_grad(op, grad):
    """As _fused_relu_grad, for Relu6 (TF's Relu6Grad)."""
    return redirected_relu6_grad(op, grad, plain_grad=_relu6_grad)


def _relu6_grad(x, grad):
    return tf.raw_ops.Relu6Grad(gradients=grad, features=x)


def relu_overrides() -> AbstractContextManager[None]:
    """The redirected ReLU gradients of overrides.relu_overrides(), with the fused late branch."""
    return gradient_override_map({"Relu": _fused_relu_grad, "Relu6": _fused_relu6_grad})
