"""MACO: magnitude-constrained Fourier parameterization (Fel et al. 2023, "Unlocking Feature Visualization for
Deeper Networks with MAgnitude Constrained Optimization").

The image's Fourier magnitude is fixed to that of natural images; only the phase is optimized. This keeps the
image's energy at every frequency natural, so deep layers cannot fill it with high-frequency noise. Each step the
model sees a random crop of the image (`maco_transforms`), and the gradient magnitudes reaching each pixel are
accumulated into a transparency map: with `alpha=True`, the alpha channel of the RGBA image shows what the
objective used.

    images = render.render_vis(model, "block5:17", param_f=lambda: param.maco(224, alpha=True))
    rgba = images[-1]            # [1, 224, 224, 4]; show(rgba) shows it with its transparency

Given an image from `param.maco` and no `transforms` or `optimizer`, `render_vis` and `make_vis_T` use MACO's own
settings: `maco_transforms()` and Adam at `MACO_LEARNING_RATE` (0.2: class renders of 16 classes of the embedded
model scored top-1 0.86 with it, 0.75 at the usual 0.05). Explicit arguments always win; the RGB image also works
with `transform.standard_transforms`.

The magnitude spectrum is estimated in the decorrelated colour space of `param.color` by `estimate_spectrum`;
the default one, `maco_spectrum.npy`, was computed with it from the natural photos that ship with scikit-learn
(see examples/recipes/make_maco_spectrum.py).
"""

import logging
import os

import numpy as np
import tensorflow as tf

from lucid.misc.ndimage_utils import resize
from lucid.optvis.checks import validate_size
from lucid.optvis.overrides.gradient_override import gradient_override_map, register_to_random_name
from lucid.optvis.param.color import color_correlation_svd_sqrt, color_mean, max_norm_svd_sqrt

__all__ = [
    "DEFAULT_SPECTRUM_PATH",
    "estimate_spectrum",
    "is_maco_image",
    "load_spectrum",
    "maco",
    "MACO_LEARNING_RATE",
    "maco_transforms",
    "resample_spectrum",
]

log = logging.getLogger(__name__)

DEFAULT_SPECTRUM_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "maco_spectrum.npy")

# RGB = decorrelated @ _COLOR_MATRIX.T + color_mean, as in param.color.to_valid_rgb.
_COLOR_MATRIX = (color_correlation_svd_sqrt / max_norm_svd_sqrt).astype(np.float64)

# Fraction of pixels whose accumulated gradient stays below full opacity in the alpha map.
_ALPHA_QUANTILE = 0.98

# Adam's learning rate that render_vis uses for MACO images when no optimizer is given.
MACO_LEARNING_RATE = 0.2
# Graph collection of the images `maco` returned, by which render_vis recognizes them.
_MACO_IMAGES = "lucid_maco_images"


def is_maco_image(t_image):
    """True if `t_image` is an image that `maco` returned (render_vis then defaults to MACO's settings)."""
    return any(t is t_image for t in t_image.graph.get_collection(_MACO_IMAGES))


def maco(w, h=None, batch=1, spectrum=None, alpha=False):
    """A [batch, h, w, 3] RGB image (RGBA with `alpha=True`) whose Fourier phase is the trainable variable.

    spectrum: the fixed magnitude, from `estimate_spectrum` (an array [3, H, W//2 + 1] at any size, resampled to
    this image's frequencies) or a path to a .npy file holding one; None uses the shipped default.
    alpha: append the transparency map (normalized accumulated gradient magnitude, not optimized). RGBA images
    need a transform that drops the alpha channel before the model: `maco_transforms` does.
    """
    w = validate_size(w, "w", minimum=2)
    h = w if h is None else validate_size(h, "h", minimum=2)
    batch = 1 if batch is None else validate_size(batch, "batch")
    magnitude = resample_spectrum(load_spectrum(spectrum), h, w)
    phase = tf.Variable(np.random.uniform(-np.pi, np.pi, (batch,) + magnitude.shape).astype(np.float32))
    spectrum_t = tf.complex(magnitude * tf.cos(phase), magnitude * tf.sin(phase))
    # magnitude is in orthonormal FFT units; irfft2d divides by h * w, so scale back by sqrt(h * w).
    decorrelated = tf.signal.irfft2d(spectrum_t, fft_length=[h, w]) * np.float32(np.sqrt(h * w))
    decorrelated = tf.transpose(decorrelated, (0, 2, 3, 1))
    rgb = tf.tensordot(decorrelated, _COLOR_MATRIX.T.astype(np.float32), 1) + np.float32(color_mean)
    rgb = tf.clip_by_value(rgb, 0.0, 1.0)
    accumulated = tf.Variable(tf.zeros([batch, h, w, 1]), trainable=False)
    image = _accumulate_gradient_magnitude(rgb, accumulated)
    if alpha:
        image = tf.concat([image, _alpha_from(accumulated)], -1)
    tf.compat.v1.add_to_collection(_MACO_IMAGES, image)
    return image


