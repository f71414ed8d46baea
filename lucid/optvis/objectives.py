"""Objectives: what a visualization maximises, as composable functions of `T`.

An `Objective` wraps `objective_func(T) -> scalar tensor`, where `T(name)` gives a layer's tensor, `T("input")` the
image in [0, 1] and `T("labels")` the model's labels. Objectives combine with numbers and each other through
`+ - * /`, `sum([...])` and `Objective.sum`, e.g. `channel("mixed4a", 3) - 1e2 * diversity("mixed4a")`.
Factories check their arguments when called and the layer shapes when the objective is built on `T`.

The Objective type and `wrap_objective` live in objective_base.py, the argument checks in objectives_util.py, the
regularizers (total_variation, L1, L2, blur_*, penalize_boundary_complexity) in regularizers.py; all of them are
importable from here, as in the original.
"""

from __future__ import annotations

import logging
import numbers
import re
from collections.abc import Iterable

import numpy as np
import tensorflow as tf
from numpy.typing import ArrayLike

from lucid.modelzoo.labels import label_index
from lucid.optvis.checks import is_number, require_size_at_run_time
from lucid.optvis.objective_base import Objective, ObjectiveFunc, _layers_of, _lift, handle_batch, wrap_objective
from lucid.optvis.objectives_util import (
    _dot_cossim,
    acts_at,
    check_4d,
    check_channel,
    check_depth,
    checked_index,
    index_arg,
    static_batch,
    static_dim,
    vector_arg,
)
from lucid.optvis.regularizers import (
    L1,
    L2,
    blur_alpha_each_step,
    blur_input_each_step,
    penalize_boundary_complexity,
    total_variation,
)

__all__ = [
    "L1",
    "L2",
    "Objective",
    "alignment",
    "as_objective",
    "blur_alpha_each_step",
    "blur_input_each_step",
    "channel",
    "channel_interpolate",
    "class_logit",
    "deepdream",
    "direction",
    "direction_cossim",
    "direction_neuron",
    "diversity",
    "handle_batch",
    "input_diff",
    "layers_read",
    "neuron",
    "penalize_boundary_complexity",
    "tensor_direction",
    "total_variation",
    "wrap_objective",
]

log = logging.getLogger(__name__)


def layers_read(objs: Iterable[Objective | ObjectiveFunc | str]) -> frozenset | None:
    """The model layers that `objs` (Objectives, functions of T or "layer:channel" strings) declare they read, so
    that a render imports only the part of the model computing them; None when one of them does not say (a
    function of T)."""
    return _layers_of([_lift(as_objective(obj), "layers_read") for obj in objs])


@wrap_objective(require_format="NHWC", reads=("layer_name",))
def neuron(
    layer_name: str, channel_n: int, x: int | None = None, y: int | None = None, batch: int | None = None
) -> ObjectiveFunc:
    """Activation of one channel at one spatial position (x: row, y: column; default the centre)."""
    channel_n = index_arg(channel_n, "channel_n")
    x = index_arg(x, "x", allow_none=True)
    y = index_arg(y, "y", allow_none=True)
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = check_channel(T(layer_name), layer_name, channel_n)
        return tf.reduce_mean(acts_at(acts, layer_name, x, y, "neuron")[..., channel_n])

    return inner


@wrap_objective(require_format="NHWC", reads=("layer",))
def channel(layer: str, n_channel: int, batch: int | None = None) -> ObjectiveFunc:
    """Mean activation of one channel over batch and space."""
    n_channel = index_arg(n_channel, "n_channel")
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = check_channel(T(layer), layer, n_channel)
        return tf.reduce_mean(acts[..., n_channel])

    return inner


@wrap_objective(require_format="NHWC", reads=("layer",))
def direction(layer: str, vec: ArrayLike, cossim_pow: float = 0, batch: int | None = None) -> ObjectiveFunc:
    """Mean dot product of the activations with direction `vec` (one value per channel)."""
    vec = vector_arg(vec, (1,), "direction")
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = T(layer)
        check_depth(acts, layer, vec)
        return _dot_cossim(acts, vec[None, None, None], cossim_pow=cossim_pow)

    return inner


