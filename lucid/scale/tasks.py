"""What the Dask workers run: load a model once per process, render a batch of channels, run a chunk of images.

Tasks carry plain values only (a model spec, a layer name, channel numbers, image paths), never TensorFlow
objects, so any worker process can run any task.
"""

import functools
import io
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from typing import Any, cast

import numpy as np
import PIL.Image
import tensorflow as tf

import lucid
from lucid.misc.io.image_files import open_image
from lucid.misc.io.serialize_array import serialize_array
from lucid.modelzoo import nets_factory
from lucid.modelzoo.vision_base import Model
from lucid.optvis import fast as fast_path
from lucid.optvis import objectives, param
from lucid.optvis.render import render_channels, render_vis
from lucid.scale.units import ModelSpec

__all__ = [
    "activation_extremes",
    "DIVERSITY_WEIGHT",
    "encode_jpeg",
    "load_model",
    "load_square_image",
    "merge_extremes",
    "receptive_fields",
    "render_batch",
    "render_views",
    "THUMB_PX",
    "VIEWS",
    "views_objective",
]

log = logging.getLogger(__name__)

# The renders take their seed from the global `lucid.seed`: seeded batches in one process run one at a time.
_SEED_LOCK = threading.Lock()

# The Microscope's views of a unit, in batch order: positive, negative, then a diverse batch of 4.
VIEWS = ("positive", "negative", "diverse-0", "diverse-1", "diverse-2", "diverse-3")
THUMB_PX = 80  # the positive view's thumbnail on the layer page
DIVERSITY_WEIGHT = 1e2  # the original's neuron_diversity notebook: channel - 1e2 * diversity
# Pillow's bilinear filter: Pillow sets its module-level filter constants with setattr at import, so its type hints
# lack them (they name Image.Resampling, which Pillow before 9.1 does not have).
BILINEAR: int = PIL.Image.BILINEAR  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=4)
def load_model(spec: ModelSpec) -> Model:
    """The Model for `spec`, loaded once per process.

    `spec` is a zoo class name, the path of a `.pb` saved by Model.save, or `(path, value_range, is_BGR)` for a
    saved Keras model (`.keras`, loaded with safe_mode=True so it cannot run code).
    """
    if isinstance(spec, tuple):
        import keras

        path, value_range, is_bgr = spec
        keras_model = keras.saving.load_model(path, compile=False, safe_mode=True)
        name = os.path.splitext(os.path.basename(path))[0]
        return Model.from_keras(keras_model, image_value_range=value_range, model_name=name, is_BGR=is_bgr)
    if spec.endswith(".pb"):
        return cast(Model, Model.load(spec))  # None only for a file that is neither .pb nor .json
    return nets_factory.get_model(spec)


@contextmanager
def _seeded(seed):
    """Yield the `use_fixed_seed` argument of a render: False for seed None, else True with lucid.seed = seed."""
    if seed is None:
        yield False
        return
    with _SEED_LOCK:
        previous_seed, lucid.seed = lucid.seed, seed
        try:
            yield True
        finally:
            lucid.seed = previous_seed


def _worker():
    return "%s:%d" % (socket.gethostname(), os.getpid())


def render_batch(
    spec: ModelSpec,
    layer: str,
    channels: Sequence[int],
    steps: int,
    size: int,
    seed: int | None,
    precision: str = "float32",
    fast: bool = False,
) -> dict[str, Any]:
    """Render `channels` of `layer` as one batch; return their PNG bytes, objective values and timing.

    `seed` None leaves the render unseeded; an int makes it repeatable for the same batch of channels.
    """
    start = time.perf_counter()
    with _seeded(seed) as use_fixed_seed:
        images, values = render_channels(
            load_model(spec),
            layer,
            channels,
            batch_size=len(channels),
            steps=steps,
            image_size=size,
            use_fixed_seed=use_fixed_seed,
            precision=precision,
            fast=fast,
        )
    return {
        "pngs": [serialize_array(image) for image in images],
        "values": [float(value) for value in values],
        "seconds": time.perf_counter() - start,
        "worker": _worker(),
    }


