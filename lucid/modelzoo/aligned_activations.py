"""Activations of zoo layers on a shared set of 100,000 ImageNet samples ("aligned": row i is the same sample for
every layer of every model), published by the Lucid model zoo in 10 pages per layer; and the statistics the
activation-atlas recipes derive from them."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from lucid.misc.io import load
from lucid.misc.io.sanitizing import sanitize

if TYPE_CHECKING:  # lucid.modelzoo.model imports TensorFlow, and this module on first use
    from lucid.modelzoo.model import Layer

__all__ = [
    "get_aligned_activations",
    "layer_covariance",
    "layer_inverse_covariance",
    "load",
    "NUMBER_OF_AVAILABLE_SAMPLES",
    "NUMBER_OF_PAGES",
    "PAGE_SIZE",
    "PATH_TEMPLATE",
    "push_activations",
    "sanitize",
]

PATH_TEMPLATE = "gs://modelzoo/aligned-activations/{}/{}-{:05d}-of-01000.npy"
PAGE_SIZE = 10000
NUMBER_OF_AVAILABLE_SAMPLES = 100000
NUMBER_OF_PAGES = NUMBER_OF_AVAILABLE_SAMPLES // PAGE_SIZE


@functools.lru_cache
def get_aligned_activations(layer: Layer) -> np.ndarray:
    """`[100000, depth]` activations of `layer` (a zoo Layer), downloaded once and cached on disk and in memory."""
    urls = [
        PATH_TEMPLATE.format(sanitize(layer.model_name), sanitize(layer.name), page) for page in range(NUMBER_OF_PAGES)
    ]
    pages = load(urls)
    for page in pages:
        if isinstance(page, Exception):
            raise page
    activations = np.vstack(pages)
    if not np.all(np.isfinite(activations)):
        raise ValueError("The aligned activations of %r hold non-finite values: %s" % (layer.name, urls))
    return activations


@functools.lru_cache
def layer_covariance(layer1: Layer, layer2: Layer | None = None) -> np.ndarray:
    """Covariance `act1.T @ act2 / N` of two layers' aligned activations (of one layer when layer2 is None)."""
    act1 = get_aligned_activations(layer1)
    act2 = act1 if layer2 is None else get_aligned_activations(layer2)
    return np.matmul(act1.T, act2) / len(act1)


@functools.lru_cache
def layer_inverse_covariance(layer: Layer) -> np.ndarray:
    return np.linalg.inv(layer_covariance(layer))


def push_activations(activations: np.ndarray, from_layer: Layer, to_layer: Layer) -> np.ndarray:
    """Map activations of `from_layer` to `to_layer` by the least-squares fit of their aligned activations."""
    inverse_covariance_matrix = layer_inverse_covariance(from_layer)
    activations_decorrelated = np.dot(inverse_covariance_matrix, activations.T).T
    covariance_matrix = layer_covariance(from_layer, to_layer)
    return np.dot(activations_decorrelated, covariance_matrix)
