"""Collapse many non-negative channels into RGB so activations with any channel count can be shown.

Channel i gets the hue 360 * i / K; the shared part of the channels becomes grey, and each pixel keeps
the L2 norm of its channel vector.
"""

import math

import numpy as np

__all__ = [
    "collapse_channels",
    "hue_to_rgb",
    "sparse_channels_to_rgb",
]

# R, Y, G, C, B, M: primaries 60 degrees apart on the hue circle, scaled to unit length.
_PRIMARIES = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 1]], dtype=np.float64)
_PRIMARIES /= np.linalg.norm(_PRIMARIES, axis=1, keepdims=True)


def hue_to_rgb(ang, warp=True):
    """Unit RGB vector for hue angle `ang` in degrees, interpolated between neighbouring primaries.

    With `warp`, a sine warp pushes colours away from the pure primaries so evenly spaced hues look
    more evenly distinct.
    """
    sector_width = 360 / len(_PRIMARIES)
    ang = ang % 360
    sector = int(math.floor(ang / sector_width))
    frac = (ang - sector * sector_width) / sector_width
    if warp:
        if sector % 2 == 0:
            frac = math.sin(frac * math.pi / 2)
        else:
            frac = 1 - math.sin((1 - frac) * math.pi / 2)
    color = (1 - frac) * _PRIMARIES[sector] + frac * _PRIMARIES[(sector + 1) % len(_PRIMARIES)]
    return color / np.linalg.norm(color)


def sparse_channels_to_rgb(X):
    """RGB image (same leading shape as X) from a non-negative array X with channels last."""
    X = np.asarray(X, dtype=np.float64)
    if (X < 0).any():
        raise ValueError("sparse_channels_to_rgb needs non-negative values; use collapse_channels for signed data.")
    K = X.shape[-1]
    hues = np.stack([hue_to_rgb(360 * i / K) for i in range(K)])
    rgb = X @ hues + (X.sum(-1) - X.max(-1))[..., None]
    rgb /= 1e-4 + np.linalg.norm(rgb, axis=-1, keepdims=True)
    rgb *= np.linalg.norm(X, axis=-1, keepdims=True)
    return rgb


def collapse_channels(X):
    """RGB image from X (channels last); negative parts are split into extra channels first."""
    X = np.asarray(X)
    if (X < 0).any():
        X = np.concatenate([np.maximum(0, X), np.maximum(0, -X)], axis=-1)
    return sparse_channels_to_rgb(X)