def views_objective(layer: str, channels: Iterable[int]) -> objectives.Objective:
    """One objective over a batch of `len(VIEWS)` images per channel: maximize the positive and diverse images,
    minimize the negative one, and push each channel's four diverse images apart with `objectives.diversity`."""
    parts = []
    for index, channel in enumerate(channels):
        first = len(VIEWS) * index
        parts.append(objectives.channel(layer, channel, batch=first))
        parts.append(-objectives.channel(layer, channel, batch=first + 1))
        parts.extend(objectives.channel(layer, channel, batch=first + i) for i in range(2, len(VIEWS)))
        parts.append(-DIVERSITY_WEIGHT * _diversity_of_images(layer, first + 2, first + len(VIEWS)))
    return objectives.Objective.sum(parts)


def _diversity_of_images(layer, start, stop):
    """`objectives.diversity(layer)` over images start..stop-1 of the batch only."""
    diversity = objectives.diversity(layer)
    return objectives.Objective(lambda T: diversity(lambda name: T(name)[start:stop]), "diversity")


def render_views(
    spec: ModelSpec,
    layer: str,
    channels: Sequence[int],
    steps: int,
    size: int,
    seed: int | None,
    precision: str = "float32",
    fast: bool = False,
) -> dict[str, Any]:
    """The Microscope's images of `channels` of `layer`, rendered together: `{"images": [{view: PNG bytes}],
    "thumbs": [JPEG bytes of the positive view], "seconds", "worker"}`, one item per channel."""
    start = time.perf_counter()
    with _seeded(seed) as use_fixed_seed:
        images = render_vis(
            load_model(spec),
            views_objective(layer, channels),
            lambda: (fast_path.image if fast else param.image)(size, batch=len(VIEWS) * len(channels)),
            thresholds=(steps - 1,),
            verbose=False,
            use_fixed_seed=use_fixed_seed,
            precision=precision,
            fast=fast,
        )[-1]
    per_channel = [
        {view: serialize_array(images[len(VIEWS) * index + i]) for i, view in enumerate(VIEWS)}
        for index in range(len(channels))
    ]
    thumbs = [encode_jpeg(images[len(VIEWS) * index], size=THUMB_PX) for index in range(len(channels))]
    return {"images": per_channel, "thumbs": thumbs, "seconds": time.perf_counter() - start, "worker": _worker()}


def load_square_image(path: str, size: int) -> np.ndarray:
    """The image at `path` as float32 RGB in [0, 1], centre-cropped to a square and resized to `size`."""
    with open_image(path) as image:
        image = image.convert("RGB")
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side)).resize((size, size), BILINEAR)
    return np.asarray(image, np.float32) / 255


@functools.lru_cache(maxsize=2)
def _activation_graph(spec, layers, size):
    """A session computing `layers` of the model for a batch of `size` px images, built once per process."""
    graph = tf.Graph()
    with graph.as_default():
        t_input = tf.compat.v1.placeholder(tf.float32, [None, size, size, 3])
        T = load_model(spec).import_graph(t_input, forget_xy_shape=False)
        tensors = [T(layer) for layer in layers]
    return tf.compat.v1.Session(graph=graph), t_input, tensors


