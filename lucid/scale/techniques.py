"""What the Dask workers run for the Microscope's techniques beyond a unit's own renders: circuits, classes,
DeepDream, caricatures, class visualizations, and the maps drawn over dataset examples.

Like lucid.scale.tasks, every function takes plain values (a model spec, layer names, image paths) and returns
plain values (numbers, lists, PNG / JPEG bytes), so any worker process can run it.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from lucid.misc.io.serialize_array import serialize_array
from lucid.optvis import objectives, param, render, transform
from lucid.recipes import caricature as caricature_recipe
from lucid.recipes import circuits, quality
from lucid.scale import tasks
from lucid.scale.units import ModelSpec

__all__ = [
    "CIRCUIT_UNITS",
    "HEAT_LEVELS",
    "CLASSES_PER_UNIT",
    "MACO_SIZE",
    "circuit_pair",
    "class_weights",
    "example_maps",
    "class_scores",
    "class_views",
    "dream_and_caricatures",
]

CIRCUIT_UNITS = 8  # strongest positive and negative connections shown per unit and direction
HEAT_LEVELS = 127  # heat maps are stored as integers in [-127, 127], relative to the pair's strongest weight
CLASSES_PER_UNIT = 5  # classes a unit raises (and lowers) most
MACO_SIZE = 224  # the class visualizations' size (param.maco at the size the quality benchmark measures)


def _heat(weights, box):
    """`weights` [h, w] cropped to `box` (top, left, bottom, right), as integers relative to its scale."""
    top, left, bottom, right = box
    return weights[top:bottom, left:right]


def _quantized(patch, scale):
    return np.round(patch / scale * HEAT_LEVELS).astype(int).tolist()


def circuit_pair(spec: ModelSpec, source: str, target: str, size: int) -> dict[str, Any]:
    """The expanded weights from every unit of `source` into every unit of `target` (lucid.recipes.circuits),
    summarized both ways: for each target unit its strongest inputs, for each source unit the target units it
    drives most, each `[channel, weight, heat map]` (the weight summed over space; the heat map its spatial
    pattern, cropped to where any weight is non-zero). Returns `{"source", "target", "linear", "inputs":
    {target channel: {"positive": [...], "negative": [...]}}, "outputs": {source channel: {...}}}`."""
    weights, linear = circuits.expanded_weights(tasks.load_model(spec), source, target, size=size)
    weights = weights.astype(np.float32)  # [target, h, w, source]
    touched = np.abs(weights).max(axis=(0, 3)) > 0
    rows, cols = np.nonzero(touched.any(axis=1))[0], np.nonzero(touched.any(axis=0))[0]
    box = (rows[0], cols[0], rows[-1] + 1, cols[-1] + 1) if len(rows) else (0, 0, 1, 1)
    totals = weights.sum(axis=(1, 2))  # [target, source]
    scale = float(np.abs(weights).max()) or 1.0

    def summary(strengths, heat_of):
        chosen = circuits.strongest(strengths, CIRCUIT_UNITS)
        return {
            side: [[c, float(strengths[c]), _quantized(heat_of(c), scale)] for c in channels]
            for side, channels in zip(("positive", "negative"), chosen)
        }

    inputs = {t: summary(totals[t], lambda s, t=t: _heat(weights[t, :, :, s], box)) for t in range(len(totals))}
    outputs = {s: summary(totals[:, s], lambda t, s=s: _heat(weights[t, :, :, s], box)) for s in range(totals.shape[1])}
    return dict(source=source, target=target, linear=linear, inputs=inputs, outputs=outputs)


def class_weights(spec: ModelSpec, layers: Sequence[str], logits: str, size: int) -> dict[str, Any]:
    """For each unit of `layers`, the classes it raises and lowers most through the expanded weights into
    `logits` (summed over space): `{"linear", "units": {layer: {channel: {"raise": [[class, weight]],
    "lower": [...]}}}, "drivers": {layer: [[class -> strongest channels]]}}`."""
    weights, linear = circuits.expanded_weights(tasks.load_model(spec), list(layers), logits, size=size)
    units: dict[str, dict[int, dict[str, list[list[float]]]]] = {}
    drivers: dict[str, list[list[list[float]]]] = {}
    for layer, per_class in zip(layers, weights):
        totals = per_class.sum(axis=(1, 2))  # [classes, channels]
        units[layer] = {}
        for channel in range(totals.shape[1]):
            up, down = circuits.strongest(totals[:, channel], CLASSES_PER_UNIT)
            units[layer][channel] = {
                "raise": [[c, float(totals[c, channel])] for c in up],
                "lower": [[c, float(totals[c, channel])] for c in down],
            }
        drivers[layer] = [
            [[c, float(totals[k, c])] for c in circuits.strongest(totals[k], CIRCUIT_UNITS)[0]]
            for k in range(len(totals))
        ]
    return dict(linear=linear, units=units, drivers=drivers)


def example_maps(
    spec: ModelSpec, layer: str, paths: Sequence[str], wanted: Mapping[int, Iterable[int]], size: int
) -> dict[tuple[int, int], np.ndarray]:
    """`{(image index, channel): [h, w] float32}`: the channel's activation over the whole image, for each image
    index of `wanted` (`{index: [channels]}`) into `paths`; drawn over the dataset examples."""
    indices = sorted(wanted)
    sess, t_input, (tensor,) = tasks._activation_graph(spec, (layer,), size)
    maps = {}
    for start in range(0, len(indices), 32):
        chunk = indices[start : start + 32]
        acts = sess.run(tensor, {t_input: np.stack([tasks.load_square_image(paths[i], size) for i in chunk])})
        for index, image_acts in zip(chunk, acts):
            for channel in wanted[index]:
                maps[(index, channel)] = image_acts[..., channel].astype(np.float32)
    return maps


def class_scores(
    spec: ModelSpec, logits: str, classes: Iterable[int], paths: Iterable[str], first_index: int, size: int
) -> tuple[int, np.ndarray]:
    """`[len(paths), len(classes)]` logits of `classes` for the images at `paths` (indices from `first_index`)."""
    sess, t_input, (tensor,) = tasks._activation_graph(spec, (logits,), size)
    scores = sess.run(tensor, {t_input: np.stack([tasks.load_square_image(path, size) for path in paths])})
    return first_index, scores[:, list(classes)].astype(np.float32)


def class_views(spec: ModelSpec, classes: Sequence[int], steps: int, logits: str) -> list[bytes]:
    """PNG bytes of one visualization per class: the library's class recipe (param.maco, its transforms and
    Adam, as in lucid.recipes.quality), all classes in one batch."""
    param_f, transforms, optimizer_f = quality.parameterizations(maco_size=MACO_SIZE)["maco"]
    images = quality.render_classes(
        tasks.load_model(spec), classes, param_f, transforms, optimizer_f, steps=steps, logits_layer=logits
    )
    return [serialize_array(image) for image in images]


def dream_and_caricatures(spec: ModelSpec, layers: Sequence[str], path: str, size: int, steps: int) -> dict[str, Any]:
    """For one of the user's images: `{"layers": {layer: {"deepdream": PNG, "caricature": PNG}}, "input": PNG}`,
    or `{"unreadable": "<error type>: <message>"}` for a file that cannot be read as an image.

    DeepDream: the image itself optimized for `objectives.deepdream(layer)` (in sigmoid space, so it stays in
    range) for `steps` steps at `size` px. Caricature: lucid.recipes.caricature, every layer in one batch.
    """
    try:
        image = tasks.load_square_image(path, size)
    except Exception as error:  # any error decoding a stranger's file: the page says which file and why
        return {"unreadable": "%s: %s" % (type(error).__name__, error)}
    model = tasks.load_model(spec)
    results: dict[str, dict[str, bytes]] = {layer: {} for layer in layers}
    logit = np.log(np.clip(image, 0.02, 0.98) / (1 - np.clip(image, 0.02, 0.98)))[None]
    for layer in layers:
        dreamed = render.render_vis(
            model,
            objectives.deepdream(layer),
            lambda: tf.sigmoid(param.spatial.pixel_image([1, size, size, 3], init_val=logit.astype(np.float32))),
            transforms=[transform.jitter(4)],
            thresholds=(steps - 1,),
            verbose=False,
        )[-1][0]
        results[layer]["deepdream"] = serialize_array(dreamed)
    caricatures = caricature_recipe.caricature(image, model, list(layers), n_steps=steps, verbose=False)
    for layer, picture in zip(layers, caricatures[1:]):
        results[layer]["caricature"] = serialize_array(np.clip(picture, 0, 1))
    return {"input": serialize_array(caricatures[0]), "layers": results}
