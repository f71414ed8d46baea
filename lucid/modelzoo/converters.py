"""Turn your own TF2 models into Lucid Models: a Keras model, a SavedModel signature or a tf.function.

Each is traced once in inference mode and frozen (variables become constants, function calls inlined: see
freezing.py) into a GraphDef that Lucid imports like any zoo model. Every named output (each Keras layer, each
signature output) becomes a node of that name, so objectives can say "block_3_expand_relu:12". Use them as
`Model.from_keras(...)`, `Model.from_saved_model(...)`, `Model.from_function(...)`.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.python.eager import context

from lucid.misc import safe_ops
from lucid.misc.io import save
from lucid.modelzoo import input_sizes
from lucid.modelzoo import util as model_util
from lucid.modelzoo.freezing import freeze, inline_function_calls
from lucid.modelzoo.model import IMAGENET_MEAN_BGR, Layer, Model

__all__ = [
    "ConvertedModel",
    "from_function",
    "from_keras",
    "from_saved_model",
    "inline_function_calls",
    "keras_preprocessing",
]

log = logging.getLogger(__name__)


class ConvertedModel(Model):
    """A Model whose frozen GraphDef lives in memory; it carries Lucid's metadata, so `export` writes a .pb that
    `Model.load` reads back without Keras.

    A one-channel model (image_shape [..., 1]) also accepts RGB images, averaged to grey (Model.create_input).
    """

    # No file to reload the GraphDef from, so it is pickled with the model.
    _blacklist = []

    def __init__(
        self,
        graph_def: tf.compat.v1.GraphDef,
        input_name: str,
        image_shape: Sequence[int | None],
        image_value_range: Sequence[Any],
        layers: Sequence[dict[str, Any]],
        model_name: str | None,
        is_BGR: bool = False,
        size_support: input_sizes.SizeSupport | None = None,
    ) -> None:
        self._graph_def = graph_def
        self.input_name = input_name
        self.image_shape = list(image_shape)
        self.image_value_range = image_value_range
        self.is_BGR = is_BGR
        self.model_name = model_name
        self.layers = tuple(Layer(self, d["name"], d["depth"], d["tags"]) for d in layers)
        self._size_support = size_support  # input_sizes.SizeSupport, probed by the converter; None: probe on use
        self._value_range_bounds(self.image_shape[-1], np.float32)  # a bad range fails here, not at the first render

    # Converted models have no model_path, so two of them are equal only if they are the same object.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def export(self, save_url: str) -> None:
        """Write the frozen GraphDef (with its metadata) to `save_url` (.pb); reload it with `Model.load`."""
        if not str(save_url).endswith(".pb"):
            raise ValueError("export writes a frozen GraphDef; give a path ending in .pb, got {!r}.".format(save_url))
        return save(self.graph_def, save_url)


# The preprocessing keras.applications families were trained with, by the name keras.applications gives the model:
# (value range, BGR). Families with their own Rescaling / Normalization layers take 0-255 RGB.
_CAFFE = ((-IMAGENET_MEAN_BGR).tolist(), (255 - IMAGENET_MEAN_BGR).tolist())  # BGR, mean-subtracted 0-255
_TORCH_MEAN, _TORCH_STD = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
_TORCH = ((-_TORCH_MEAN / _TORCH_STD).tolist(), ((1 - _TORCH_MEAN) / _TORCH_STD).tolist())  # ImageNet mean/std
_KERAS_APPLICATIONS = [
    (r"vgg1[69]|resnet(50|101|152)", _CAFFE, True),
    (
        r"resnet(50|101|152)v2|mobilenet(v2)?_[\d.]+_\d+|inception_v3|inception_resnet_v2|xception|nasnet\w*",
        (-1, 1),
        False,
    ),
    (r"densenet\d+", _TORCH, False),
    (r"convnext_\w+|efficientnetb\d|efficientnetv2-\w+|mobilenetv3(small|large)", (0, 255), False),
]


def keras_preprocessing(keras_model: Any) -> tuple[Any, bool] | None:
    """(image_value_range, is_BGR) of a keras.applications model, known by its name (or that of the model it
    starts with, as in keras.Sequential([keras.applications.ResNet50(...), ...])); None for other models.

    ConvNeXt, EfficientNet V1/V2 and MobileNetV3 built with include_preprocessing=False take (-1, 1) instead
    of 0-255; such a model has no Rescaling or Normalization layer, which is how it is told apart.
    """
    import keras

    first = _first_layer(keras, keras_model)
    for model in [keras_model] + ([first] if isinstance(first, keras.Model) else []):
        for pattern, value_range, is_bgr in _KERAS_APPLICATIONS:
            if re.fullmatch(pattern, model.name.lower()):
                own = (keras.layers.Rescaling, keras.layers.Normalization)
                if value_range == (0, 255) and not any(isinstance(layer, own) for layer in model.layers[:4]):
                    value_range = (-1, 1)
                return value_range, is_bgr
    return None


def _first_layer(keras, keras_model):
    """The first layer of `keras_model` after its input, or None."""
    return next((layer for layer in keras_model.layers if not isinstance(layer, keras.layers.InputLayer)), None)


def from_keras(
    keras_model: Any,
    image_value_range: Sequence[Any] | None = None,
    input_name: str | None = None,
    model_name: str | None = None,
    is_BGR: bool | None = None,
) -> ConvertedModel:
    """A Lucid Model of a functional or Sequential Keras model (including keras.applications ones).

    Every layer's output becomes a node named after the layer; layers of nested models are named
    "outer/inner" (e.g. "resnet50/conv4_block1_out" in keras.Sequential([keras.applications.ResNet50(...),
    ...])). A layer with an activation (e.g. Dense(activation="softmax") "predictions", or an Activation layer)
    also gives its value before the activation as "<name>_pre_activation": optimize class logits there. `layers`
    lists the nodes with image ([N, H, W, C], tag "conv") or vector ([N, C], tag "dense") outputs.

    image_value_range: the (lo, hi) pixel range the model was trained on (per-channel arrays allowed); is_BGR:
      whether it takes channels in BGR order. None: a keras.applications model gets its family's preprocessing
      (keras_preprocessing); another is guessed with a warning: (0, 255) when it starts with a Rescaling layer,
      else (0, 1), RGB.
    input_name: name of the input placeholder in the frozen graph (default "input").
    """
    import keras  # only this converter needs Keras

    try:
        inputs = keras_model.inputs
    except AttributeError:
        inputs = None
    if not inputs:
        raise ValueError(
            "Keras model {!r} has no defined inputs (a subclassed model, or a Sequential built without "
            "keras.Input). Give it an input, e.g. keras.Sequential([keras.Input((224, 224, 3)), ...]), or convert "
            "its call with Model.from_function(lambda x: model(x, training=False), "
            "tf.TensorSpec([None, 224, 224, 3]))".format(keras_model.name)
        )
    if len(inputs) != 1:
        raise ValueError(
            "Keras model {!r} has {} inputs; Lucid visualizes models with one image input.".format(
                keras_model.name, len(inputs)
            )
        )
    if any(tf.is_symbolic_tensor(weight.value.handle) for weight in keras_model.weights):
        raise RuntimeError(
            "Keras model {!r} was built in TF1 graph mode (inside a tf.Graph, or after "
            "tf.compat.v1.disable_eager_execution()), so its weights cannot be read. Build it with eager execution "
            "on (the TF2 default, outside any `with graph.as_default():` block), convert it, and save it with "
            ".export('model.pb'); Model.load('model.pb') then works in any mode.".format(keras_model.name)
        )

    def call(image):
        outputs = {}
        _run_recording(keras, keras_model, image, "", outputs)
        return outputs

    known = keras_preprocessing(keras_model)
    if known is not None:
        image_value_range = known[0] if image_value_range is None else image_value_range
        is_BGR = known[1] if is_BGR is None else is_BGR
    if image_value_range is None:
        if isinstance(_first_layer(keras, keras_model), keras.layers.Rescaling):
            image_value_range, reason = (0, 255), "the model starts with a Rescaling layer"
        else:
            image_value_range, reason = (0, 1), "no preprocessing layer says otherwise"
        _warn_guessed_range(image_value_range, reason)
    input_spec = tf.TensorSpec(inputs[0].shape, inputs[0].dtype)
    return _convert(call, input_spec, input_name, image_value_range, model_name or keras_model.name, bool(is_BGR))


def _run_recording(keras, model, image, prefix, outputs):
    """Run the functional (or Sequential) Keras `model` on `image` layer by layer in inference mode, recording each
    layer's output in `outputs` as prefix + its name, and its value before a non-linear activation as
    "<name>_pre_activation". A nested single-input model is run the same way, its layers prefixed "<name>/"."""
    functional = getattr(model, "_functional", None) or model  # a Sequential runs through its functional twin
    if not hasattr(functional, "_run_through_graph"):
        raise ValueError(
            "Keras model {!r} is not functional, so its layers cannot be traced one by one; convert its call with "
            "Model.from_function.".format(model.name)
        )

    def operation_fn(layer):
        def call(*args, **kwargs):
            if "training" in getattr(layer, "_call_context_args", ()):
                kwargs["training"] = False
            name = prefix + layer.name
            if isinstance(layer, keras.Model) and len(layer.inputs) == 1 and len(args) == 1 and not kwargs.get("mask"):
                result = _run_recording(keras, layer, args[0], name + "/", outputs)
            elif getattr(layer, "activation", None) not in (None, keras.activations.linear):
                activation = layer.activation
                layer.activation = keras.activations.linear
                try:
                    outputs[name + "_pre_activation"] = layer(*args, **kwargs)
                finally:
                    layer.activation = activation
                result = activation(outputs[name + "_pre_activation"])
            else:
                result = layer(*args, **kwargs)
            if tf.is_tensor(result):
                outputs[name] = result
            return result

        return call

    return functional._run_through_graph([image], operation_fn=operation_fn)


def from_saved_model(
    path: str,
    signature: str = "serving_default",
    image_value_range: Sequence[Any] | None = None,
    input_name: str | None = None,
    model_name: str | None = None,
    is_BGR: bool = False,
    allow_unsafe_ops: bool = False,
) -> ConvertedModel:
    """A Lucid Model of a SavedModel signature that takes one image; its outputs become the named nodes.

    `layers` lists the outputs with image or vector shapes. image_value_range: as in `from_keras`; None guesses
    (0, 1) with a warning. Loading a SavedModel runs its restore and init ops, so its graph and functions are
    checked first (safe_ops.check_saved_model); `allow_unsafe_ops=True` skips the op allowlist for a file you trust.
    """
    safe_ops.check_saved_model(path, allow_unsafe_ops)
    with context.eager_mode():
        loaded = tf.saved_model.load(path)
    if signature not in loaded.signatures:
        raise KeyError(
            "SavedModel {} has no signature {!r}; it has {}.".format(path, signature, sorted(loaded.signatures.keys()))
        )
    function = loaded.signatures[signature]
    args, kwargs = function.structured_input_signature
    specs = list(args) + list(kwargs.values())
    if len(specs) != 1:
        raise ValueError(
            "Signature {!r} of {} takes {} inputs; Lucid visualizes models with one image input.".format(
                signature, path, len(specs)
            )
        )
    if kwargs:
        ((argument_name, input_spec),) = kwargs.items()
        call = lambda image: function(**{argument_name: image})  # noqa: E731
    else:
        input_spec, call = args[0], function
    return from_function(call, input_spec, image_value_range, input_name, model_name or signature, is_BGR)


def from_function(
    tf_function: Callable,
    input_signature: tf.TensorSpec | Sequence[tf.TensorSpec],
    image_value_range: Sequence[Any] | None = None,
    input_name: str | None = None,
    model_name: str | None = "function",
    is_BGR: bool = False,
) -> ConvertedModel:
    """A Lucid Model of a function of one image tensor (a tf.function, or a plain function of TF ops).

    input_signature: a tf.TensorSpec of the image batch, e.g. tf.TensorSpec([None, 28, 28, 1]) (or a list
      holding one). The function returns a tensor (node "output"), a list of tensors ("output_0", ...) or a dict
      name -> tensor (nodes named after the keys). `layers` lists those with image or vector shapes.
    image_value_range: as in `from_keras`; None guesses (0, 1) with a warning.
    """
    if isinstance(input_signature, (list, tuple)) and len(input_signature) == 1:
        input_signature = input_signature[0]
    if not isinstance(input_signature, tf.TensorSpec):
        raise TypeError(
            "input_signature must be the tf.TensorSpec of one image input, such as "
            "tf.TensorSpec([None, 224, 224, 3]) (or a list holding it), got {!r}.".format(input_signature)
        )

    def call(image):
        outputs = tf_function(image)
        if isinstance(outputs, dict):
            return outputs
        if isinstance(outputs, (list, tuple)):
            return {"output_{}".format(i): output for i, output in enumerate(outputs)}
        return {"output": outputs}

    if image_value_range is None:
        image_value_range = (0, 1)
        _warn_guessed_range(image_value_range, "a function does not say which range it expects")
    return _convert(call, input_signature, input_name, image_value_range, model_name, is_BGR)


def _warn_guessed_range(image_value_range, reason):
    warnings.warn(
        "image_value_range was not given; guessing {} because {}. A wrong range is the most common cause of bad "
        "feature visualizations: pass the range the model was trained on, e.g. image_value_range=(-1, 1).".format(
            image_value_range, reason
        ),
        stacklevel=3,
    )


def _convert(call, input_spec, input_name, image_value_range, model_name, is_BGR):
    """Trace `call` (image -> dict name -> tensor) on a float32 placeholder, freeze it with every function call
    inlined, name its outputs, and probe which image sizes the frozen graph accepts."""
    input_name = input_name or "input"
    shape = input_spec.shape
    if shape.rank != 4:
        raise ValueError("The model input must be an image batch [N, H, W, C], got shape {}.".format(shape))
    if not input_spec.dtype.is_floating:
        raise TypeError(
            "The model input must be a float image, got dtype {}; Lucid optimizes float pixels.".format(
                input_spec.dtype.name
            )
        )
    graph_def, traced = freeze(call, input_spec, input_name, model_name)
    image_shape = shape.as_list()[1:]
    if any(out_shape.rank and out_shape[-1] is None for out_shape in traced.values()) and None not in image_shape:
        # Traced for any size, a Flatten's depth is unknown; at the native size shape inference knows it.
        native_shapes = input_sizes.static_shapes(graph_def, input_name, image_shape, list(traced))
        traced = dict(zip(traced, native_shapes)) if native_shapes else traced
    layers = [
        {"name": name, "depth": out_shape[-1], "tags": ["conv" if out_shape.rank == 4 else "dense"]}
        for name, out_shape in traced.items()
        if out_shape.rank in (2, 4)
    ]
    size_support = input_sizes.probe(graph_def, input_name, image_shape)
    model = ConvertedModel(
        graph_def, input_name, image_shape, image_value_range, layers, model_name, is_BGR, size_support
    )
    model_util.infuse_metadata(
        graph_def,
        {
            "input_name": input_name,
            "image_shape": image_shape,
            "image_value_range": image_value_range,
            "is_BGR": is_BGR,
            "model_name": model_name,
            "layers": layers,
            "size_support": list(size_support),
        },
    )
    log.info("Converted %s: %d nodes, %d layers.", model_name, len(graph_def.node), len(layers))
    return model
