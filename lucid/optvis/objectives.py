"""Objectives: what a visualization maximises, as composable functions of `T`.

An `Objective` wraps `objective_func(T) -> scalar tensor`, where `T(name)` gives a layer's tensor, `T("input")` the
image in [0, 1] and `T("labels")` the model's labels. Objectives combine with numbers and each other through
`+ - * /`, `sum([...])` and `Objective.sum`, e.g. `channel("mixed4a", 3) - 1e2 * diversity("mixed4a")`.
Factories check their arguments when called and the layer shapes when the objective is built on `T`.
"""

import difflib
import functools
import inspect
import logging
import numbers
import re

import numpy as np
import tensorflow as tf

from lucid.optvis.checks import is_number, require_size_at_run_time
from lucid.optvis.objectives_util import (
    _dot_cossim,
    _extract_act_pos,
    _make_arg_str,
    _T_force_NHWC,
    _T_handle_batch,
    check_channel,
    checked_index,
    graph_layers,
    index_arg,
    static_batch,
    static_dim,
)

log = logging.getLogger(__name__)


def _lift(other, operation):
    """Return `other` as an Objective for `operation`: Objectives as is, functions of T wrapped by name (reading
    layers nobody declared)."""
    if isinstance(other, Objective):
        return other
    if callable(other):
        name = getattr(other, "__name__", "")
        return Objective(other, name, name)
    raise TypeError(
        "Cannot use %r (type %s) with an objective in %s: use a number, an Objective or a function "
        "of T." % (other, type(other).__name__, operation)
    )


def _layers_of(objs):
    """The model layers a combination of objectives reads: the union of theirs, None if one of them does not say."""
    layers = [obj.layers for obj in objs]
    return None if None in layers else frozenset().union(*layers)


def layers_read(objs):
    """The model layers that `objs` (Objectives, functions of T or "layer:channel" strings) declare they read, so
    that a render imports only the part of the model computing them; None when one of them does not say (a
    function of T)."""
    return _layers_of([_lift(as_objective(obj), "layers_read") for obj in objs])


class Objective:
    """A function of T to maximise, with a short `name`, a readable `description` of how it was built and the
    `layers` of the model it reads (a frozenset of names; None when unknown, as for a function of T)."""

    # Makes NumPy scalars defer to our reflected operators, so `np.float32(2) * obj` is an Objective.
    __array_ufunc__ = None

    def __init__(self, objective_func, name="", description="", layers=None):
        self.objective_func = objective_func
        self.name = name
        self.description = description
        self.layers = layers

    def __call__(self, T):
        return self.objective_func(T)

    def __add__(self, other):
        if is_number(other):
            return Objective(lambda T: other + self(T), self.name, self.description, self.layers)
        other = _lift(other, "+")
        name = ", ".join([self.name, other.name])
        description = "Sum(" + " +\n".join([self.description, other.description]) + ")"
        return Objective(lambda T: self(T) + other(T), name, description, _layers_of([self, other]))

    __radd__ = __add__

    def __neg__(self):
        return -1 * self

    def __sub__(self, other):
        return self + (-other if is_number(other) else -_lift(other, "-"))

    def __rsub__(self, other):
        return -self + other

    def __mul__(self, other):
        """Scale by a number, or multiply values with another objective; keeps self's name and description."""
        if is_number(other):
            return Objective(lambda T: other * self(T), self.name, self.description, self.layers)
        other = _lift(other, "*")
        return Objective(lambda T: self(T) * other(T), self.name, self.description, _layers_of([self, other]))

    __rmul__ = __mul__

    def __truediv__(self, other):
        if not is_number(other):
            raise TypeError(
                "An objective can only be divided by a number, got %r (type %s)." % (other, type(other).__name__)
            )
        if other == 0:
            raise ZeroDivisionError("Objective %r divided by zero." % self.name)
        return Objective(lambda T: self(T) / other, self.name, self.description, self.layers)

    @staticmethod
    def sum(objs):
        """One objective adding up all of `objs` (Objectives or functions of T)."""
        objs = [_lift(obj, "Objective.sum") for obj in objs]
        name = ", ".join(obj.name for obj in objs)
        description = "Sum(" + " +\n".join(obj.description for obj in objs) + ")"
        return Objective(lambda T: sum([obj(T) for obj in objs]), name, description, _layers_of(objs))


