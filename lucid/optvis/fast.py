"""The fast path of a render (`fast=True`): the default image, transforms and ReLU gradients computed with fewer,
larger ops. The numbers differ from the original's (bilinear instead of nearest-pixel rotation, one sampling
instead of five transforms, TF's ReluGrad after the redirected steps), the distributions do not: the same
Fourier parameterization and initial values, the same random jitter, scales and angles, the same gradient rule
except at inputs of exactly 0. Quality, measured in benchmarks/bench_precision_quality.py (--fast), is lower on
class visualizations (README), and the transform is what loses it (ablation in the README).

    image(128)             # like param.image(128): the inverse real FFT and colour decorrelation as matrix products
    standard_transform()   # like transform.standard_transforms, as one affine bilinear resampling of fixed size
    relu_overrides()       # like overrides.relu_overrides(), the late steps' gradient one ReluGrad op
"""

from collections.abc import Callable
from contextlib import AbstractContextManager

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import validate_size
from lucid.optvis.overrides.gradient_override import gradient_override_map
from lucid.optvis.overrides.redirected_relu_grad import redirected_relu6_grad, redirected_relu_grad
from lucid.optvis.param.color import color_correlation_svd_sqrt, max_norm_svd_sqrt
from lucid.optvis.param.spatial import spectrum_scale

__all__ = [
    "ANGLES_DEGREES",
    "image",
    "relu_overrides",
    "SCALES",
    "spectrum_to_image_matrices",
    "standard_transform",
]

# The standard transforms' settings (transform.standard_transforms): pad, the two jitters, scales, angles.
PAD, JITTER, LATE_JITTER = 12, 8, 4
SCALES = [1 + (i - 5) / 50.0 for i in range(11)]
ANGLES_DEGREES = list(range(-10, 11)) + 5 * [0]


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


def standard_transform(seed: int | None = None) -> Callable[[tf.Tensor], tf.Tensor]:
    """One transform that samples what `transform.standard_transforms` would show the model: pad 12 (grey 0.5),
    jitter 8, a scale from SCALES, a rotation from ANGLES_DEGREES, jitter 4, each image of the batch its own
    draw. One bilinear resampling of the image through the composed affine map, to a fixed size (the size at
    scale 1: h + 12), so the model sees one image shape every step; outside the image it reads 0.5."""

    def inner(t_image: tf.Tensor) -> tf.Tensor:
        t_image = tf.convert_to_tensor(t_image)
        batch, h, w, channels = t_image.shape.as_list()
        if None in (batch, h, w):
            raise ValueError("fast.standard_transform needs images of static shape, got %s." % (t_image.shape,))
        out_h, out_w = (size + 2 * PAD - JITTER - LATE_JITTER for size in (h, w))
        source_x, source_y = _affine_sources(batch, h, w, out_h, out_w, seed)
        return _sample_bilinear(t_image, source_x, source_y)

    return inner


def _affine_sources(batch, h, w, out_h, out_w, seed):
    """Source coordinates (x, y), each [batch, out_h, out_w], in the unpadded image, of the output pixels: the
    standard transforms' chain (pad, crop at a jitter offset, scale, rotate about the centre, crop again) as one
    affine map per image, drawn anew every run."""

    def choice(values):
        index = tf.random.uniform([batch], 0, len(values), dtype=tf.int32, seed=seed)
        return tf.gather(tf.constant(values, tf.float32), index)[:, None, None]

    def offset(limit):
        return tf.cast(tf.random.uniform([batch, 2], 0, limit + 1, dtype=tf.int32, seed=seed), tf.float32)

    scale = choice(SCALES)
    angle = choice([3.14 * a / 180.0 for a in ANGLES_DEGREES])  # the original's 3.14, not pi
    early, late = offset(JITTER), offset(LATE_JITTER)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # The scaled image is (h + 2 PAD - JITTER) * scale pixels; rotation turns it about its centre.
    centre_x = ((w + 2 * PAD - JITTER) * scale - 1) / 2
    centre_y = ((h + 2 * PAD - JITTER) * scale - 1) / 2
    x = tf.range(out_w, dtype=tf.float32)[None, None, :] + late[:, 0, None, None] - centre_x
    y = tf.range(out_h, dtype=tf.float32)[None, :, None] + late[:, 1, None, None] - centre_y
    rotated_x = cos * x - sin * y + centre_x
    rotated_y = sin * x + cos * y + centre_y
    source_x = rotated_x / scale + early[:, 0, None, None] - PAD
    source_y = rotated_y / scale + early[:, 1, None, None] - PAD
    return source_x, source_y


def _sample_bilinear(images, source_x, source_y):
    """`images` [batch, h, w, c] sampled bilinearly at (source_x, source_y) [batch, out_h, out_w]; 0.5 outside.
    One gather of the four neighbours (its gradient one scatter-add)."""
    batch, h, w, channels = images.shape.as_list()
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=0.5)
    # In the padded image; clamped to its border, which is all 0.5.
    x = tf.clip_by_value(source_x + 1, 0.0, w + 1.0)
    y = tf.clip_by_value(source_y + 1, 0.0, h + 1.0)
    x0, y0 = tf.minimum(tf.floor(x), float(w)), tf.minimum(tf.floor(y), float(h))
    fx, fy = x - x0, y - y0
    row = w + 2
    base = tf.cast(y0, tf.int32) * row + tf.cast(x0, tf.int32)
    base += (tf.range(batch) * (h + 2) * row)[:, None, None]
    index = tf.stack([base, base + 1, base + row, base + row + 1], -1)
    weight = tf.stack([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy], -1)
    corners = tf.gather(tf.reshape(padded, [-1, channels]), index)  # [batch, out_h, out_w, 4, c]
    return tf.reduce_sum(corners * weight[..., None], axis=3)


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