def _accumulate_gradient_magnitude(t, accumulated):
    """Identity on `t`; every backward pass adds |gradient| summed over channels into the `accumulated` variable."""

    def accumulate_grad(op, grad):
        update = accumulated.assign_add(tf.reduce_sum(tf.abs(grad), -1, keepdims=True))
        with tf.control_dependencies([update]):
            return tf.identity(grad)

    with gradient_override_map({"Identity": register_to_random_name(accumulate_grad)}):
        return tf.identity(t)


def _alpha_from(accumulated):
    """Alpha in [0, 1]: accumulated gradient divided by its per-image `_ALPHA_QUANTILE` quantile (but by at least
    a tenth of its maximum, so sparse gradients do not turn every touched pixel opaque), clipped."""
    batch, h, w, _ = accumulated.shape.as_list()
    flat = tf.reshape(accumulated, [batch, h * w])
    quantile = tf.sort(flat, axis=1)[:, int(_ALPHA_QUANTILE * (h * w - 1))]
    level = tf.maximum(quantile, 0.1 * tf.reduce_max(flat, axis=1))
    alpha = accumulated / (level[:, None, None, None] + 1e-12)
    return tf.stop_gradient(tf.clip_by_value(alpha, 0.0, 1.0))


def maco_transforms(size=None, box_size=(0.25, 0.6), noise=0.05):
    """MACO's transforms: drop any alpha channel, take one random square crop per image (side a fraction of the
    image drawn from `box_size`, anywhere inside it) resized to `size` x `size` (default: the image's height), and
    add Gaussian noise of standard deviation `noise`. New crops on every step."""
    low, high = box_size
    if not 0 < low <= high <= 1:
        raise ValueError("box_size must be (low, high) fractions with 0 < low <= high <= 1, got %r." % (box_size,))
    if size is not None:
        size = validate_size(size, "size")
    if noise < 0:
        raise ValueError("noise must be a non-negative standard deviation, got %r." % (noise,))

    def drop_alpha(t_image):
        return t_image[..., :3]

    def random_crops(t_image):
        batch, height = t_image.shape.as_list()[:2]
        if batch is None or (size is None and height is None):
            raise ValueError(
                "maco_transforms needs images with a static batch size (and height, unless `size` is "
                "given), got shape %s." % (t_image.shape,)
            )
        side = tf.random.uniform([batch, 1], low, high)
        top_left = tf.random.uniform([batch, 2]) * (1 - side)
        boxes = tf.concat([top_left, top_left + side], 1)
        out = size or height
        return tf.image.crop_and_resize(t_image, boxes, tf.range(batch), [out, out])

    def add_noise(t_image):
        return t_image + tf.random.normal(tf.shape(t_image), stddev=noise)

    return [drop_alpha, random_crops, add_noise]


def load_spectrum(spectrum=None):
    """The magnitude spectrum as a float32 array [3, H, W//2 + 1]: the default, an array, or a .npy path."""
    if spectrum is None:
        spectrum = DEFAULT_SPECTRUM_PATH
    if isinstance(spectrum, (str, os.PathLike)):
        if not os.path.exists(spectrum):
            raise FileNotFoundError(
                "No MACO magnitude spectrum at %s; make one with maco.estimate_spectrum(images) "
                "and np.save it there, or pass the array." % spectrum
            )
        spectrum = np.load(spectrum)
    spectrum = np.asarray(spectrum, dtype=np.float32)
    if spectrum.ndim != 3 or spectrum.shape[0] != 3 or spectrum.shape[2] != spectrum.shape[1] // 2 + 1:
        raise ValueError(
            "A MACO spectrum must have shape [3, H, H//2 + 1] (as estimate_spectrum returns), got %s."
            % (spectrum.shape,)
        )
    if not np.all(np.isfinite(spectrum)) or spectrum.min() < 0:
        raise ValueError("A MACO spectrum holds magnitudes: finite, non-negative numbers.")
    return spectrum


