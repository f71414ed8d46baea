"""Synthetic stimuli for probing neurons: antialiased two-region images such as rounded corners (curve detectors).

A stimulus is an "energy" function `E(X, Y)` on pixel coordinates measured from the image centre (pixel column
`size // 2` is X = 0, X grows to the right and Y downwards, in pixels): negative inside the shape, positive or
zero outside. `sample_binary_image` samples it at random sub-pixel offsets and styles it, as the original Lucid.
"""

import numpy as np

__all__ = [
    "rmin",
    "rounded_corner",
    "sample_binary_image",
]

# 16 directions around a point: a pixel is on the boundary if some of these neighbours fall on either side.
_BOUNDARY_DIRECTIONS = [(np.cos(2 * np.pi * n / 16.0), np.sin(2 * np.pi * n / 16.0)) for n in range(16)]


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
    """Decorator turning an energy function `E(X, Y)` into a float64 [size, size, 3] image.

    `@sample_binary_image(224)` above `def stim(X, Y): return X**2 + Y**2 - 50**2` makes `stim` that image: a
    disc in `color_b` on `color_a` (where E >= 0). Each pixel is the mean of `alias_factor` samples at offsets
    drawn once from np.random.uniform(-0.5, 0.5, size=2), one draw per sample, when the decorator is made.
    With `boundary_line`, pixels whose 16 neighbours `boundary_width` pixels away all lie on one side are
    `color_a`, the boundary `color_b`. Beyond `blur_beyond_radius` pixels from the centre the sample offsets
    grow by the distance beyond it (a blur); beyond `fade_beyond_radius` the image fades to `fade_color` over
    `fade_over_distance` pixels. Other keywords are ignored (as the original did), so one dict of options can be
    passed to several stimulus functions.
    """
    color_a = np.asarray(color_a).reshape([1, 1, 3])
    color_b = np.asarray(color_b).reshape([1, 1, 3])
    fade_color = np.asarray(fade_color).reshape([1, 1, 3])
    coords = np.arange(size) - size // 2
    X, Y = coords[None, :], coords[:, None]
    alias_offsets = [tuple(np.random.uniform(-0.5, 0.5, size=2)) for _ in range(alias_factor)]
    radius = np.sqrt(X**2 + Y**2)
    offset_scale = 1
    if blur_beyond_radius is not None:
        offset_scale = offset_scale + np.maximum(0, radius - blur_beyond_radius)
    fade = 0
    if fade_beyond_radius is not None:
        fade = np.clip(np.maximum(0, radius - fade_beyond_radius) / float(fade_over_distance), 0, 1)[..., None]

    def outside(E, dx, dy):
        """1 where E >= 0 at the pixel grid shifted by (dx, dy) (scaled by the blur), else 0."""
        return (E(X + offset_scale * dx, Y + offset_scale * dy) >= 0).astype("float32")

    def off_boundary(E, dx, dy):
        """1 where all 16 neighbours `boundary_width` away agree on the side, else 0."""
        sides = np.mean(
            [outside(E, dx + boundary_width * cx, dy + boundary_width * cy) for cx, cy in _BOUNDARY_DIRECTIONS], 0
        )
        return (2 * np.abs(sides - 0.5) >= 0.99).astype("float32")

    def sampler(E):
        sample = off_boundary if boundary_line else outside
        share = np.clip(np.mean([sample(E, dx, dy) for dx, dy in alias_offsets], axis=0), 0, 1)[..., None]
        image = share * color_a + (1 - share) * color_b
        return (1 - fade) * image + fade * fade_color

    return sampler


def rmin(X, Y, r):
    """Rounded minimum: min(X, Y), except within r of the diagonal X = Y, where the corner of the region
    min(X, Y) > 0 is rounded with radius r (see Olah 2011, "Manipulation of Implicit Functions")."""
    safe_r = np.maximum(r, 1e-6)
    rounded = Y + r * np.sin(np.pi / 4 + np.arcsin(np.clip((X - Y) / safe_r / np.sqrt(2), -1, 1))) - r
    return np.where(np.abs(X - Y) <= r, rounded, np.minimum(X, Y))


def rounded_corner(orientation, r, angular_width=90, size=224, **kwds):
    """A corner stimulus at the image centre, rounded with radius `r` pixels: an [size, size, 3] image.

    `orientation` (degrees) turns the corner, `angular_width` (degrees) sets its angle when r = 0. Other keywords
    go to `sample_binary_image` (colours, boundary line, blur, fade).
    """
    turn = orientation * 2 * np.pi / 360.0 + np.pi / 2.0
    width = angular_width * 2 * np.pi / 360.0
    first, second = turn - width / 2.0, turn + width / 2.0 + np.pi
    shift = r * (1 - 1 / np.sqrt(2.0))

    @sample_binary_image(size, **kwds)
    def image(X, Y):
        along_first = np.cos(first) * X + np.sin(first) * Y + shift
        along_second = np.cos(second) * X + np.sin(second) * Y + shift
        return 10 * rmin(along_first, along_second, r)

    return image
