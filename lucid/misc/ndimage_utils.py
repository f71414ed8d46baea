"""NumPy image helpers: resizing, compositing one image onto another, and showing alpha over a background.

Images are float arrays `[H, W, C]` (or `[N, H, W, C]` where noted) with values in [0, 1].
"""

import logging
import numbers

import numpy as np
import PIL.Image

__all__ = [
    "checkerboard_composite",
    "composite",
    "resize",
    "soft_alpha_blend",
]

log = logging.getLogger(__name__)

# PIL filters for the spline orders `resize` accepts (scipy.ndimage.zoom's `order` argument).
_RESAMPLE_BY_ORDER = {0: PIL.Image.NEAREST, 1: PIL.Image.BILINEAR, 3: PIL.Image.BICUBIC}


def _target_size(image, target_size, ratios):
    """(height, width) that `resize` should produce, from an int or pair `target_size` or per-axis `ratios`."""
    h, w = image.shape[-3:-1]
    if (target_size is None) == (ratios is None):
        raise ValueError("resize needs exactly one of target_size (e.g. 224 or (224, 224)) or ratios (e.g. 0.5).")
    if target_size is not None:
        if isinstance(target_size, numbers.Integral):
            target_size = (target_size, target_size)
        size = tuple(int(s) for s in target_size)
        if len(size) != 2:
            raise ValueError("target_size must be an int or a (height, width) pair, got %r." % (target_size,))
    else:
        if isinstance(ratios, numbers.Real):
            ratios = (ratios, ratios)
        if len(ratios) != 2:
            raise ValueError("ratios must be a number or a (height, width) pair, got %r." % (ratios,))
        size = (int(round(h * ratios[0])), int(round(w * ratios[1])))
    if min(size) < 1:
        raise ValueError("resize target size must be at least 1 x 1, got %s." % (size,))
    return size


def _resize_one(image, size, resample):
    """Resize an [H, W, C] float image to `size` channel by channel (PIL's float mode keeps full precision)."""
    channels = [
        np.asarray(PIL.Image.fromarray(image[..., c].astype(np.float32), mode="F").resize(size[::-1], resample))
        for c in range(image.shape[-1])
    ]
    return np.stack(channels, -1)


def resize(image, target_size=None, ratios=None, order=3):
    """Resize the spatial dims of an [H, W, C] or [N, H, W, C] image to `target_size` (int: square) or by `ratios`.

    `order` picks the interpolation: 0 nearest, 1 bilinear, 3 bicubic. Returns the input itself when the size
    does not change. Bicubic overshoot is not clipped, as with scipy.ndimage.zoom.
    """
    image = np.asarray(image)
    if image.ndim not in (3, 4):
        raise ValueError("resize needs an image of rank 3 [H, W, C] or 4 [N, H, W, C], got shape %s." % (image.shape,))
    if order not in _RESAMPLE_BY_ORDER:
        raise ValueError(
            "order must be one of %s (nearest, bilinear, bicubic), got %r." % (sorted(_RESAMPLE_BY_ORDER), order)
        )
    size = _target_size(image, target_size, ratios)
    if size == tuple(image.shape[-3:-1]):
        return image
    resample = _RESAMPLE_BY_ORDER[order]
    if image.ndim == 3:
        return _resize_one(image, size, resample)
    return np.stack([_resize_one(img, size, resample) for img in image])


def composite(background_image, foreground_image, foreground_width_ratio=0.25, foreground_position=(0.0, 0.0)):
    """A copy of `background_image` with `foreground_image` pasted on it, scaled to `foreground_width_ratio` of
    the background's width (keeping its aspect ratio) at `foreground_position` = (top, left) fractions of the
    free space (0: top/left edge, 1: bottom/right edge)."""
    background_image = np.asarray(background_image)
    if foreground_width_ratio <= 0:
        return background_image
    result = background_image.copy()
    fg = np.asarray(foreground_image)
    width = max(1, int(foreground_width_ratio * background_image.shape[1]))
    height = max(1, int(round(fg.shape[0] * width / fg.shape[1])))
    fg = resize(fg, (height, width))
    if height > background_image.shape[0] or width > background_image.shape[1]:
        raise ValueError(
            "The scaled foreground (%d x %d) does not fit the background %s; lower "
            "foreground_width_ratio." % (height, width, background_image.shape[:2])
        )
    top = int(foreground_position[0] * (background_image.shape[0] - height))
    left = int(foreground_position[1] * (background_image.shape[1] - width))
    result[top : top + height, left : left + width] = fg
    return result


def soft_alpha_blend(image_with_alpha, amount_background=0.333, gamma=2.2):
    """RGB from an RGBA image (last axis), blended over a grey background of brightness `amount_background`.

    The blend is done in linear light (values ** gamma), which keeps half-transparent edges from looking dark.
    """
    image_with_alpha = np.asarray(image_with_alpha, dtype=np.float32)
    if image_with_alpha.shape[-1] != 4:
        raise ValueError(
            "soft_alpha_blend needs RGBA images (4 channels last), got shape %s." % (image_with_alpha.shape,)
        )
    rgb, alpha = image_with_alpha[..., :3], image_with_alpha[..., 3:]
    linear = alpha * np.clip(rgb, 0, 1) ** gamma + (1 - alpha) * amount_background**gamma
    return linear ** (1.0 / gamma)


def checkerboard_composite(image_with_alpha, square=8, shades=(0.6, 0.9)):
    """RGB from RGBA images ([..., H, W, 4]) drawn over a grey checkerboard, the usual way to show transparency."""
    image_with_alpha = np.asarray(image_with_alpha, dtype=np.float32)
    if image_with_alpha.ndim < 3 or image_with_alpha.shape[-1] != 4:
        raise ValueError(
            "checkerboard_composite needs RGBA images [..., H, W, 4], got shape %s." % (image_with_alpha.shape,)
        )
    h, w = image_with_alpha.shape[-3:-1]
    rows, cols = np.arange(h)[:, None] // square, np.arange(w)[None, :] // square
    board = np.where((rows + cols) % 2 == 0, shades[0], shades[1]).astype(np.float32)[..., None]
    rgb, alpha = image_with_alpha[..., :3], image_with_alpha[..., 3:]
    return alpha * rgb + (1 - alpha) * board
