"""A Model's files: `save` freezes a graph into a GraphDef that carries Lucid's metadata (input name, image shape
and value range) and `load` reads it back; manifests (a manifest.json beside a GraphDef, read into a
FrozenGraphModel); and `suggest_save_args`, which guesses the arguments of `save` for a graph you have. Each is also
a static method of Model, as in the original (`Model.save`, `Model.load`, ...)."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from lucid.misc.io import loading, saving
from lucid.modelzoo import input_sizes
from lucid.modelzoo import util as model_util
from lucid.modelzoo.model import Model, _layers_from_list_of_dicts

__all__ = [
    "FrozenGraphModel",
    "SerializedModel",
    "load",
    "load_from_graphdef",
    "load_from_manifest",
    "load_from_metadata",
    "save",
    "suggest_save_args",
]

log = logging.getLogger(__name__)


def _require_keys(mapping, keys, what):
    """Raise ValueError naming the keys of `keys` missing from `mapping` (a manifest or metadata dict)."""
    missing = [key for key in keys if key not in mapping]
    if missing:
        raise ValueError("{} lacks the entries {}; it needs all of {}.".format(what, missing, list(keys)))


def suggest_save_args(graph_def: tf.compat.v1.GraphDef | None = None) -> dict[str, Any]:
    """Guess the `Model.save` arguments for a graph (default: the default graph), print them as code.

    Returns the dict of input_name, image_shape, output_names, image_value_range (None where unknown).
    """
    if graph_def is None:
        graph_def = tf.compat.v1.get_default_graph().as_graph_def()
    helper = model_util.GraphDefHelper(graph_def)
    inferred = dict.fromkeys(["input_name", "image_shape", "output_names", "image_value_range"])

    placeholders = helper.by_op["Placeholder"]
    if len(placeholders) == 1:
        placeholder = placeholders[0]
        if tf.dtypes.as_dtype(placeholder.attr["dtype"].type).is_floating:
            inferred["input_name"] = placeholder.name
            print(
                "Inferred: input_name = {} (because it was the only Placeholder in the graph_def)".format(
                    placeholder.name
                )
            )
        else:
            _guess_scaled_input(helper, placeholder, inferred)
    else:
        warnings.warn("Could not infer input_name because there were multiple or no Placeholders.", stacklevel=2)

    if inferred["input_name"] is not None:
        dims = [dim.size for dim in helper.by_name[inferred["input_name"]].attr["shape"].shape.dim]
        image_shape = dims[1:] if len(dims) == 4 else dims
        if len(image_shape) == 3 and -1 not in image_shape:
            inferred["image_shape"] = image_shape
            print("Inferred: image_shape = {}".format(image_shape))
    if inferred["image_shape"] is None:
        warnings.warn("Could not infer image_shape.", stacklevel=2)

    output_names = [node.name for node in helper.by_op["Softmax"]]
    if output_names:
        inferred["output_names"] = output_names
        print("Inferred: output_names = {}  (because those are all the Softmax ops)".format(output_names))
    else:
        warnings.warn("Could not infer output_names.", stacklevel=2)

    report = [
        "# Please sanity check all inferred values before using this code.",
        "# Incorrect `image_value_range` is the most common cause of feature visualization bugs! "
        "Most methods will fail silently with incorrect visualizations!",
        "Model.save(",
    ]
    for key, value in inferred.items():
        if value is None:
            report.append("    {}=_,                   # TODO (eg. {})".format(key, _SAVE_ARG_EXAMPLES[key]))
        else:
            report.append("    {}={!r},".format(key, value))
    report.append("  )")
    print("\n".join(report))
    return inferred


def save(
    save_url: str,
    input_name: str,
    output_names: Sequence[str],
    image_shape: Sequence[int | None],
    image_value_range: Sequence[Any],
) -> None:
    """Freeze the default session's graph (input to outputs) with Lucid's metadata and write it to save_url.

    Load it back with `Model.load(save_url)`.
    """
    if ":" in input_name:
        raise ValueError(
            "input_name appears to be a tensor (name contains ':') but must be an op name; "
            "drop the ':<index>' suffix from {!r}.".format(input_name)
        )
    if isinstance(output_names, str):
        raise TypeError(
            "output_names must be a list of op names, got the string {!r}; write [{!r}].".format(
                output_names, output_names
            )
        )
    for output_name in output_names:
        if ":" in output_name:
            raise ValueError(
                "output_names appear to be tensors (name contains ':') but must be op names; "
                "drop the ':<index>' suffix from {!r}.".format(output_name)
            )
    metadata = {"input_name": input_name, "image_shape": image_shape, "image_value_range": image_value_range}
    graph_def = model_util.frozen_default_graph_def([input_name], output_names)
    model_util.infuse_metadata(graph_def, metadata)
    saving.save(graph_def, save_url)


def load(url: str | os.PathLike, allow_unsafe_ops: bool = False) -> Model | None:
    """A Model from a GraphDef saved by `Model.save` (.pb) or from a manifest (.json); None for other files.

    `allow_unsafe_ops=True` imports it even with ops outside the allowlist (see safe_ops.py): only for files
    you trust.
    """
    if not isinstance(url, (str, os.PathLike)):
        raise TypeError("Model.load takes a path or URL of a .pb or .json file, got {!r}.".format(url))
    url = os.fspath(url)
    if url.endswith(".pb"):
        model = load_from_graphdef(url)
    elif url.endswith(".json"):
        model = load_from_manifest(url, allow_unsafe_ops)
    else:
        log.warning("Model.load: %s is neither a .pb GraphDef nor a .json manifest; returning None.", url)
        return None
    model.allow_unsafe_ops = allow_unsafe_ops
    return model


def load_from_metadata(model_url: str, metadata: dict[str, Any]) -> Model:
    """An instance of a new Model subclass for the GraphDef at model_url described by `metadata`."""
    _require_keys(metadata, ["input_name", "image_shape", "image_value_range"], "Model metadata")

    class DynamicModel(Model):
        model_path = model_url
        input_name = metadata["input_name"]
        image_shape = metadata["image_shape"]
        image_value_range = metadata["image_value_range"]
        # Written by the converters (Model.from_keras, ...), not by Model.save.
        is_BGR = metadata.get("is_BGR", False)
        model_name = metadata.get("model_name")
        _size_support = input_sizes.from_metadata(metadata.get("size_support"))

    if metadata.get("layers"):
        DynamicModel.layers = _layers_from_list_of_dicts(DynamicModel(), metadata["layers"])
    return DynamicModel()


def load_from_graphdef(graphdef_url: str) -> Model:
    """A Model for a GraphDef that carries Lucid's metadata node (as written by `Model.save`)."""
    graph_def = model_util.load_graphdef(graphdef_url)
    metadata = model_util.extract_metadata(graph_def)
    if metadata is None:
        raise ValueError(
            "Model.load_from_graphdef was called on a GraphDef ({}) that does not contain Lucid's metadata node. "
            "Model.load only works for models saved via Model.save. For the lucid modelzoo, please use the "
            "model classes in lucid.modelzoo.vision_models; for other GraphDefs, subclass Model and set "
            "model_path, input_name, image_shape and image_value_range.".format(graphdef_url)
        )
    model = load_from_metadata(graphdef_url, metadata)
    model._graph_def = graph_def
    return model