direction_cossim = direction


@wrap_objective(require_format="NHWC", reads=("layer_name",))
def direction_neuron(
    layer_name: str,
    vec: ArrayLike,
    x: int | None = None,
    y: int | None = None,
    cossim_pow: float = 0,
    batch: int | None = None,
) -> ObjectiveFunc:
    """Dot product with direction `vec` at one spatial position (default the centre)."""
    vec = vector_arg(vec, (1,), "direction_neuron")
    x = index_arg(x, "x", allow_none=True)
    y = index_arg(y, "y", allow_none=True)
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = T(layer_name)
        check_depth(acts, layer_name, vec)
        position = acts_at(acts, layer_name, x, y, "direction_neuron")
        return _dot_cossim(position, vec[None, None, None], cossim_pow=cossim_pow)

    return inner


@wrap_objective(require_format="NHWC", reads=("layer",))
def tensor_direction(layer: str, vec: ArrayLike, cossim_pow: float = 0, batch: int | None = None) -> ObjectiveFunc:
    """Dot product with a spatial direction `vec` ([H, W, C] or [B, H, W, C]) over the layer's centre crop."""
    array = vector_arg(vec, (3, 4), "tensor_direction")
    if array.ndim == 3:
        array = array[None]
    if 0 in array.shape[1:3]:
        raise ValueError(
            "tensor_direction: vec has shape %s; it needs a height and width of at least 1." % (array.shape,)
        )
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = T(layer)
        check_4d(acts, layer, "tensor_direction")
        check_depth(acts, layer, array)
        vec_h, vec_w = array.shape[1:3]
        for axis, size, dim_name in ((1, vec_h, "height"), (2, vec_w, "width")):
            layer_size = static_dim(acts, axis)
            if layer_size is None:
                acts = require_size_at_run_time(
                    acts,
                    axis,
                    size,
                    "tensor_direction: vec %s %d exceeds the %s of "
                    "layer %s; use a smaller array or a larger image." % (dim_name, size, dim_name, layer),
                )
            elif size > layer_size:
                raise ValueError(
                    "tensor_direction: vec %s %d exceeds the %s %d of layer %r."
                    % (dim_name, size, dim_name, layer_size, layer)
                )
        shape = tf.shape(acts)
        m1 = (shape[1] - vec_h) // 2
        m2 = (shape[2] - vec_w) // 2
        cropped = acts[:, m1 : m1 + vec_h, m2 : m2 + vec_w]
        return _dot_cossim(cropped, array, cossim_pow=cossim_pow)

    return inner


@wrap_objective(handle_batch=True, reads=("layer",))
def deepdream(layer: str) -> ObjectiveFunc:
    """Mean squared activation of a whole layer: amplifies whatever the layer already sees."""
    return lambda T: tf.reduce_mean(T(layer) ** 2)


@wrap_objective(reads=("layer1", "layer2"))
def channel_interpolate(layer1: str, n_channel1: int, layer2: str, n_channel2: int) -> ObjectiveFunc:
    """Across the batch, move linearly from channel 1 of layer 1 (first image) to channel 2 of layer 2 (last)."""
    n_channel1 = index_arg(n_channel1, "n_channel1")
    n_channel2 = index_arg(n_channel2, "n_channel2")

    def inner(T):
        acts1 = check_channel(T(layer1), layer1, n_channel1)
        acts2 = check_channel(T(layer2), layer2, n_channel2)
        batch_n = static_batch(acts1, layer1, "channel_interpolate")
        if batch_n < 2:
            raise ValueError(
                "channel_interpolate interpolates across the batch and needs at least 2 images, but "
                "layer %r has batch size %d." % (layer1, batch_n)
            )
        arr1, arr2 = acts1[..., n_channel1], acts2[..., n_channel2]
        weights = np.arange(batch_n) / (batch_n - 1)
        return tf.add_n(
            [
                (1 - float(w)) * tf.reduce_mean(arr1[n]) + float(w) * tf.reduce_mean(arr2[n])
                for n, w in enumerate(weights)
            ]
        )

    return inner


