"""Argument checks shared by render, params, transforms and objectives: validation that raises clear Python errors
while the graph is built, and run-time size checks for sizes only known when the graph runs."""

from __future__ import annotations

import numbers
from typing import Any

import tensorflow as tf

__all__ = [
    "check_thresholds",
    "is_number",
    "require_size_at_run_time",
    "validate_sd",
    "validate_shape",
    "validate_size",
]


def is_number(x: Any) -> bool:
    """True for a real number, NumPy scalars included; False for bools (a bool where a number is expected is a
    mistake, not 0 or 1)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def validate_size(value: Any, name: str, minimum: int = 1) -> int:
    """Return `value` as an int, or raise if it is not an integer >= `minimum` (a size, a count...)."""
    if not is_number(value):
        raise TypeError("%s must be an integer, got %r of type %s." % (name, value, type(value).__name__))
    if not isinstance(value, numbers.Integral):
        raise ValueError("%s must be an integer, got %r; pass a whole number such as %d." % (name, value, int(value)))
    if value < minimum:
        raise ValueError("%s must be at least %d, got %d." % (name, minimum, value))
    return int(value)


def check_thresholds(thresholds: Any) -> frozenset[int]:
    """`thresholds` (a step number or a collection of them) as a frozenset of non-negative ints, or raise."""
    if isinstance(thresholds, numbers.Integral) and not isinstance(thresholds, bool):
        thresholds = (int(thresholds),)
    try:
        thresholds = frozenset(thresholds)
    except TypeError:
        raise TypeError(
            "thresholds must be a step number or a collection of step numbers, e.g. (512,) or range(0, 512, 64); "
            "got %r." % (thresholds,)
        ) from None
    if not thresholds:
        raise ValueError("thresholds is empty: give at least one step, e.g. thresholds=(512,).")
    for t in thresholds:
        if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
            raise TypeError("thresholds must hold non-negative integer steps, e.g. (0, 64, 512); got %r." % (t,))
    return thresholds


def validate_shape(shape: Any, rank: int | None = None, name: str = "shape") -> list[int]:
    """Return `shape` as a list of positive ints, or raise if it is not one (of length `rank`, if given)."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError("%s must be a list or tuple of integers, got %r." % (name, shape))
    shape = list(shape)
    if rank is not None and len(shape) != rank:
        raise ValueError("%s must have %d entries, got %d: %r." % (name, rank, len(shape), shape))
    return [validate_size(n, "%s[%d]" % (name, i)) for i, n in enumerate(shape)]


def validate_sd(sd: float | None) -> float | None:
    """Return `sd` (None or a non-negative finite number), or raise: it scales random initial values."""
    if sd is None:
        return None
    if not is_number(sd):
        raise TypeError("sd must be a number or None, got %r of type %s." % (sd, type(sd).__name__))
    if not 0 <= sd < float("inf"):
        raise ValueError("sd must be a finite number >= 0, got %r." % sd)
    return sd


def require_size_at_run_time(t: tf.Tensor, axis: int, minimum: int, message: str) -> tf.Tensor:
    """`t`, made to depend on a check that its size along `axis` is at least `minimum` when the graph runs.

    For sizes unknown while the graph is built: models forget the image's height and width (so any size works),
    and random transforms change them at every step. A failing check stops the run (InvalidArgumentError) with
    `message` and the size found, instead of failing deep in TensorFlow or silently averaging an empty slice.
    """
    size = tf.shape(t)[axis]
    check = tf.debugging.Assert(size >= minimum, [message + " Size at this step:", size])
    with tf.control_dependencies([check]):
        return tf.identity(t)
