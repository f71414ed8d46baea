"""The units of a run and its settings: parsing "layer:channel" strings, checking them against the model, grouping
them into batches, and what the workers load the model from. Shared by the sweep and the Microscope."""

import os
from collections.abc import Iterable
from typing import Any

import tensorflow as tf

from lucid.modelzoo import nets_factory
from lucid.modelzoo.vision_base import Model
from lucid.optvis import fast as fast_path
from lucid.optvis import precision
from lucid.optvis.checks import validate_size
from lucid.scale.store import safe_name

__all__ = [
    "batches",
    "check_settings",
    "expand_units",
    "model_display_name",
    "model_spec",
    "parse_units",
    "unit_name",
]

# What workers load a model from (model_spec): a zoo class name, a .pb path or URL, or for a saved Keras model
# `(path, value_range, is_BGR)` (lucid.scale.microscope.microscope_spec).
ModelSpec = str | tuple[str, tuple[float, ...] | None, bool]
# A unit of a run: (layer, channel).
Unit = tuple[str, int]


def check_settings(fast: bool = False, **settings: Any) -> dict[str, Any]:
    """The render settings checked: steps, size, batch_size integers >= 1, seed None or >= 0, a known precision,
    and `fast` a bool, a setting (so part of the store's keys) only when True, as the fast path's revision
    (lucid.optvis.fast.VERSION): the keys of default renders stay those of earlier runs."""
    for name in ("steps", "size", "batch_size"):
        settings[name] = validate_size(settings[name], name)
    if settings["seed"] is not None:
        settings["seed"] = validate_size(settings["seed"], "seed", 0)
    precision.check(settings["precision"])
    if not isinstance(fast, bool):
        raise TypeError("fast must be True or False, got %r." % (fast,))
    if fast:
        settings["fast"] = fast_path.VERSION
    return settings


def model_display_name(spec: ModelSpec) -> str:
    """A short readable name for the model of `spec` (a zoo name, or a file's name without extension)."""
    path = spec[0] if isinstance(spec, tuple) else spec
    return os.path.splitext(os.path.basename(path))[0] if path.endswith((".pb", ".keras")) else path


def model_spec(model: Model | str) -> str:
    """What the workers load `model` from: a zoo class name, or the path (or URL) of a .pb saved by Model.save."""
    if isinstance(model, Model):
        model_class = type(model)
        if nets_factory.models_map.get(model_class.__name__) is model_class:
            return model_class.__name__
        if not (isinstance(model.model_path, str) and model.model_path.endswith(".pb")):
            raise TypeError(
                "Workers cannot load %s by name: save it with Model.save(...) to a .pb file and pass that path."
                % model.name
            )
        model = model.model_path
    if not isinstance(model, str):
        raise TypeError(
            "model must be a zoo model name, the path of a .pb saved by Model.save, or a Model; got %r." % (model,)
        )
    if model.endswith(".keras"):
        raise ValueError(
            "render_units takes a zoo model name or a .pb, not the Keras file %s: convert it with "
            "Model.from_keras(keras.models.load_model(path)).export('model.pb') and pass the .pb (lucid-microscope "
            "takes .keras files directly)." % model
        )
    if model.endswith(".pb") and "://" not in model:
        model = os.path.abspath(model)
        if not os.path.isfile(model):
            raise FileNotFoundError("No model file %s: pass the path of a .pb saved by Model.save." % model)
    return model


def parse_units(units: str | Iterable[str]) -> list[tuple[str, int | None]]:
    """`[(layer, channel)]` from "layer:channel" strings and layer names (channel None: every channel)."""
    if isinstance(units, str):
        units = [units]
    parsed: list[tuple[str, int | None]] = []
    for unit in units:
        if not isinstance(unit, str):
            raise TypeError("Each unit must be a string, 'layer:channel' or a layer name; got %r." % (unit,))
        layer, colon, channel = unit.rpartition(":")
        if not colon:
            parsed.append((unit, None))
        elif layer and channel.isascii() and channel.isdigit():
            parsed.append((layer, int(channel)))
        else:
            raise ValueError("Unit %r is neither a layer name nor 'layer:channel', e.g. 'mixed4a:476'." % unit)
    if not parsed:
        raise ValueError("units is empty: give layer names or 'layer:channel' strings, e.g. ['mixed4a'].")
    return parsed


def expand_units(model: Model, parsed: Iterable[tuple[str, int | None]], size: int) -> list[Unit]:
    """The distinct `(layer, channel)` pairs of `parsed`, channels checked against each layer's depth."""
    layers = list(dict.fromkeys(layer for layer, _ in parsed))
    folders: dict[str, str] = {}
    for layer in layers:
        other = folders.setdefault(safe_name(layer), layer)
        if other != layer:
            raise ValueError(
                "Layers %r and %r would share the folder %r; render them into different out_dirs."
                % (other, layer, safe_name(layer))
            )
    depths = _layer_depths(model, layers, size)
    units = []
    for layer, channel in parsed:
        depth = depths[layer]
        if channel is not None:
            if depth is not None and channel >= depth:
                raise ValueError(
                    "Channel %d is out of range: layer %r has channels 0 to %d." % (channel, layer, depth - 1)
                )
            units.append((layer, channel))
        elif depth is None:
            raise ValueError(
                "Cannot tell how many channels layer %r has (its last dimension is unknown); give its "
                "units as 'layer:channel' strings." % layer
            )
        else:
            units.extend((layer, c) for c in range(depth))
    return list(dict.fromkeys(units))


def _layer_depths(model, layers, size):
    """`{layer: channel count}` from the model's layer list, else from the layer's shape in the imported graph.

    A count the graph does not fix is None.
    """
    depths = {layer.name: layer.depth for layer in model.layers if layer.name in layers}
    unknown = [layer for layer in layers if layer not in depths]
    if unknown:
        with tf.Graph().as_default():
            T = model.import_graph(tf.compat.v1.placeholder(tf.float32, [1, size, size, 3]))
            for layer in unknown:
                shape = T(layer).shape  # KeyError naming close layer names if there is no such layer
                depths[layer] = shape[-1] if shape.rank else None
    return depths


def batches(units: Iterable[Unit], batch_size: int) -> list[tuple[str, list[int]]]:
    """`[(layer, channels)]`: the units grouped by layer, at most `batch_size` channels per batch."""
    by_layer: dict[str, list[int]] = {}
    for layer, channel in units:
        by_layer.setdefault(layer, []).append(channel)
    return [
        (layer, channels[start : start + batch_size])
        for layer, channels in by_layer.items()
        for start in range(0, len(channels), batch_size)
    ]


def unit_name(layer: str, channel: int) -> str:
    return "%s:%d" % (layer, channel)
