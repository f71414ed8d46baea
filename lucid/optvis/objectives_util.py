"""Helpers for objectives: dot products, activation picking, wrappers of `T`, and argument checks.

`T` is the function objectives receive: `T(name)` returns a layer tensor, `T("input")` the image and
`T("labels")` the model's label list. The `_T_*` wrappers return a new `T` that adapts what it returns.
"""

import logging
import numbers

import numpy as np
import tensorflow as tf

from lucid.misc.graph_analysis import property_inference
from lucid.optvis.checks import require_size_at_run_time

__all__ = [
    "acts_at",
    "check_4d",
    "check_channel",
    "check_depth",
    "checked_index",
    "graph_layers",
    "index_arg",
    "model_T",
    "static_batch",
    "static_dim",
    "vector_arg",
]

log = logging.getLogger(__name__)

# The two names T answers without the model's graph: the untransformed image and the model's labels.
INPUT, LABELS = "input", "labels"


def model_T(layer, t_input, model):
    """The T objectives receive: "input" -> `t_input` (the image before transforms), "labels" -> `model.labels`,
    any other name -> `layer(name)`, a tensor of the imported model (render's import, or pruning's stand-ins)."""

    def T(name):
        if name == INPUT:
            return t_input
        if name == LABELS:
            return model.labels
        return layer(name)

    return T


def graph_layers(names):
    """The names among `names` that model_T looks up in the model's graph (all but "input" and "labels")."""
    return frozenset(name for name in names if name not in (INPUT, LABELS))


def _dot(x, y):
    """Dot product over the last (channel) axis."""
    return tf.reduce_sum(x * y, -1)


def _dot_cossim(x, y, cossim_pow=0):
    """Mean dot product of x and y, each term weighted by its cosine similarity (floored at 0.1) ** cossim_pow.

    With cossim_pow > 0 the objective prefers activations pointing along y over ones that are merely large.
    """
    eps = 1e-4
    xy_dot = _dot(x, y)
    if cossim_pow == 0:
        return tf.reduce_mean(xy_dot)
    x_mags = tf.sqrt(_dot(x, x))
    y_mags = tf.sqrt(_dot(y, y))
    cossims = xy_dot / (eps + x_mags) / (eps + y_mags)
    floored_cossims = tf.maximum(0.1, cossims)
    return tf.reduce_mean(xy_dot * floored_cossims**cossim_pow)


def _one(index, size):
    """Slice bounds of one position along an axis of dynamic `size`: the centre for None; a negative int counts
    from the end, as in Python (the original sliced `index:index + 1`, empty for -1)."""
    if index is None:
        return size // 2, size // 2 + 1
    return index, (index + 1) or None


def _extract_act_pos(acts, x=None, y=None):
    """Slice NHWC `acts` to one spatial position, keeping rank: x indexes height, y width; default the centre."""
    shape = tf.shape(acts)
    (x0, x1), (y0, y1) = _one(x, shape[1]), _one(y, shape[2])
    return acts[:, x0:x1, y0:y1]


def _make_arg_str(arg):
    """Short text of an argument for objective descriptions: "..." if long or multi-line."""
    arg = str(arg)
    too_long = len(arg) > 15 or "\n" in arg
    return "..." if too_long else arg


def _is_tensor(t):
    """True for graph tensors and variables, False for other things T returns (such as the labels list)."""
    return isinstance(t, (tf.Tensor, tf.Variable))


def _T_force_NHWC(T):
    """Wrap T so layers come back NHWC: dense `[N, C]` becomes `[N, 1, 1, C]`, detected NCHW is transposed."""

    def T2(name):
        t = T(name)
        if not _is_tensor(t) or t.shape.rank is None:
            return t
        if t.shape.rank == 2:
            return t[:, None, None, :]
        if t.shape.rank == 4 and property_inference.infer_data_format(t) == "NCHW":
            return tf.transpose(t, [0, 2, 3, 1])
        return t

    return T2


def _T_handle_batch(T, batch=None):
    """Wrap T so every tensor it returns is cut to the single example `batch` (no cut when batch is None).

    Non-tensors such as T("labels") pass through whole, so a label lookup does not depend on `batch`.
    """
    if batch is None:
        return T

    def T2(name):
        t = T(name)
        if not _is_tensor(t):
            return t
        # A gather, not a slice: its gradient is sparse, so N per-example objectives on one layer add up N slices
        # instead of N full-size gradients (at batch 32 the slices' gradients were ~10% of a step).
        t = checked_index(t, 0, batch, "batch", name, "batch size")
        return tf.gather(t, [batch] if batch >= 0 else tf.shape(t)[:1] + batch)

    return T2