def activation_extremes(
    spec: ModelSpec, layers: Sequence[str], paths: Iterable[str], first_index: int, size: int, k: int
) -> dict[str, Any]:
    """For each layer, the k strongest and k weakest responses of each channel over the images at `paths`.

    A response is a channel's maximum (or minimum) over the positions of one image. Returns `{"layers": {layer:
    {"top": ..., "bottom": ...}}, "skipped": [(path, error)]}`, each array `[4, k', channels]` of (value, image
    index, row, column), image indices counting from `first_index`; only these few numbers leave the worker, so
    memory does not grow with the folder. An image that cannot be read is skipped and listed with its error.
    """
    sess, t_input, tensors = _activation_graph(spec, tuple(layers), size)
    images, indices, skipped = [], [], []
    for index, path in enumerate(paths, first_index):
        try:
            images.append(load_square_image(path, size))
        except Exception as error:  # any error decoding a stranger's file: skip the image, name it, go on
            skipped.append((path, "%s: %s" % (type(error).__name__, error)))
        else:
            indices.append(index)
    results = {}
    for layer, acts in zip(layers, sess.run(tensors, {t_input: np.stack(images)}) if images else ()):
        n, height, width, channels = acts.shape
        flat = acts.reshape(n, height * width, channels)
        results[layer] = {
            "top": _extremes(flat, np.argmax(flat, axis=1), width, indices, k, largest=True),
            "bottom": _extremes(flat, np.argmin(flat, axis=1), width, indices, k, largest=False),
        }
    return {"layers": results, "skipped": skipped}


def _extremes(flat, positions, width, indices, k, largest):
    """`[4, k', channels]`: the k largest (or smallest) per-image extremes of each channel, with where they are."""
    values = np.take_along_axis(flat, positions[:, None, :], axis=1)[:, 0, :]  # [n, channels]
    images = np.broadcast_to(np.asarray(indices)[:, None], values.shape)
    stacked = np.stack([values, images, positions // width, positions % width]).astype(np.float64)
    return merge_extremes([stacked], k, largest)


def merge_extremes(parts: Sequence[np.ndarray], k: int, largest: bool) -> np.ndarray:
    """The k largest (or smallest) of several `[4, n, channels]` arrays of (value, image, row, column)."""
    stacked = np.concatenate(parts, axis=1)
    order = np.argsort(-stacked[0] if largest else stacked[0], axis=0, kind="stable")[:k]
    return np.take_along_axis(stacked, order[None], axis=1)


def receptive_fields(spec: ModelSpec, layers: Iterable[str], size: int) -> dict[str, dict[str, list[float]]]:
    """`{layer: {"grid": [height, width], "box": [top, left, bottom, right]}}`: each layer's spatial grid and the
    input pixels its centre position depends on, as offsets from that position's centre (in `size` px images).

    Found from the gradient of the centre position on a few random images (the input pixels it touches), so it
    holds for any architecture.
    """
    fields = {}
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [4, size, size, 3])
        T = load_model(spec).import_graph(t_input, forget_xy_shape=False)
        noise = np.random.RandomState(0).uniform(size=(4, size, size, 3)).astype(np.float32)
        for layer in layers:
            acts = T(layer)
            height, width = int(acts.shape[1]), int(acts.shape[2])
            row, col = height // 2, width // 2
            (grad,) = tf.gradients(tf.reduce_sum(acts[:, row, col, :]), [t_input])
            touched = np.abs(sess.run(grad, {t_input: noise})).sum(axis=(0, 3)) > 0
            rows, cols = np.nonzero(touched.any(axis=1))[0], np.nonzero(touched.any(axis=0))[0]
            centre_y, centre_x = (row + 0.5) * size / height, (col + 0.5) * size / width
            fields[layer] = {
                "grid": [height, width],
                "box": [rows[0] - centre_y, cols[0] - centre_x, rows[-1] + 1 - centre_y, cols[-1] + 1 - centre_x],
            }
    return fields


def encode_jpeg(image: np.ndarray | PIL.Image.Image, size: int | None = None, quality: int = 85) -> bytes:
    """JPEG bytes of an image array in [0, 1] (or a PIL image), its longer side resized to `size` if given."""
    if isinstance(image, np.ndarray):
        image = PIL.Image.fromarray(np.uint8(np.clip(image, 0, 1) * 255 + 0.5))
    if size is not None:
        image = image.copy()
        image.thumbnail((size, size), BILINEAR)  # type: ignore[arg-type]  # the hints ask for the Resampling enum
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
