"""Helpers to walk nested lists/arrays with their n-d indices, and to batch any iterable."""

import logging
import numbers
from collections.abc import Iterable
from itertools import islice

import numpy as np

__all__ = [
    "batch_iter",
    "dict_to_ndarray",
    "recursive_enumerate_nd",
]

log = logging.getLogger(__name__)


def recursive_enumerate_nd(it, stop_iter=None, prefix=()):
    """Yield `(index_tuple, leaf)` for every leaf of the nested iterable `it`, depth first.

    An element is a leaf when it is not iterable, is a str/bytes, or `stop_iter(element)` is true (e.g. to stop at
    images inside a batch array). `prefix` is prepended to every index.
    """
    for index, element in enumerate(it):
        position = prefix + (index,)
        if (
            isinstance(element, Iterable)
            and not isinstance(element, (str, bytes))
            and not (stop_iter is not None and stop_iter(element))
        ):
            yield from recursive_enumerate_nd(element, stop_iter, position)
        else:
            yield position, element


def dict_to_ndarray(d):
    """Array from a dict {index tuple: value}: shaped (1 + the largest index on each axis) + the values' shape.

    Indices missing from `d` are left at zero.
    """
    if not d:
        raise ValueError("dict_to_ndarray needs a non-empty dict of {index tuple: value}.")
    keys = list(d)
    if not all(isinstance(key, tuple) and len(key) == len(keys[0]) for key in keys):
        raise ValueError("dict_to_ndarray needs keys that are tuples of one length, got {}.".format(keys[:5]))
    first = np.asarray(d[keys[0]])
    shape = tuple(max(key[axis] for key in keys) + 1 for axis in range(len(keys[0])))
    array = np.zeros(shape + first.shape, dtype=first.dtype)
    for key, value in d.items():
        array[key] = value
    return array


def batch_iter(it, batch_size=64):
    """Yield lists of `batch_size` consecutive items of `it` (the last one may be shorter)."""
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError("batch_size must be a positive int, got {!r}.".format(batch_size))
    iterator = iter(it)
    while True:
        batch = list(islice(iterator, batch_size))
        if not batch:
            return
        yield batch
