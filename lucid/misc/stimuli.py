"""Synthetic stimuli for probing neurons: antialiased two-region images such as rounded corners (curve detectors).

A stimulus is a predicate `F(X, Y) -> bool array` on pixel coordinates measured from the image centre (X to the
right, Y up, in pixels); `sample_binary_image` samples it `alias_factor` times per pixel side and styles it.
"""

import numpy as np


def _window_extreme(mask, radius, reduce):
    """`reduce` (np.maximum or np.minimum) of `mask` over a (2 radius + 1)^2 square window, edges clamped."""
    for axis in (0, 1):
        padded = np.pad(mask, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        length = mask.shape[axis]
        out = padded.take(range(0, length), axis=axis)
        for shift in range(1, 2 * radius + 1):
            out = reduce(out, padded.take(range(shift, shift + length), axis=axis))
        mask = out
    return mask


def _blur(image, passes=3):
    """A smooth blur of an [h, w, c] image: repeated 3x3 box filters (close to a Gaussian)."""
    for _ in range(passes):
        padded = np.pad(image, [(1, 1), (1, 1), (0, 0)], mode="edge")
        h, w = image.shape[:2]
        image = sum(padded[i : i + h, j : j + w] for i in range(3) for j in range(3)) / 9.0
    return image


def sample_binary_image(
    size,
    alias_factor=10,
    color_a=(1, 1, 1),
    color_b=(0, 0, 0),
    boundary_line=False,
    boundary_width=1,
    blur_beyond_radius=None,
    fade_beyond_radius=None,
    fade_over_distance=10,
    fade_color=(0.5, 0.5, 0.5),
    **kwds,
):
    """Decorator turning a predicate `F(X, Y)` into a float32 [size, size, 3] image in [0, 1].

    `@sample_binary_image(224)` above `def stim(X, Y): return X**2 + Y**2 < 50**2` makes `stim` that image (a disc).
    Where F is true the image is `color_a`, elsewhere `color_b`, each pixel the mean of alias_factor^2 samples. With
    `boundary_line`, only the boundary between the regions is drawn, `boundary_width` pixels wide, in `color_a` on
    `color_b`. Beyond `blur_beyond_radius` pixels from the centre the image blurs, and beyond `fade_beyond_radius` it
    fades to `fade_color`, each fully over the next `fade_over_distance` pixels. Other keywords are ignored (as the
    original did), so one dict of options can be passed to several stimulus functions.
    """
    if int(size) != size or size < 1 or int(alias_factor) != alias_factor or alias_factor < 1:
        raise ValueError("size and alias_factor must be positive integers, got %r and %r." % (size, alias_factor))
    size, alias_factor = int(size), int(alias_factor)

    def sample(F):
        n = size * alias_factor
        coords = (np.arange(n) + 0.5) / alias_factor - size / 2.0
        X, Y = np.meshgrid(coords, -coords)
        region = np.broadcast_to(np.asarray(F(X, Y), dtype=bool), (n, n))
        if boundary_line:
            radius = max(1, int(round(boundary_width * alias_factor / 2.0)))
            region = _window_extreme(region, radius, np.maximum) & ~_window_extreme(region, radius, np.minimum)
        share = region.reshape(size, alias_factor, size, alias_factor).mean(axis=(1, 3))[..., None]
        image = share * np.asarray(color_a, np.float64) + (1 - share) * np.asarray(color_b, np.float64)
        pixel = np.arange(size) + 0.5 - size / 2.0
        distance = np.hypot(*np.meshgrid(pixel, pixel))[..., None]
        if blur_beyond_radius is not None:
            weight = np.clip((distance - blur_beyond_radius) / fade_over_distance, 0, 1)
            image = (1 - weight) * image + weight * _blur(image)
        if fade_beyond_radius is not None:
            weight = np.clip((distance - fade_beyond_radius) / fade_over_distance, 0, 1)
            image = (1 - weight) * image + weight * np.asarray(fade_color, np.float64)
        return image.astype(np.float32)

    return sample


def rmin(X, Y, r):
    """Rounded minimum: min(X, Y) except near where both are below r, where the corner is a quarter circle of radius r.

    `rmin(X, Y, r) > 0` is the quadrant X > 0, Y > 0 with its corner rounded to radius r; the value is the signed
    distance to that shape's boundary inside the rounding box and min(X, Y) elsewhere.
    """
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    corner = (X < r) & (Y < r)
    return np.where(corner, r - np.hypot(r - X, r - Y), np.minimum(X, Y))


def rounded_corner(orientation, r, angular_width=90, size=224, **kwds):
    """A corner stimulus at the image centre, rounded with radius `r` pixels.

    The filled wedge (`color_a`) opens towards `orientation` (degrees, counterclockwise from pointing right) and is
    `angular_width` degrees wide. Other keywords go to `sample_binary_image`.
    """
    if not 0 < angular_width < 180:
        raise ValueError("angular_width must be between 0 and 180 degrees, got %r." % (angular_width,))
    first = np.radians(orientation - angular_width / 2.0)
    second = np.radians(orientation + angular_width / 2.0)

    @sample_binary_image(size, **kwds)
    def image(X, Y):
        # Signed distances into the wedge across its two edges (rays from the centre at angles first and second).
        inside_first = np.cos(first) * Y - np.sin(first) * X
        inside_second = np.sin(second) * X - np.cos(second) * Y
        return rmin(inside_first, inside_second, r) > 0

    return image
