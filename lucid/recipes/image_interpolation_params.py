"""Parameterizations for aligned interpolation: frames that share parameters, so neighbouring frames of an
interpolation between objectives stay visually aligned (Differentiable Image Parameterizations, section 2).

    frames = aligned_interpolation(model, ("block5", 17), ("block5", 40))   # [6, 128, 128, 3]
"""

import logging

import tensorflow as tf

from lucid.optvis import objectives, param, render
from lucid.optvis.checks import validate_size
from lucid.optvis.param.lowres import lowres_tensor

__all__ = [
    "aligned_interpolation",
    "interpolation_frames",
    "lowres_tensor",
    "multi_interpolation_basis",
]

log = logging.getLogger(__name__)


def _multiscale_lowres(shape, underlying_batch, scales):
    """Sum over the scales k of lowres tensors of `shape` [..., W, W, Ch], each upsampled from a variable
    [*underlying_batch, W/k, W/k, Ch]."""
    w, ch = shape[-2], shape[-1]
    return sum(param.lowres_tensor(shape, underlying_batch + [max(1, w // k), max(1, w // k), ch]) for k in scales)


def multi_interpolation_basis(n_objectives=6, n_interp_steps=5, width=128, channels=3):
    """A tensor [N, N, M, W, W, Ch]: for each ordered pair of objectives (a, b), M frames meant to go from a to b.

    Built as the original builds it, with its variables in the same order (the same np.random draws): one
    multi-scale lowres image shared by all frames; per objective a lowres path of M frames upsampled from 2
    keyframes (frames of (a, b): a's path plus b's path reversed); per pair a < b free lowres detail, zero for
    (a, a), and for a > b the detail of pair (b, N - a) reversed (the original's indexing: with N = 2 that is
    (b, a), so t[a, b] = t[b, a, ::-1]). Map it through `param.to_valid_rgb`.
    """
    n = validate_size(n_objectives, "n_objectives")
    m = validate_size(n_interp_steps, "n_interp_steps")
    w = validate_size(width, "width")
    ch = validate_size(channels, "channels")
    shared = tf.reshape(_multiscale_lowres([w, w, ch], [], (1, 2, 4, 8)), [1, 1, 1, w, w, ch])
    paths = [_multiscale_lowres([m, w, w, ch], [2], (1, 2, 4, 8)) for _ in range(n)]
    detail = [[None] * n for _ in range(n)]
    for a in range(n):
        for b in range(a):
            detail[a][b] = detail[b][n - a][::-1]
        detail[a][a] = tf.zeros([m, w, w, ch])
        for b in range(a + 1, n):
            detail[a][b] = _multiscale_lowres([m, w, w, ch], [m], (1, 2))
    rows = [tf.stack([paths[a] + paths[b][::-1] for b in range(n)]) + tf.stack(detail[a]) for a in range(n)]
    return tf.stack(rows) + shared


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
