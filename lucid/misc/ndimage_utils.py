"""NumPy image helpers: resizing, compositing one image onto another, and showing alpha over a background.

Images are float arrays `[H, W, C]` (or `[N, H, W, C]` where noted) with values in [0, 1].
"""

import numbers

import numpy as np

__all__ = [
    "composite",
    "resize",
    "soft_alpha_blend",
]


def _zoom_factors(image, target_size, ratios):
    """(height, width) zoom factors for `resize`, and the (height, width) to crop to (None: keep zoom's size)."""
    if (target_size is None) == (ratios is None):
        raise ValueError(
            "resize needs exactly one of target_size (e.g. 224 or (224, 224)) or ratios (e.g. (0.5, 0.5))."
        )
    if target_size is not None:
        if isinstance(target_size, numbers.Integral):
            target_size = (target_size, target_size)
        if not isinstance(target_size, (list, tuple, np.ndarray)) or len(target_size) != 2:
            raise ValueError("target_size must be an int or a (height, width) pair, got %r." % (target_size,))
        target_size = tuple(int(s) for s in target_size)
        return [t / o for t, o in zip(target_size, image.shape[-3:-1])], target_size
    if isinstance(ratios, numbers.Real):
        ratios = (ratios, ratios)
    if len(ratios) != 2:
        raise ValueError("ratios must be a number or a (height, width) pair, got %r." % (ratios,))
    return list(ratios), None


def resize(image, target_size=None, ratios=None, **kwargs):
    """Resize the spatial axes of an [H, W, C] or [N, H, W, C] array with `scipy.ndimage.zoom` (`kwargs` go to it,
    e.g. `order=1`; its default is a cubic spline), to `target_size` (int: square, or (height, width)) or by
    `ratios` per axis. The dtype stays the input's; the input itself is returned when the size does not change.
    """
    from scipy import ndimage  # imported on first use: lucid.misc.io imports this module and rarely resizes

    image = np.asarray(image)
    if image.ndim not in (3, 4):
        raise ValueError("resize needs an image of rank 3 [H, W, C] or 4 [N, H, W, C], got shape %s." % (image.shape,))
    factors, crop = _zoom_factors(image, target_size, ratios)
    if all(f == 1 for f in factors):
        return image
    zoom = [1] * image.ndim
    zoom[-3:-1] = factors
    resized = ndimage.zoom(image, zoom, **kwargs)
    return resized if crop is None else resized[..., : crop[0], : crop[1], :]


def composite(background_image, foreground_image, foreground_width_ratio=0.25, foreground_position=(0.0, 0.0)):
    """A copy of `background_image` with `foreground_image` resized to a square `foreground_width_ratio` of the
    background's width on a side, pasted at `foreground_position` = (top, left) fractions of the free space
    (0: top/left edge, 1: bottom/right edge)."""
    if foreground_width_ratio <= 0:
        return background_image
    background_image = np.asarray(background_image)
    side = int(foreground_width_ratio * background_image.shape[1])
    if not 1 <= side <= min(background_image.shape[:2]):
        raise ValueError(
            "The foreground would be %d x %d pixels, which does not fit the background %s; pick another "
            "foreground_width_ratio." % (side, side, background_image.shape[:2])
        )
    foreground = resize(foreground_image, side)
    top = int(foreground_position[0] * (background_image.shape[0] - side))
    left = int(foreground_position[1] * (background_image.shape[1] - side))
    result = background_image.copy()
    result[top : top + side, left : left + side] = foreground
    return result


def soft_alpha_blend(image_with_alpha, amount_background=0.333, gamma=2.2):
    """RGB from an RGBA image (last axis) over a pale version of itself (`amount_background` of its colour, the
    rest white), blended in linear light (values ** gamma) so half-transparent edges do not look dark."""
    image_with_alpha = np.asarray(image_with_alpha)
    if image_with_alpha.shape[-1] != 4:
        raise ValueError(
            "soft_alpha_blend needs RGBA images (4 channels last), got shape %s." % (image_with_alpha.shape,)
        )
    rgb, alpha = image_with_alpha[..., :3], image_with_alpha[..., 3:]
    background = amount_background * rgb + (1 - amount_background)
    return (alpha * rgb**gamma + (1 - alpha) * background**gamma) ** (1 / gamma)