def load_from_manifest(manifest_url: str, allow_unsafe_ops: bool = False) -> Model:
    """A Model described by a manifest.json (only the 'frozen' type exists).

    The manifest sets only the attributes a manifest describes (FrozenGraphModel.manifest_keys), never the
    allowlist opt-in: `allow_unsafe_ops=True` here is the only way to import a graph with unsafe ops.
    """
    try:
        manifest = loading.load(manifest_url)
    except (OSError, ValueError) as error:
        raise ValueError(
            "Could not find manifest.json file in dir {}. Error: {}".format(manifest_url, error)
        ) from error
    model_type = manifest.get("type", "frozen")
    if model_type == "frozen":
        model = FrozenGraphModel(os.path.dirname(manifest_url), manifest)
        model.allow_unsafe_ops = allow_unsafe_ops
        return model
    raise NotImplementedError("Serialized model type {!r} is not supported; only 'frozen' is.".format(model_type))


# What suggest_save_args prints for an argument it could not infer.
_SAVE_ARG_EXAMPLES = {
    "input_name": "'input'",
    "image_shape": "[224, 224, 3]",
    "output_names": "['logits']",
    "image_value_range": '"[-1, 1], [0, 1], [0, 255], or [-117, 138]"',
}


def _guess_scaled_input(helper, placeholder, inferred):
    """For a non-float Placeholder: take a nearby division by 255 as the image input with value range (0, 1)."""
    print(
        "Warning: found a single Placeholder, but its dtype is {}. Lucid's parameterizations can only replace "
        "float dtypes. We're now scanning to see if you maybe divide this placeholder by 255 to get a float "
        "later in the graph...".format(str(placeholder.attr["dtype"]).strip())
    )
    neighborhood = helper.neighborhood(placeholder, degree=5)
    divisions = [node for node in neighborhood if node.op == "RealDiv"]
    divides_by_255 = any(255 in node.attr["value"].tensor.int_val for node in neighborhood if node.op == "Const")
    if len(divisions) == 1 and divides_by_255:
        inferred["input_name"] = divisions[0].name
        inferred["image_value_range"] = (0, 1)
        print(
            "Guessed: input_name = {} (because it's the only division by 255 near the only placeholder)".format(
                divisions[0].name
            )
        )
        print("Guessed: image_value_range = (0, 1) (because you're dividing by 255 near the only placeholder)")
    else:
        warnings.warn(
            "Could not infer input_name: the only Placeholder is not a float and there is not exactly "
            "one division by 255 near it.",
            stacklevel=2,
        )