@wrap_objective(reads=("layer",))
def alignment(layer: str, decay_ratio: float = 2) -> ObjectiveFunc:
    """Negative squared difference between activations of nearby batch images (weight 1/decay_ratio**distance)."""
    if not is_number(decay_ratio) or not 0 < decay_ratio < float("inf"):
        raise ValueError("alignment needs a positive decay_ratio such as 2, got %r." % (decay_ratio,))

    def inner(T):
        arr = T(layer)
        batch_n = static_batch(arr, layer, "alignment")
        terms = [
            tf.reduce_mean((arr[i] - arr[i + d]) ** 2) / decay_ratio ** float(d)
            for d in (1, 2, 3, 4)
            for i in range(batch_n - d)
        ]
        return -tf.add_n(terms) if terms else tf.zeros([], arr.dtype)

    return inner


@wrap_objective(reads=("layer",))
def diversity(layer: str) -> ObjectiveFunc:
    """Mean cosine similarity of each image's Gram matrix with the others'; subtract it to diversify a batch."""

    def inner(T):
        acts = T(layer)
        batch_n = static_batch(acts, layer, "diversity")
        channels = static_dim(acts, -1)
        if channels is None or acts.shape.rank < 2:
            raise ValueError(
                "diversity needs a layer with a static channel count, but %r has shape %s." % (layer, acts.shape)
            )
        flattened = tf.reshape(acts, [batch_n, -1, channels])
        grams = tf.matmul(flattened, flattened, transpose_a=True)
        grams = tf.nn.l2_normalize(grams, axis=[1, 2], epsilon=1e-10)
        flat_grams = tf.reshape(grams, [batch_n, -1])
        similarities = tf.matmul(flat_grams, flat_grams, transpose_b=True)
        off_diagonal = 1 - np.eye(batch_n, dtype=acts.dtype.as_numpy_dtype)
        return tf.reduce_sum(similarities * off_diagonal) / batch_n

    return inner


@wrap_objective(reads=())
def input_diff(orig_img: ArrayLike) -> ObjectiveFunc:
    """Root mean squared difference between the input and `orig_img`."""

    def inner(T):
        x = T("input")
        return tf.sqrt(tf.reduce_mean((x - tf.cast(orig_img, x.dtype)) ** 2))

    return inner


def _model_labels(T, label):
    """T("labels"); a model without labels gets a ValueError saying to pass the class index instead."""
    try:
        return T("labels")
    except RuntimeError as error:
        raise ValueError(
            "Cannot look up the label %r: %s Pass the class index as an int instead." % (label, error)
        ) from None


@wrap_objective(reads=("layer",))
def class_logit(layer: str, label: int | str, batch: int | None = None) -> ObjectiveFunc:
    """Sum over the batch of one class's logit; `label` is a class index (negative from the end), an entry of
    T("labels"), or one of an entry's comma-separated names in any case ("goldfish")."""
    if isinstance(label, numbers.Integral):
        label = index_arg(label, "label")
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        class_n = label if isinstance(label, int) else label_index(_model_labels(T, label), label)
        logits = checked_index(T(layer), -1, class_n, "class", layer, "number of classes")
        return tf.reduce_sum(logits[:, class_n])

    return inner


_OBJECTIVE_STRING_HELP = 'Objective strings have the form "layer:channel", e.g. "mixed4a_pre_relu:476"'


def as_objective(obj: Objective | ObjectiveFunc | str) -> Objective | ObjectiveFunc:
    """Objectives and functions of T as they are; "layer:channel" strings as `channel(layer, channel)`."""
    if isinstance(obj, Objective) or callable(obj):
        return obj
    if isinstance(obj, str):
        parts = obj.split(":")
        if len(parts) != 2 or not parts[0].strip() or not re.fullmatch(r"\s*-?[0-9]+\s*", parts[1]):
            raise ValueError("%s with an integer channel (-1: the last); got %r." % (_OBJECTIVE_STRING_HELP, obj))
        layer, n = parts
        return channel(layer.strip(), int(n))
    raise TypeError(
        'as_objective accepts an Objective, a function of T or a "layer:channel" string, got %r '
        "(type %s)." % (obj, type(obj).__name__)
    )
