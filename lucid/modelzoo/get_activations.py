"""A layer's activations on many images: numpy images in, numpy activations out, in batches.

acts = model.get_activations("mixed4a", images)   # images [N, H, W, 3] in [0, 1] -> [N, h, w, C]
"""

import logging

import numpy as np
import tensorflow as tf

from lucid.misc.iter_nd_utils import batch_iter, dict_to_ndarray, recursive_enumerate_nd

__all__ = [
    "batch_iter",
    "dict_to_ndarray",
    "get_activations",
    "get_activations_iter",
    "recursive_enumerate_nd",
    "REDUCERS",
]

log = logging.getLogger(__name__)

REDUCERS = ("mean", "max", "rms")


def get_activations_iter(
    model, layer, generator, reducer="mean", batch_size=64, dtype=None, ind_shape=None, center_only=False
):
    """Activations of `layer` on the images of `generator`, which yields `(index_tuple, image)` pairs.

    Images sharing an index are combined by `reducer`: "mean", "max" (elementwise) or "rms" (root mean square).
    center_only: keep only the central spatial position ([h // 2, w // 2]) of image-shaped activations.
    dtype: cast the activations (e.g. np.float16, to save memory).
    ind_shape: shape of the index space; None infers it from the largest indices seen.
    Returns an array of shape `ind_shape + activation shape`.
    """
    if reducer not in REDUCERS:
        raise ValueError("reducer must be one of {}, got {!r}.".format(REDUCERS, reducer))
    layer_name = getattr(layer, "name", layer)
    channels = (list(model.image_shape or [None])[-1]) or 3
    totals, counts = {}, {}
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_images = tf.compat.v1.placeholder(tf.float32, [None, None, None, channels])
        t_layer = model.import_graph(t_images)(layer_name)
        for batch in batch_iter(generator, batch_size):
            indices, images = zip(*batch)
            acts = sess.run(t_layer, {t_images: np.stack(images)})
            if center_only and acts.ndim == 4:
                acts = acts[:, acts.shape[1] // 2, acts.shape[2] // 2]
            if dtype is not None:
                acts = acts.astype(dtype)
            for index, act in zip(indices, acts):
                _accumulate(totals, counts, tuple(index), act, reducer)
    if not totals:
        raise ValueError("No images to compute activations on: the examples are empty.")
    results = {index: _finish(total, counts[index], reducer) for index, total in totals.items()}
    if ind_shape is None:
        return dict_to_ndarray(results)
    first = next(iter(results.values()))
    array = np.zeros(tuple(ind_shape) + first.shape, dtype=first.dtype)
    for index, value in results.items():
        array[index] = value
    return array


def _accumulate(totals, counts, index, act, reducer):
    """Add one image's activation `act` to the running sum (max, sum of squares) for `index`."""
    value = np.square(act) if reducer == "rms" else act
    if index not in totals:
        totals[index] = np.array(value)
    elif reducer == "max":
        np.maximum(totals[index], value, out=totals[index])
    else:
        totals[index] += value
    counts[index] = counts.get(index, 0) + 1


def _finish(total, count, reducer):
    if reducer == "max":
        return total
    mean = total / count
    return np.sqrt(mean) if reducer == "rms" else mean


def get_activations(model, layer, examples, batch_size=64, dtype=None, ind_shape=None, center_only=False):
    """Activations of `layer` (a name or Layer) on `examples`, images in [0, 1].

    examples: an array [..., H, W, C] of images (any number of leading index axes), or nested lists of image
      arrays [H, W, C].
    Returns an array [..., h, w, C'] (or [..., C'] for dense layers or with center_only), indexed like `examples`.
    """
    if isinstance(examples, np.ndarray):
        if examples.ndim < 4:
            raise ValueError(
                "examples must be a batch of images [N, H, W, C], got shape {}; for one image pass image[None].".format(
                    examples.shape
                )
            )
        if ind_shape is None:
            ind_shape = examples.shape[:-3]
    generator = recursive_enumerate_nd(examples, stop_iter=lambda x: isinstance(x, np.ndarray) and x.ndim <= 3)
    return get_activations_iter(
        model, layer, generator, batch_size=batch_size, dtype=dtype, ind_shape=ind_shape, center_only=center_only
    )