def wrap_objective(require_format=None, handle_batch=False, reads=None):
    """Decorator turning a factory `f(*args) -> (T -> tensor)` into one returning a described `Objective`.

    The Objective is named `f.__name__`; its description lists all positional arguments, defaults included,
    e.g. "Channel [mixed4a_pre_relu, 476, None]". With `require_format="NHWC"` the objective sees layers through
    `_T_force_NHWC`. `reads` names the factory's parameters that hold the layers the objective reads (`()`: it
    reads only T("input") or T("labels")); the Objective declares them as its `layers`, so a render imports
    only the model's part computing them without a trial build. `handle_batch` is accepted for compatibility
    and has no effect (factories slice batches themselves with `handle_batch(batch)`). Works with parentheses or
    bare, as `@wrap_objective`.
    """
    if callable(require_format):
        return wrap_objective()(require_format)
    if require_format not in (None, "NHWC"):
        raise ValueError('require_format must be None or "NHWC", got %r.' % (require_format,))

    def decorator(f):
        signature = inspect.signature(f)

        @functools.wraps(f)
        def factory(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            objective_func = f(*bound.args, **bound.kwargs)
            description = f.__name__.title() + " [" + ", ".join(_make_arg_str(a) for a in bound.args) + "]"
            layers = _declared_layers([bound.arguments[name] for name in reads]) if reads is not None else None
            if require_format == "NHWC":
                return Objective(lambda T: objective_func(_T_force_NHWC(T)), f.__name__, description, layers)
            return Objective(objective_func, f.__name__, description, layers)

        return factory

    return decorator


def _declared_layers(names):
    """The model layers among the layer arguments `names` ("input" and "labels" are not the model's); None if
    one is not a name (the objective's build then reports it)."""
    if not all(isinstance(name, str) for name in names):
        return None
    return graph_layers(names)


def handle_batch(batch=None):
    """Decorator for an objective's inner function: its T returns only example `batch` (None: all examples)."""
    return lambda f: lambda T: f(_T_handle_batch(T, batch=batch))


def _tf_blur(x, w=3):
    """Blur NHWC `x` per channel with a w x w kernel (0.5 on the border, 1 inside), normalised at the edges."""
    depth = static_dim(x, -1)
    if depth is None:
        raise ValueError("Blurring needs a known static channel count, but the tensor's shape is %s." % x.shape)
    kernel_2d = np.full([w, w], 0.5)
    kernel_2d[1:-1, 1:-1] = 1.0
    kernel = (kernel_2d[:, :, None, None] * np.eye(depth)).astype(x.dtype.as_numpy_dtype)

    def conv_k(t):
        return tf.nn.conv2d(t, kernel, [1, 1, 1, 1], "SAME")

    return conv_k(x) / conv_k(tf.ones_like(x))


def _check_4d(t, layer, objective):
    """`objective` picks spatial positions, so it needs a 4-D (NHWC) layer."""
    if t.shape.rank != 4:
        raise ValueError("%s needs a 4-D layer, but %r has shape %s." % (objective, layer, t.shape))


def _vector_arg(vec, ranks, objective):
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


def _check_depth(t, layer, vec):
    """The direction's last axis must have one value per channel of the layer."""
    depth = static_dim(t, -1)
    if depth is not None and vec.shape[-1] != depth:
        raise ValueError(
            "vec has %d values along its last axis but layer %r has depth %d; give one value per "
            "channel." % (vec.shape[-1], layer, depth)
        )


def _acts_at(acts, layer, x, y, objective):
    """The activations at row x, column y (default the centre), after checking they lie inside the layer."""
    _check_4d(acts, layer, objective)
    acts = checked_index(acts, 1, x, "x", layer, "height")
    acts = checked_index(acts, 2, y, "y", layer, "width")
    return _extract_act_pos(acts, x, y)


@wrap_objective(require_format="NHWC", reads=("layer_name",))
def neuron(layer_name, channel_n, x=None, y=None, batch=None):
    """Activation of one channel at one spatial position (x: row, y: column; default the centre)."""
    channel_n = index_arg(channel_n, "channel_n")
    x = index_arg(x, "x", allow_none=True)
    y = index_arg(y, "y", allow_none=True)
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = check_channel(T(layer_name), layer_name, channel_n)
        return tf.reduce_mean(_acts_at(acts, layer_name, x, y, "neuron")[..., channel_n])

    return inner


@wrap_objective(require_format="NHWC", reads=("layer",))
def channel(layer, n_channel, batch=None):
    """Mean activation of one channel over batch and space."""
    n_channel = index_arg(n_channel, "n_channel")
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = check_channel(T(layer), layer, n_channel)
        return tf.reduce_mean(acts[..., n_channel])

    return inner


@wrap_objective(require_format="NHWC", reads=("layer",))
def direction(layer, vec, cossim_pow=0, batch=None):
    """Mean dot product of the activations with direction `vec` (one value per channel)."""
    vec = _vector_arg(vec, (1,), "direction")
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = T(layer)
        _check_depth(acts, layer, vec)
        return _dot_cossim(acts, vec[None, None, None], cossim_pow=cossim_pow)

    return inner


direction_cossim = direction


@wrap_objective(require_format="NHWC", reads=("layer_name",))
def direction_neuron(layer_name, vec, x=None, y=None, cossim_pow=0, batch=None):
    """Dot product with direction `vec` at one spatial position (default the centre)."""
    vec = _vector_arg(vec, (1,), "direction_neuron")
    x = index_arg(x, "x", allow_none=True)
    y = index_arg(y, "y", allow_none=True)
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = T(layer_name)
        _check_depth(acts, layer_name, vec)
        position = _acts_at(acts, layer_name, x, y, "direction_neuron")
        return _dot_cossim(position, vec[None, None, None], cossim_pow=cossim_pow)

    return inner


@wrap_objective(require_format="NHWC", reads=("layer",))
def tensor_direction(layer, vec, cossim_pow=0, batch=None):
    """Dot product with a spatial direction `vec` ([H, W, C] or [B, H, W, C]) over the layer's centre crop."""
    vec = _vector_arg(vec, (3, 4), "tensor_direction")
    if vec.ndim == 3:
        vec = vec[None]
    if 0 in vec.shape[1:3]:
        raise ValueError(
            "tensor_direction: vec has shape %s; it needs a height and width of at least 1." % (vec.shape,)
        )
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        acts = T(layer)
        _check_4d(acts, layer, "tensor_direction")
        _check_depth(acts, layer, vec)
        vec_h, vec_w = vec.shape[1:3]
        for axis, size, dim_name in ((1, vec_h, "height"), (2, vec_w, "width")):
            layer_size = static_dim(acts, axis)
            if layer_size is None:
                acts = require_size_at_run_time(
                    acts,
                    axis,
                    size,
                    "tensor_direction: vec %s %d exceeds the %s of "
                    "layer %s; use a smaller vec or a larger image." % (dim_name, size, dim_name, layer),
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
        return _dot_cossim(cropped, vec, cossim_pow=cossim_pow)

    return inner


@wrap_objective(handle_batch=True, reads=("layer",))
def deepdream(layer):
    """Mean squared activation of a whole layer: amplifies whatever the layer already sees."""
    return lambda T: tf.reduce_mean(T(layer) ** 2)


@wrap_objective(handle_batch=True, reads=("layer",))
def total_variation(layer="input"):
    """Per-image total variation (sum of absolute neighbour differences), a `[B]` vector; use it negated."""
    return lambda T: tf.image.total_variation(T(layer))


@wrap_objective(handle_batch=True, reads=("layer",))
def L1(layer="input", constant=0):
    """Sum of absolute differences from `constant`."""
    return lambda T: tf.reduce_sum(tf.abs(T(layer) - constant))


@wrap_objective(handle_batch=True, reads=("layer",))
def L2(layer="input", constant=0, epsilon=1e-6):
    """Euclidean distance from `constant` (epsilon keeps the gradient finite at zero)."""
    return lambda T: tf.sqrt(epsilon + tf.reduce_sum((T(layer) - constant) ** 2))


def _blur_step(x):
    """0.5 * ||x - blur(x)||^2 with the blur held constant: a step of size k on -value moves x k of the way
    toward its blur."""
    return 0.5 * tf.reduce_sum((x - tf.stop_gradient(_tf_blur(x))) ** 2)


@wrap_objective(reads=())
def blur_input_each_step():
    """Use negated: blurs the input image a little at every optimisation step."""
    return lambda T: _blur_step(T("input"))


@wrap_objective(reads=())
def blur_alpha_each_step():
    """Use negated: blurs the alpha channel (channel 3) of an RGBA input at every step."""
    return lambda T: _blur_step(T("input")[..., 3:4])


@wrap_objective(reads=("layer1", "layer2"))
def channel_interpolate(layer1, n_channel1, layer2, n_channel2):
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


@wrap_objective(reads=())
def penalize_boundary_complexity(shp, w=20, mask=None, C=0.5):
    """Negative penalty on detail and on distance from grey `C` inside `mask` (default: a border w pixels wide)."""
    if mask is None:
        mask = np.ones(shp, np.float32)
        mask[:, w:-w, w:-w] = 0

    def inner(T):
        arr = T("input")
        diffs = (_tf_blur(arr, w=5) - arr) ** 2 + 0.8 * (arr - C) ** 2
        return -tf.reduce_sum(diffs * tf.cast(mask, arr.dtype))

    return inner


@wrap_objective(reads=("layer",))
def alignment(layer, decay_ratio=2):
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
def diversity(layer):
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
def input_diff(orig_img):
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


def _synonyms(label):
    """The comma-separated names of a label, lower-cased: "goldfish, Carassius auratus" -> goldfish, carassius
    auratus."""
    return [name.strip().lower() for name in str(label).split(",") if name.strip()]


def _label_index(labels, label):
    """Index of `label` in the model's labels: an exact match first (as the original), else the one label that
    has `label` among its comma-separated synonyms, in any case ("goldfish" for "goldfish, Carassius auratus").

    KeyError when several labels match (naming them: ImageNet has two exact "crane"s, the bird and the machine,
    where the original silently took the first) or none does (naming close ones).
    """
    if labels is None:
        raise ValueError("The model has no labels to look up %r in; pass the class index as an int." % (label,))
    labels = list(labels)
    wanted = str(label).strip().lower()
    found = [i for i, known in enumerate(labels) if known == label]
    if not found:
        found = [i for i, known in enumerate(labels) if wanted in _synonyms(known)]
    if len(found) == 1:
        return found[0]
    if found:
        raise KeyError(
            "Label %r names %d of the model's classes: %s. Pass the class index (or a label that names one)."
            % (label, len(found), ", ".join("%d %r" % (i, labels[i]) for i in found))
        )
    by_synonym = {synonym: known for known in labels for synonym in _synonyms(known)}
    close = difflib.get_close_matches(wanted, list(by_synonym))
    close_labels = list(dict.fromkeys(str(by_synonym[synonym]) for synonym in close))
    raise KeyError(
        "Label %r is not one of the model's %d labels. Close labels: %s."
        % (label, len(labels), ", ".join(map(repr, close_labels)) or "none")
    )


@wrap_objective(reads=("layer",))
def class_logit(layer, label, batch=None):
    """Sum over the batch of one class's logit; `label` is a class index (negative from the end), an entry of
    T("labels"), or one of an entry's comma-separated names in any case ("goldfish")."""
    if isinstance(label, numbers.Integral):
        label = index_arg(label, "label")
    batch = index_arg(batch, "batch", allow_none=True)

    @handle_batch(batch)
    def inner(T):
        class_n = label if isinstance(label, int) else _label_index(_model_labels(T, label), label)
        logits = checked_index(T(layer), -1, class_n, "class", layer, "number of classes")
        return tf.reduce_sum(logits[:, class_n])

    return inner


_OBJECTIVE_STRING_HELP = 'Objective strings have the form "layer:channel", e.g. "mixed4a_pre_relu:476"'


def as_objective(obj):
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
