"""`Model`, a frozen GraphDef plus what Lucid must know to import it (input name, image shape and value range,
channel order, layers), and `Layer`, one of its named activations. Saving and loading model files is in
model_files.py; lucid.modelzoo.vision_base, the original's path, re-exports both."""

from __future__ import annotations

import copy
import difflib
import logging
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from lucid.misc import safe_ops
from lucid.misc.io import showing
from lucid.modelzoo import input_sizes
from lucid.modelzoo import util as model_util
from lucid.modelzoo.labels import label_index

__all__ = ["IMAGENET_MEAN", "IMAGENET_MEAN_BGR", "Layer", "Model"]

log = logging.getLogger(__name__)

# Pruned copies of its graph that each Model keeps (see Model.pruned): a few layers rendered in turn.
_PRUNED_CACHE_SIZE = 4

IMAGENET_MEAN = np.array([123.68, 116.779, 103.939])
IMAGENET_MEAN_BGR = np.flip(IMAGENET_MEAN, 0)


class Layer:
    """A named activation tensor of a model, with its channel depth and tags such as 'conv' or 'dense'."""

    width = None
    height = None
    shape = None

    def __init__(self, model_instance: Model, name: str, depth: int | None, tags: Iterable[str]) -> None:
        self._activations = None
        self.model_class = model_instance.__class__
        self.model_name = model_instance.name
        self.name = name
        self.depth = depth
        self.tags = set(tags)

    def __getitem__(self, name):
        """Dict-style access to attributes (`layer["name"]`), kept for older recipes."""
        if name == "type":
            warnings.warn(
                "Property 'type' is deprecated on model layers. Please check if 'tags' contains the type "
                "you are looking for in the future! We're simply a tag for now.",
                DeprecationWarning,
                stacklevel=2,
            )
            return next(iter(self.tags), None)
        if name not in self.__dict__:
            raise AttributeError("'Layer' object has no attribute '{}'".format(name))
        return self.__dict__[name]

    @property
    def size(self):
        warnings.warn(
            "Property 'size' is deprecated on model layers because it may be confused with the spatial "
            "'size' of a layer. Please use 'depth' in the future!",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.depth

    @property
    def activations(self):
        """Activations of this layer on the modelzoo's aligned ImageNet samples (downloaded on first use)."""
        if self._activations is None:
            # Imported on use: the aligned activations need the network and few users want them.
            from lucid.modelzoo.aligned_activations import get_aligned_activations

            self._activations = get_aligned_activations(self)
        return self._activations

    def __repr__(self):
        return "Layer (belonging to {}) <{}: {}> ([{}])".format(self.model_name, self.name, self.depth, self.tags)

    def to_json(self) -> str:
        return self.name


def _layers_from_list_of_dicts(model_instance, list_of_dicts):
    """Layer tuple from dicts with keys name, depth, tags (the form model files declare their layers in)."""
    return tuple(Layer(model_instance, d["name"], d["depth"], d["tags"]) for d in list_of_dicts)


class Model:
    """A vision model stored as a frozen GraphDef.

    Subclasses set `model_path`, `input_name`, `image_shape`, `image_value_range` (and optionally labels_path,
    synsets_path, dataset, is_BGR, layers). `import_graph` feeds a [0, 1] image into the graph, mapped to the
    model's own value range and channel order.
    """

    model_path: str | None = None
    input_name: str  # the image input's node name: every subclass sets it
    labels_path: str | None = None
    image_value_range: Sequence[Any] = (-1, 1)
    image_shape: Sequence[int | None] = (None, None, 3)
    layers: Sequence[Layer] = ()
    model_name: str | None = None
    # True skips the op allowlist check at import (safe_ops.py): only for model files you trust.
    allow_unsafe_ops = False
    _labels = None
    _synset_ids = None
    _synsets = None
    _graph_def = None
    # input_sizes.SizeSupport; converted models know it, others probe the graph they import (see size_support).
    _size_support: Any = None
    # Model.pruned's copies, by node set (set on first use).
    _pruned_cache: OrderedDict
    # The in-memory graph_def is not pickled: it can be reloaded from model_path (nor what is made from it:
    # pruned copies, probed sizes, the weightless copy of lucid.optvis.held_weights).
    _blacklist = ["_graph_def", "_pruned_cache", "_probed_sizes", "_held_weights"]

    def __getstate__(self):
        return {key: value for key, value in self.__dict__.items() if key not in self._blacklist}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __eq__(self, other):
        if isinstance(other, Model):
            return self.model_path == other.model_path
        return False

    def __hash__(self):
        return hash(self.model_path)

    @property
    def labels(self):
        if not self.labels_path:
            raise RuntimeError("This model does not have a labels_path specified!")
        if self._labels is None:
            self._labels = model_util.load_text_labels(self.labels_path)
        return self._labels

    def label_index(self, label: str) -> int:
        """The class index of `label`: an entry of `labels`, or one of an entry's comma-separated names in any case
        ("goldfish"); a KeyError names the classes it could mean (see lucid.modelzoo.labels)."""
        return label_index(self.labels, label)

    @property
    def synset_ids(self):
        if not getattr(self, "synsets_path", None):
            raise RuntimeError("This model does not have a synset_path specified!")
        if self._synset_ids is None:
            self._synset_ids = model_util.load_text_labels(self.synsets_path)
        return self._synset_ids

    @property
    def synsets(self):
        """WordNet synsets of the classes (needs nltk and its wordnet corpus)."""
        if self._synsets is None:
            # Imported on use: wordnet needs nltk and downloads its corpus.
            from lucid.modelzoo import wordnet

            self._synsets = [wordnet.synset_from_id(synset_id) for synset_id in self.synset_ids]
        return self._synsets

    @property
    def name(self):
        return self.model_name or self.__class__.__name__

    def __str__(self):
        return self.name

    def to_json(self) -> str:
        return self.name

    @property
    def graph_def(self):
        """The model's GraphDef, read from model_path on first use."""
        if self._graph_def is None:
            if self.model_path is None:
                raise ValueError(
                    "Model {} has no model_path; set it to the URL or path of a frozen GraphDef (.pb).".format(
                        self.name
                    )
                )
            self._graph_def = model_util.load_graphdef(self.model_path)
        return self._graph_def

    @property
    def size_support(self):
        """input_sizes.SizeSupport: whether the graph accepts any image size (from which minimum), else the
        native size that images are fitted to. Converted models store it; for others the outputs of the graph_def
        being imported are probed by shape inference (once per graph_def, see input_sizes.probe_outputs), so a
        part of a graph cut out for one objective is judged on its own."""
        if self._size_support is not None:
            return self._size_support
        graph_def = self.graph_def
        probed = getattr(self, "_probed_sizes", None)
        if probed is None or probed[0] is not graph_def or probed[1:3] != (self.input_name, self.image_shape):
            # Probing imports the graph (shape inference only): it is checked first, like every import.
            safe_ops.check_graph_def(graph_def, self.model_path or self.name, self.allow_unsafe_ops)
            self._check_input_names(graph_def, [self.input_name])
            support = input_sizes.probe_outputs(graph_def, self.input_name, self.image_shape)
            probed = (graph_def, self.input_name, self.image_shape, support)
            self._probed_sizes = probed
        return probed[3]

    def check_image_size(self, t_image: tf.Tensor) -> None:
        """Raise ValueError if the static size of NHWC `t_image` is below the smallest size the model accepts."""
        input_sizes.check(t_image, self.size_support, self.name)

    def pruned(self, node_names: Iterable[str]) -> Model:
        """A copy of this model whose graph_def holds only the nodes `node_names`, the input node and what they
        depend on: importing it costs a fraction of the whole model when only early layers are read.

        The last `_PRUNED_CACHE_SIZE` pruned copies are kept on the model, so repeated renders of the same layers
        do not extract them again, and they go away with the model.
        """
        key = frozenset(node_names) | {self.input_name}
        cache = self.__dict__.setdefault("_pruned_cache", OrderedDict())
        if key not in cache:
            pruned = copy.copy(self)
            pruned._graph_def = model_util.subgraph_def(self.graph_def, key)
            pruned._pruned_cache = OrderedDict()
            cache[key] = pruned
            while len(cache) > _PRUNED_CACHE_SIZE:
                cache.popitem(last=False)
        cache.move_to_end(key)
        pruned = cache[key]
        # The copy follows this model's metadata as it is now (a user may have set image_value_range since).
        own = self._blacklist
        pruned.__dict__.update((name, value) for name, value in vars(self).items() if name not in own)
        return pruned

    def weightless(self) -> Model:
        """A copy of this model whose constants hold no values: the same ops, shapes and dtypes, for shape
        inference without a copy of the weights (~50 MB for InceptionV1)."""
        light = copy.copy(self)
        light._graph_def = model_util.weightless_graph_def(self.graph_def)
        light._pruned_cache = OrderedDict()
        return light

    def load_graphdef(self) -> None:
        """Deprecated no-op: `graph_def` loads lazily."""
        warnings.warn(
            "Calling `load_graphdef` is no longer necessary and now a noop. Graphs are loaded lazily "
            "when a model's graph_def property is accessed.",
            DeprecationWarning,
            stacklevel=2,
        )

    def post_import(self, scope: str) -> None:
        """Hook run after `import_graph`, e.g. to add tensors the GraphDef lacks."""

    def _value_range_bounds(self, channels, dtype):
        """`(lo, hi - lo)` of image_value_range as arrays of `dtype` that broadcast over `channels` channels."""
        value_range = self.image_value_range
        try:
            lo, hi = (np.asarray(bound) for bound in value_range)
        except (TypeError, ValueError):
            raise ValueError(
                "{}.image_value_range must be a pair (lo, hi) of numbers or of per-channel arrays, got {!r}.".format(
                    self.name, value_range
                )
            ) from None
        for bound in (lo, hi):
            if bound.dtype.kind not in "iuf" or not np.all(np.isfinite(bound)):
                raise ValueError(
                    "{}.image_value_range must hold finite numbers, e.g. (-1, 1) or (0, 255), got {!r}.".format(
                        self.name, value_range
                    )
                )
            if bound.ndim > 1 or (
                bound.ndim == 1 and bound.size != 1 and channels is not None and bound.size != channels
            ):
                raise ValueError(
                    "{}.image_value_range bounds must be numbers or arrays of length 1 or {} (one per "
                    "channel), got {!r}.".format(self.name, channels, value_range)
                )
        if np.any(lo == hi):
            raise ValueError(
                "{}.image_value_range {!r} maps every image to the same values (lo == hi); give the "
                "range the model was trained on, e.g. (-1, 1).".format(self.name, value_range)
            )
        return lo.astype(dtype), (hi - lo).astype(dtype)

    def create_input(
        self, t_input: tf.Tensor | None = None, forget_xy_shape: bool = True
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """`(t_input, t_prep_input)`: the [0, 1] image input and its version in the model's value range.

        A rank-3 input gets a batch dimension; a one-channel model averages RGB input to grey; `forget_xy_shape`
        lets the graph accept any image size; BGR models get their channels reversed before the value range is
        applied. As in the original, this needs no graph: `import_graph` fits the result to a size the graph accepts.
        """
        if t_input is None:
            t_input = tf.compat.v1.placeholder(tf.float32, self.image_shape)
        t_prep_input = tf.convert_to_tensor(t_input)
        if t_prep_input.shape.rank not in (3, 4):
            raise ValueError(
                "The model input must be an image tensor of rank 3 [H, W, C] or 4 [N, H, W, C], got shape {}.".format(
                    t_prep_input.shape
                )
            )
        if not t_prep_input.dtype.is_floating:
            raise TypeError(
                "The model input must be a float tensor with values in [0, 1], got dtype {}; convert it, "
                "e.g. tf.cast(t, tf.float32) / 255.".format(t_prep_input.dtype.name)
            )
        if t_prep_input.shape.rank == 3:
            t_prep_input = tf.expand_dims(t_prep_input, 0)
        if list(self.image_shape or [None])[-1] == 1 and t_prep_input.shape[-1] == 3:
            # A one-channel (grayscale) model also takes RGB images, averaged to grey, so the default
            # param.image and grayscale_image_rgb render it as well as param.image(..., channels=1) does.
            t_prep_input = tf.reduce_mean(t_prep_input, -1, keepdims=True)
        self._check_channels(t_prep_input)
        if forget_xy_shape:
            t_prep_input = model_util.forget_xy(t_prep_input)
        if getattr(self, "is_BGR", False):
            t_prep_input = tf.reverse(t_prep_input, [-1])
        lo, scale = self._value_range_bounds(t_prep_input.shape[-1], t_prep_input.dtype.as_numpy_dtype)
        t_prep_input = t_prep_input * scale + lo
        return t_input, t_prep_input

    def _check_channels(self, t_image):
        """Raise ValueError if NHWC `t_image` has another (static) channel count than image_shape declares."""
        image_shape = list(self.image_shape or [None])
        expected, channels = image_shape[-1], t_image.shape[-1]
        if expected is not None and channels is not None and expected != channels:
            raise ValueError(
                "{} takes images with {} channels (image_shape {}), got shape {}. For RGBA images "
                "(param.image(..., alpha=True)) add transform.collapse_alpha_random() to the transforms.".format(
                    self.name, expected, image_shape, t_image.shape
                )
            )

    def _check_input_names(self, graph_def, names):
        """Raise ValueError if a node named in `names` (input_name, input_map keys) is not in `graph_def`."""
        node_names = {node.name for node in graph_def.node}
        missing = [name for name in names if model_util.node_name(name) not in node_names]
        if missing:
            placeholders = [node.name for node in graph_def.node if node.op == "Placeholder"]
            raise ValueError(
                "The GraphDef of {} has no node for {} (input_name is {!r}). Its Placeholder nodes are "
                "{}: set input_name (or the input_map keys) to one of them.".format(
                    self.name, missing, self.input_name, placeholders
                )
            )

    def import_graph(
        self,
        t_input: tf.Tensor | None = None,
        scope: str = "import",
        forget_xy_shape: bool = True,
        input_map: dict | None = None,
    ) -> Callable[[str], tf.Tensor]:
        """Import the model into the default graph under `scope`; returns `T(name)` giving its tensors.

        `T("mixed4a")` is `scope/mixed4a:0`; names with a ':' are taken as tensor names.
        """
        if not isinstance(scope, str) or not scope:
            raise TypeError("scope must be a non-empty string such as 'import', got {!r}.".format(scope))
        graph = tf.compat.v1.get_default_graph()
        if graph.unique_name(scope, False) != scope:
            raise ValueError(
                'Scope "{}" already exists. Provide explicit scope names when importing multiple '
                "instances of the model.".format(scope)
            )
        if getattr(self, "input_name", None) is None:
            raise ValueError(
                "Model {} has no input_name; set it to the name of the graph's input node.".format(self.name)
            )
        graph_def = self.graph_def
        safe_ops.check_graph_def(graph_def, self.model_path or self.name, self.allow_unsafe_ops)
        input_map = input_map or {}
        self._check_input_names(graph_def, [self.input_name, *input_map])
        t_input, t_prep_input = self.create_input(t_input, forget_xy_shape=False)
        # Fitted to a size the graph accepts (`size_support`: resized to the native size of a fixed-size model,
        # enlarged to the minimum of another, as transforms may shrink a render's image below it; the render checks
        # the parameterized image itself with check_image_size). Resizing commutes with create_input's per-channel
        # value scaling, so fitting its output is fitting the image.
        t_prep_input = input_sizes.fit(t_prep_input, self.size_support)
        if forget_xy_shape:
            t_prep_input = model_util.forget_xy(t_prep_input)
        final_input_map = {self.input_name: t_prep_input}
        final_input_map.update(input_map)
        tf.compat.v1.import_graph_def(graph_def, final_input_map, name=scope)
        self.post_import(scope)

        def T(name):
            if not isinstance(name, str):
                raise TypeError("T takes a layer or tensor name (str), got {!r}.".format(name))
            tensor_name = "{}/{}".format(scope, name) if ":" in name else "{}/{}:0".format(scope, name)
            try:
                return graph.get_tensor_by_name(tensor_name)
            except (KeyError, ValueError):
                raise KeyError(_unknown_name_message(graph, scope, name)) from None

        return T

    def show_graph(self) -> None:
        """Display the model's graph (in a notebook)."""
        showing.graph(self.graph_def)

    def get_layer(self, name: str) -> Layer:
        """The layer called `name`; else the first whose name contains it (case-insensitive), with a warning."""
        if not isinstance(name, str):
            raise TypeError("get_layer takes a layer name (str), got {!r}.".format(name))
        for layer in self.layers:
            if layer.name == name:
                return layer
        for layer in self.layers:
            if name.lower() in layer.name.lower():
                log.warning("Found layer by fuzzy matching, please use '%s' in the future!", layer.name)
                return layer
        layer_names = [layer.name for layer in self.layers]
        raise KeyError(
            "Could not find layer with name '{}'! Closest names: {}. Existing layer names are: {}".format(
                name, difflib.get_close_matches(name, layer_names), layer_names
            )
        )

    @staticmethod
    def suggest_save_args(graph_def: tf.compat.v1.GraphDef | None = None) -> dict[str, Any]:
        """Guess the `Model.save` arguments for a graph (default: the default graph); see model_files."""
        return _model_files().suggest_save_args(graph_def)

    @staticmethod
    def save(
        save_url: str,
        input_name: str,
        output_names: Sequence[str],
        image_shape: Sequence[int | None],
        image_value_range: Sequence[Any],
    ) -> None:
        """Freeze the default session's graph with Lucid's metadata and write it; see model_files.save."""
        return _model_files().save(save_url, input_name, output_names, image_shape, image_value_range)

    @staticmethod
    def load(url: str, allow_unsafe_ops: bool = False) -> Model | None:
        """A Model from a .pb written by `Model.save` or a manifest .json; see model_files.load."""
        return _model_files().load(url, allow_unsafe_ops)

    @staticmethod
    def load_from_metadata(model_url: str, metadata: dict[str, Any]) -> Model:
        """A Model for the GraphDef at `model_url` described by `metadata`; see model_files."""
        return _model_files().load_from_metadata(model_url, metadata)

    @staticmethod
    def load_from_graphdef(graphdef_url: str) -> Model:
        """A Model for a GraphDef carrying Lucid's metadata node; see model_files."""
        return _model_files().load_from_graphdef(graphdef_url)

    @staticmethod
    def load_from_manifest(manifest_url: str, allow_unsafe_ops: bool = False) -> Model:
        """A Model described by a manifest.json; see model_files."""
        return _model_files().load_from_manifest(manifest_url, allow_unsafe_ops)

    @staticmethod
    def from_keras(
        keras_model: Any,
        image_value_range: Sequence[Any] | None = None,
        input_name: str | None = None,
        model_name: str | None = None,
        is_BGR: bool | None = None,
    ) -> Model:
        """A Model of a functional or Sequential Keras model; see `converters.from_keras`."""
        from lucid.modelzoo import converters  # imported on use: converters imports this module

        return converters.from_keras(keras_model, image_value_range, input_name, model_name, is_BGR)

    @staticmethod
    def from_saved_model(
        path: str,
        signature: str = "serving_default",
        image_value_range: Sequence[Any] | None = None,
        input_name: str | None = None,
        model_name: str | None = None,
        is_BGR: bool = False,
        allow_unsafe_ops: bool = False,
    ) -> Model:
        """A Model of a SavedModel signature taking one image; see `converters.from_saved_model`."""
        from lucid.modelzoo import converters

        return converters.from_saved_model(
            path, signature, image_value_range, input_name, model_name, is_BGR, allow_unsafe_ops
        )

    @staticmethod
    def from_function(
        tf_function: Callable,
        input_signature: Any,
        image_value_range: Sequence[Any] | None = None,
        input_name: str | None = None,
        model_name: str | None = "function",
        is_BGR: bool = False,
    ) -> Model:
        """A Model of a function of one image tensor; see `converters.from_function`."""
        from lucid.modelzoo import converters

        return converters.from_function(tf_function, input_signature, image_value_range, input_name, model_name, is_BGR)

    def get_activations(
        self,
        layer: str | Layer,
        examples: Any,
        batch_size: int = 64,
        dtype: Any = None,
        ind_shape: Sequence[int] | None = None,
        center_only: bool = False,
    ) -> np.ndarray:
        """Activations of `layer` on an array (or nested lists) of example images; see get_activations.py."""
        # Imported on use: get_activations builds its own graph and session and is rarely needed.
        from lucid.modelzoo.get_activations import get_activations

        return get_activations(
            self, layer, examples, batch_size=batch_size, dtype=dtype, ind_shape=ind_shape, center_only=center_only
        )


def _unknown_name_message(graph, scope, name):
    """KeyError text for a name that is not a tensor of the model imported under `scope`, with close names."""
    prefix = scope + "/"
    known = sorted({op.name[len(prefix) :] for op in graph.get_operations() if op.name.startswith(prefix)})
    close = difflib.get_close_matches(name.split(":")[0], known, n=5)
    return (
        "No tensor {!r} in the model imported under scope {!r}. Closest names: {}. Pass a node name such as "
        "'mixed4a' (meaning output 0) or a tensor name such as 'mixed4a:0'.".format(name, scope, close)
    )


def _model_files():
    """lucid.modelzoo.model_files, imported on use: it defines Model subclasses, so it imports this module."""
    from lucid.modelzoo import model_files

    return model_files
