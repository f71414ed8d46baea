"""Icons of an activation atlas: one small feature visualization per direction in a layer's activation space."""

import itertools
import logging

import numpy as np

from lucid.optvis import objectives, param, steps, transform
from lucid.optvis import render as optvis_render
from lucid.optvis.objectives_util import _dot_cossim, _extract_act_pos, index_arg
from lucid.optvis.session import graph_and_session, initialize_variables

__all__ = [
    "direction_neuron_cossim_S",
    "direction_neuron_S",
    "render_icons",
]

log = logging.getLogger(__name__)

# How much an icon's alpha channel dims it when alpha icons are flattened to RGB.
_ALPHA_WEIGHT = 0.8


def _whitened(vec, S):
    """`vec` as float32, multiplied by the whitening matrix `S` (e.g. an inverse covariance) when given."""
    vec = np.asarray(vec, dtype=np.float32)
    if vec.ndim != 1:
        raise ValueError("A direction must be a vector with one value per channel, got shape %s." % (vec.shape,))
    return vec if S is None else (vec @ np.asarray(S, dtype=np.float32)).astype(np.float32)


def _direction_at(layer_name, vec, batch, x, y, cossim_pow, S):
    """T -> dot product (times cosine similarity ** cossim_pow) of image `batch`'s activations at (x, y) with
    the whitened direction."""
    batch = index_arg(batch, "batch")
    x = index_arg(x, "x", allow_none=True)
    y = index_arg(y, "y", allow_none=True)
    vec = _whitened(vec, S)

    def inner(T):
        acts = T(layer_name)
        if acts.shape[-1] is not None and acts.shape[-1] != len(vec):
            raise ValueError(
                "The direction has %d values but layer %r has %d channels." % (len(vec), layer_name, acts.shape[-1])
            )
        position = _extract_act_pos(acts[batch : (batch + 1) or None], x, y)
        return _dot_cossim(position, vec[None, None, None], cossim_pow=cossim_pow)

    return inner


@objectives.wrap_objective(require_format="NHWC")
def direction_neuron_S(layer_name, vec, batch=None, x=None, y=None, S=None):
    """Dot product of image `batch`'s activations at (x, y) (default the centre) with `vec @ S`."""
    return _direction_at(layer_name, vec, batch, x, y, 0, S)


@objectives.wrap_objective(require_format="NHWC")
def direction_neuron_cossim_S(layer_name, vec, batch=None, x=None, y=None, cossim_pow=2, S=None):
    """As `direction_neuron_S`, weighted by the cosine similarity (floored at 0.1) to the power `cossim_pow`."""
    return _direction_at(layer_name, vec, batch, x, y, cossim_pow, S)


def _icon_transforms(size, alpha):
    transforms = [
        transform.pad(16, mode="constant"),
        transform.jitter(4),
        transform.jitter(4),
        transform.jitter(8),
        transform.jitter(8),
        transform.jitter(8),
        transform.random_scale([0.998**n for n in range(20, 40)]),
        transform.random_rotate(itertools.chain(range(-20, 20), range(-10, 10), range(-5, 5), 5 * [0])),
        transform.jitter(2),
        transform.crop_or_pad_to(size, size),
    ]
    if alpha:
        transforms.append(transform.collapse_alpha_random())
    return transforms


def render_icons(
    directions, model, layer, size=80, n_steps=128, verbose=False, S=None, num_attempts=3, cossim=True, alpha=False
):
    """One icon [size, size, 3] per direction (rows of `directions`, one value per channel of `layer`), all
    optimized together in one batch, `num_attempts` times; each direction keeps its best attempt.

    S: whitening matrix applied to the directions. alpha: optimize RGBA icons, then flatten them to RGB by
    dimming transparent parts. Returns `(icons [N, size, size, 3], [])`.
    """
    directions = np.asarray(directions, dtype=np.float32)
    if directions.ndim != 2 or len(directions) == 0:
        raise ValueError("directions must be a non-empty array [N, channels], got shape %s." % (directions.shape,))
    layer = getattr(layer, "name", layer)
    batch = len(directions)
    make_objective = direction_neuron_cossim_S if cossim else direction_neuron_S
    per_icon = [make_objective(layer, vec, batch=i, S=S) for i, vec in enumerate(directions)]
    channels = 4 if alpha else 3
    objective = objectives.Objective.sum(per_icon) + objectives.penalize_boundary_complexity(
        (batch, size, size, channels), w=5
    )
    best_icons, best_values = None, None
    for attempt in range(num_attempts):
        with graph_and_session() as (_, sess):
            T = optvis_render.make_vis_T(
                model,
                objective,
                param_f=lambda: param.image(size, batch=batch, fft=True, decorrelate=True, alpha=alpha),
                transforms=_icon_transforms(size, alpha),
            )
            t_values = [obj(T) for obj in per_icon]
            initialize_variables(sess)
            interrupted = steps.run_steps(sess, T, {n_steps - 1}, on_interrupt="return").interrupted
            icons, values = sess.run([T("input"), t_values])
        values = np.array(values)
        if verbose:
            log.info("icons attempt %d: mean objective %.3f", attempt + 1, values.mean())
        if alpha:
            icons = icons[..., :3] * ((1 - _ALPHA_WEIGHT) + _ALPHA_WEIGHT * icons[..., 3:])
        if best_icons is None:
            best_icons, best_values = icons, values
        else:
            better = values > best_values
            best_icons[better], best_values[better] = icons[better], values[better]
        if interrupted:
            break
    return best_icons, []