class SerializedModel(Model):
    """A Model described by a manifest.json next to its files."""

    @classmethod
    def from_directory(cls, model_path: str, manifest_path: str | None = None) -> Model:
        warnings.warn(
            "SerializedModel.from_directory is deprecated. Please use Model.load_from_manifest instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return load_from_manifest(manifest_path or os.path.join(model_path, "manifest.json"))


class FrozenGraphModel(SerializedModel):
    """A Model whose attributes come from a manifest of type 'frozen'; './' model paths are relative to it."""

    _mandatory_properties = ["model_path", "image_value_range", "input_name", "image_shape"]
    # The attributes a manifest may set ("layers" is read below, "type" by load_from_manifest). Any other key is
    # ignored: a manifest comes with the model file, so it must not switch off checks (allow_unsafe_ops) or replace
    # methods and private state.
    manifest_keys = _mandatory_properties + ["labels_path", "synsets_path", "dataset", "is_BGR", "model_name"]

    def __init__(self, model_directory: str, manifest: dict[str, Any]) -> None:
        _require_keys(manifest, self._mandatory_properties, "The manifest in {}".format(model_directory))
        self.manifest = manifest
        for key in self.manifest_keys:
            if key in manifest:
                setattr(self, key, manifest[key])
        ignored = sorted(set(manifest) - set(self.manifest_keys) - {"layers", "type"})
        if ignored:
            log.warning("The manifest in %s sets %s, which a manifest may not set; ignored.", model_directory, ignored)
        if self.model_path and self.model_path.startswith("./"):
            self.model_path = os.path.join(model_directory, self.model_path[2:])
        layers = manifest.get("layers")
        if layers and isinstance(layers[0], dict):
            self.layers = _layers_from_list_of_dicts(self, layers)
            self.layer_names = [layer["name"] for layer in layers]
        elif layers is not None:
            self.layers = ()
            self.layer_names = list(layers)
