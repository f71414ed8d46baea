"""Parameterizations for aligned interpolation: frames that share parameters, so neighbouring frames of an
interpolation between objectives stay visually aligned (Differentiable Image Parameterizations, section 2).

    frames = aligned_interpolation(model, ("block5", 17), ("block5", 40))   # [6, 128, 128, 3]
"""

import logging

import numpy as np
import tensorflow as tf

from lucid.optvis import objectives, param, render
from lucid.optvis.checks import validate_size

__all__ = [
    "aligned_interpolation",
    "interpolation_frames",
    "multi_interpolation_basis",
]

log = logging.getLogger(__name__)


def _multiscale_lowres(shape, underlying_batch, scales):
    """Sum over the scales k of lowres tensors of `shape` [..., W, W, Ch], each upsampled from a variable
    [*underlying_batch, W/k, W/k, Ch]."""
    w, ch = shape[-2], shape[-1]
    return sum(param.lowres_tensor(shape, underlying_batch + [max(1, w // k), max(1, w // k), ch]) for k in scales)


def multi_interpolation_basis(n_objectives=6, n_interp_steps=5, width=128, channels=3):
    """A tensor [N, N, M, W, W, Ch]: for each ordered pair of objectives (a, b), M frames going from a to b.

    Frame i of (a, b) = shared + (1 - i/(M-1)) * end[a] + i/(M-1) * end[b] + path[a, b, i], where `shared` is
    one multi-scale lowres image common to all frames, `end[a]` a multi-scale lowres image per objective, and
    `path[a, b]` free per-frame lowres detail, zero at both ends. Hence t[a, b] = t[b, a, ::-1], t[a, b, 0] is
    the same for every b, and t[a, a, i] does not depend on i. Map it through `param.to_valid_rgb`.
    """
    n = validate_size(n_objectives, "n_objectives")
    m = validate_size(n_interp_steps, "n_interp_steps")
    w = validate_size(width, "width")
    ch = validate_size(channels, "channels")
    frame = [w, w, ch]
    shared = _multiscale_lowres(frame, [], (1, 2, 4, 8))
    ends = [_multiscale_lowres(frame, [], (1, 2, 4, 8)) for _ in range(n)]
    weights = (np.arange(m) / max(m - 1, 1)).astype(np.float32)[:, None, None, None]
    inner = np.ones([m, 1, 1, 1], np.float32)
    inner[[0, -1]] = 0
    paths = {}
    for a in range(n):
        for b in range(a + 1, n):
            paths[a, b] = inner * _multiscale_lowres([m] + frame, [m], (1, 2))
    rows = []
    for a in range(n):
        row = []
        for b in range(n):
            if a == b:
                path = tf.zeros([m] + frame)
            else:
                path = paths[a, b] if a < b else paths[b, a][::-1]
            row.append(shared + (1 - weights) * ends[a] + weights * ends[b] + path)
        rows.append(tf.stack(row))
    return tf.stack(rows)


def interpolation_frames(n_frames=6, width=128, channels=3, shared_scales=(1, 2, 4, 8)):
    """`n_frames` RGB images [n_frames, W, W, 3] that are each a free `fft_image` plus lowres images shared by all
    frames (one per scale in `shared_scales`); the sharing keeps the frames aligned."""
    n = validate_size(n_frames, "n_frames")
    w = validate_size(width, "width")
    unique = param.fft_image([n, w, w, channels])
    shared = _multiscale_lowres([n, w, w, channels], [1], shared_scales)
    return param.to_valid_rgb(unique + shared, decorrelate=channels == 3)


def aligned_interpolation(
    model,
    unit1,
    unit2,
    n_frames=6,
    width=128,
    alignment_layer=None,
    alignment_weight=1.0,
    decay_ratio=5,
    steps=512,
    **render_kwargs,
):
    """Frames [n_frames, W, W, 3] going from channel unit1 to channel unit2, each a (layer, channel) pair.

    Optimizes `channel_interpolate` over `interpolation_frames`, plus `alignment_weight * alignment(
    alignment_layer or unit1's layer, decay_ratio)` to keep neighbouring frames alike. Extra kwargs go to
    `render_vis`.
    """
    (layer1, n1), (layer2, n2) = unit1, unit2
    if n_frames < 2:
        raise ValueError("aligned_interpolation needs n_frames >= 2, got %r." % (n_frames,))
    objective = objectives.channel_interpolate(layer1, n1, layer2, n2) + alignment_weight * objectives.alignment(
        alignment_layer or layer1, decay_ratio=decay_ratio
    )
    render_kwargs.setdefault("verbose", False)
    images = render.render_vis(
        model,
        objective,
        param_f=lambda: interpolation_frames(n_frames, width),
        thresholds=(steps - 1,),
        **render_kwargs,
    )
    return images[-1]