def resample_spectrum(spectrum, h, w):
    """`spectrum` [3, S, S//2 + 1] linearly interpolated at the rfft frequencies of an h x w image, with its
    DC (mean) term zeroed: [3, h, w//2 + 1]. Orthonormal FFT magnitudes of a stationary image do not depend on
    its size, so the values carry over."""
    size = spectrum.shape[1]
    fy_src = np.fft.fftshift(np.fft.fftfreq(size))
    fx_src = np.fft.rfftfreq(size)
    rows = np.fft.fftshift(spectrum, axes=1)
    fy, fx = np.fft.fftfreq(h), np.fft.rfftfreq(w)
    along_x = np.stack([[np.interp(fx, fx_src, row) for row in channel] for channel in rows])
    result = np.stack([[np.interp(fy, fy_src, column) for column in channel.T] for channel in along_x])
    result = result.transpose(0, 2, 1).astype(np.float32)
    result[:, 0, 0] = 0
    return result


def _load_images(images):
    """A list of float [H, W, 3] images in [0, 1] from a folder path, an array [N, H, W, 3] or a list of arrays."""
    if isinstance(images, (str, os.PathLike)):
        # Imported here: lucid.misc.io is only needed for folders.
        from lucid.misc.io import load
        from lucid.misc.io.image_files import IMAGE_EXTENSIONS, list_image_files

        if not os.path.isdir(images):
            raise FileNotFoundError("estimate_spectrum: %s is not a folder of images." % images)
        paths = list_image_files(images)
        if not paths:
            raise FileNotFoundError(
                "estimate_spectrum: no image files (%s) in %s." % (", ".join(IMAGE_EXTENSIONS), images)
            )
        images = [load(path) for path in paths]
    result = []
    for image in images:
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 3 or image.shape[-1] < 3:
            raise ValueError(
                "estimate_spectrum needs colour images [H, W, 3] (or [N, H, W, 3]), got shape %s." % (image.shape,)
            )
        if image.max() > 1:
            raise ValueError(
                "estimate_spectrum needs images with values in [0, 1], got a maximum of %g; divide "
                "8-bit images by 255." % image.max()
            )
        result.append(image[..., :3])
    if not result:
        raise ValueError("estimate_spectrum needs at least one image.")
    return result


def estimate_spectrum(images, size=224, crops_per_image=8, scales=(1.0, 1.5, 2.0), seed=0):
    """The mean Fourier magnitude of natural images, as MACO's fixed spectrum: float32 [3, size, size//2 + 1].

    images: a folder of image files, an array [N, H, W, 3] or a list of [H, W, 3] arrays, values in [0, 1].
    Each image is resized so its short side is `size` times each of `scales`; `crops_per_image` random
    size x size crops per scale, and their transposes (so the spectrum has no preferred axis), are taken to the
    decorrelated colour space, their means removed, Hann-windowed, and their orthonormal rfft2 magnitudes
    averaged. The DC term,
    unused by `maco` (which adds the mean colour itself), is set to its neighbours' level so that resampling to
    larger images keeps the lowest frequencies bright.
    """
    size = validate_size(size, "size", minimum=2)
    rng = np.random.RandomState(seed)
    to_decorrelated = np.linalg.inv(_COLOR_MATRIX.T)
    # A Hann window keeps the crops' hard edges out of the spectrum (they would add a bright cross along the axes,
    # i.e. horizontal and vertical streaks); dividing by its RMS keeps the energy.
    hann = np.hanning(size + 2)[1:-1]
    window = np.outer(hann, hann)[..., None]
    window /= np.sqrt(np.mean(window**2))
    total, count = 0.0, 0
    for image in _load_images(images):
        for scale in scales:
            ratio = max(size, int(round(size * scale))) / min(image.shape[:2])
            target = [max(size, int(round(n * ratio))) for n in image.shape[:2]]
            resized = resize(image, target, order=1)
            height, width = resized.shape[:2]
            for _ in range(crops_per_image):
                top, left = rng.randint(0, height - size + 1), rng.randint(0, width - size + 1)
                crop = resized[top : top + size, left : left + size]
                for view in (crop, crop.transpose(1, 0, 2)):
                    decorrelated = (view - view.mean((0, 1))) @ to_decorrelated * window
                    total = total + np.abs(np.fft.rfft2(decorrelated, axes=(0, 1), norm="ortho"))
                    count += 1
    spectrum = (total / count).transpose(2, 0, 1)
    spectrum[:, 0, 0] = (spectrum[:, 0, 1] + spectrum[:, 1, 0]) / 2
    return spectrum.astype(np.float32)