def index_arg(value, what, allow_none=False):
    """Check an index argument of an objective factory (channel, position, batch): an int, negative ones
    counting from the end as in Python (-1 is the last channel).

    Accepts Python and NumPy integers (not bools); returns it as a Python int, or None when allowed.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            "%s must be an int%s, got %r of type %s."
            % (what, " or None" if allow_none else "", value, type(value).__name__)
        )
    return int(value)


def static_dim(t, axis):
    """Static size of `t` along `axis`, or None when unknown."""
    if t.shape.rank is None:
        return None
    return t.shape.as_list()[axis]


def _check_in_range(index, size, what, layer, dim_name):
    """At graph build time, raise ValueError if `index` does not fit a known static `size` of `layer`."""
    if index is not None and size is not None and not -size <= index < size:
        raise ValueError(
            "%s %d is out of range for layer %r with %s %d: valid values are 0..%d (or -%d..-1 from the end)."
            % (what, index, layer, dim_name, size, size - 1, size)
        )


def checked_index(t, axis, index, what, layer, dim_name):
    """`t`, with `index` (None: nothing to check) checked against its size along `axis`: now when that size is
    static (ValueError), else when the graph runs (`require_size_at_run_time`)."""
    if index is None:
        return t
    size = static_dim(t, axis)
    if size is not None:
        _check_in_range(index, size, what, layer, dim_name)
        return t
    return require_size_at_run_time(
        t,
        axis,
        index + 1 if index >= 0 else -index,
        "%s %d is out of range for layer %s (its %s is too small); "
        "use a smaller %s or a larger image." % (what, index, layer, dim_name, what),
    )


def check_channel(t, layer, channel):
    """Layer tensor `t`, with `channel` checked against its depth (last axis)."""
    return checked_index(t, -1, channel, "channel", layer, "depth")


def static_batch(t, layer, objective):
    """Static batch size of `t`, which `objective` needs to unroll a loop over examples."""
    batch_n = static_dim(t, 0)
    if batch_n is None:
        raise ValueError(
            "%s needs the static batch size of layer %r, but its shape is %s; give the input a "
            "fixed batch size (e.g. param.image(w, batch=4))." % (objective, layer, t.shape)
        )
    return batch_n


def check_4d(t, layer, objective):
    """`objective` picks spatial positions, so it needs a 4-D (NHWC) layer."""
    if t.shape.rank != 4:
        raise ValueError("%s needs a 4-D layer, but %r has shape %s." % (objective, layer, t.shape))


def vector_arg(vec, ranks, objective):
    """A direction argument as a float32 array of one of the allowed `ranks`."""
    try:
        with np.errstate(over="ignore"):  # values beyond float32 become inf, refused below
            arr = np.asarray(vec, dtype=np.float32)
    except (TypeError, ValueError):
        raise TypeError("%s needs `vec` as a numeric NumPy array, got %s." % (objective, type(vec).__name__)) from None
    if arr.ndim not in ranks:
        raise ValueError(
            "%s needs `vec` of rank %s, got shape %s." % (objective, " or ".join(map(str, ranks)), arr.shape)
        )
    if not np.isfinite(arr).all():
        raise ValueError(
            "%s needs `vec` of finite float32 values, got NaN, inf or values beyond float32's range." % objective
        )
    return arr


def check_depth(t, layer, vec):
    """The direction's last axis must have one value per channel of the layer."""
    depth = static_dim(t, -1)
    if depth is not None and vec.shape[-1] != depth:
        raise ValueError(
            "vec has %d values along its last axis but layer %r has depth %d; give one value per "
            "channel." % (vec.shape[-1], layer, depth)
        )


def acts_at(acts, layer, x, y, objective):
    """The activations at row x, column y (default the centre), after checking they lie inside the layer."""
    check_4d(acts, layer, objective)
    acts = checked_index(acts, 1, x, "x", layer, "height")
    acts = checked_index(acts, 2, y, "y", layer, "width")
    return _extract_act_pos(acts, x, y)
