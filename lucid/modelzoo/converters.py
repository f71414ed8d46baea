"""Turn your own TF2 models into Lucid Models: a Keras model, a SavedModel signature or a tf.function.

Each is traced once in inference mode and frozen (variables become constants) into a GraphDef that Lucid imports
like any zoo model. Every named output (each Keras layer, each signature output) becomes a node of that name, so
objectives can say "block_3_expand_relu:12". Use them as `Model.from_keras(...)`, `Model.from_saved_model(...)`,
`Model.from_function(...)`.
"""

import logging
import re
import warnings

import numpy as np
import tensorflow as tf
from tensorflow.python.eager import context
from tensorflow.python.framework import convert_to_constants, op_def_registry

from lucid.misc import safe_ops
from lucid.misc.io import save
from lucid.modelzoo import input_sizes
from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR, Layer, Model

log = logging.getLogger(__name__)

# Name scope of the traced model's own ops, so that the top-level names stay free for the named outputs.
_BODY_SCOPE = "lucid_model_body"


class ConvertedModel(Model):
    """A Model whose frozen GraphDef lives in memory; it carries Lucid's metadata, so `export` writes a .pb that
    `Model.load` reads back without Keras.

    A one-channel model (image_shape [..., 1]) also accepts RGB images, averaged to grey (Model.create_input).
    """

    # No file to reload the GraphDef from, so it is pickled with the model.
    _blacklist = []

    def __init__(self, graph_def, input_name, image_shape, image_value_range, layers, model_name, is_BGR=False):
        self._graph_def = graph_def
        self.input_name = input_name
        self.image_shape = list(image_shape)
        self.image_value_range = image_value_range
        self.is_BGR = is_BGR
        self.model_name = model_name
        self.layers = tuple(Layer(self, d["name"], d["depth"], d["tags"]) for d in layers)

    # Converted models have no model_path, so two of them are equal only if they are the same object.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def export(self, save_url):
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


def keras_preprocessing(keras_model):
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


def from_keras(keras_model, image_value_range=None, input_name=None, model_name=None, is_BGR=None):
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
    path,
    signature="serving_default",
    image_value_range=None,
    input_name=None,
    model_name=None,
    is_BGR=False,
    allow_unsafe_ops=False,
):
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
    tf_function, input_signature, image_value_range=None, input_name=None, model_name="function", is_BGR=False
):
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
    # Traced for any height and width where the model allows it (a fixed-size signature does not): the probe of
    # the frozen graph then finds which sizes work.
    try:
        graph_def, traced = _freeze(call, [None, None, None, shape[-1]], input_name, input_spec.dtype)
    except (TypeError, ValueError, tf.errors.InvalidArgumentError):
        graph_def, traced = _freeze(call, shape, input_name, input_spec.dtype)
    ops = {node.name: node.op for node in graph_def.node}
    expected = [(input_name, "Placeholder")] + [(name, "Identity") for name in traced]
    clashes = [name for name, op in expected if ops.get(name) != op]
    if clashes:
        raise ValueError(
            "Could not give the nodes {} their names in the frozen graph (a name is used twice, e.g. "
            "input_name {!r} is also an output name); pass another input_name.".format(clashes, input_name)
        )
    needed = model_util.needed_nodes(graph_def, list(traced))  # not tf.function's output Identities
    for index in reversed(range(len(graph_def.node))):  # in place: copying the weights takes long
        if graph_def.node[index].name not in needed:
            del graph_def.node[index]
    calls = sorted({node.op for node in graph_def.node if node.op in _FUNCTION_CALLS})
    if calls:
        raise ValueError(
            "{}: the frozen graph still calls functions ({}), so gradients would fail.".format(model_name, calls)
        )
    for node in graph_def.node:
        # Ops made by tf.custom_gradient (e.g. swish) name a gradient function that lives only in this process and
        # refers to the traced graph. Without it, their gradient is the autodiff of the forward ops they wrap.
        node.attr.pop("_gradient_op_type", None)
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
    model = ConvertedModel(graph_def, input_name, image_shape, image_value_range, layers, model_name, is_BGR)
    model._value_range_bounds(image_shape[-1], np.float32)  # a bad range fails here, not at the first render
    model._size_support = input_sizes.probe(graph_def, input_name, image_shape)
    model_util.infuse_metadata(
        graph_def,
        {
            "input_name": input_name,
            "image_shape": image_shape,
            "image_value_range": image_value_range,
            "is_BGR": is_BGR,
            "model_name": model_name,
            "layers": layers,
            "size_support": list(model._size_support),
        },
    )
    log.info("Converted %s: %d nodes, %d layers.", model_name, len(graph_def.node), len(layers))
    return model


# Ops that call a function of the graph's library; inlined away, as a graph that keeps them cannot be
# differentiated after import (SymbolicGradient fails) and is not plain ops.
_FUNCTION_CALLS = {"PartitionedCall", "StatefulPartitionedCall"}


def _freeze(call, shape, input_name, dtype):
    """(GraphDef, {output name: static shape}) of `call` traced on a float32 input of `shape`, variables turned
    into constants and every function call inlined (the function library is dropped)."""
    traced = {}  # output name -> static shape, in the order `call` returns them

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32, name=input_name)], autograph=False)
    def probe(image):
        with tf.name_scope(_BODY_SCOPE):
            outputs = call(tf.cast(image, dtype))
        traced.update((name, tensor.shape) for name, tensor in outputs.items())
        return {name: tf.identity(tensor, name=name) for name, tensor in outputs.items()}

    # Trace and freeze eagerly, also when called inside a `with tf.Graph().as_default():` block.
    with context.eager_mode():
        # The GraphDef of convert_variables_to_constants_v2, without the ConcreteFunction it builds from it (most of
        # its time).
        function = probe.get_concrete_function()
        converter = _ConverterData(func=function, lower_control_flow=True, aggressive_inlining=True)
        graph_def, _ = convert_to_constants._replace_variables_by_constants(converter_data=converter)
    return inline_function_calls(graph_def), traced


class _ConverterData(convert_to_constants._FunctionConverterDataInEager):
    """Reads each variable's value without the copy that .numpy() makes: the GraphDef's constant copies it anyway
    (for VGG16's 500 MB of weights, up to a second)."""

    def _eval(self, tensor):
        return (tensor.read_value() if isinstance(tensor, tf.Variable) else tensor)._numpy()


def inline_function_calls(graph_def):
    """Replace, in place, each call (PartitionedCall / StatefulPartitionedCall) of a function of `graph_def`'s
    library by the function's body, recursively, and drop the library; returns `graph_def`.

    Freezing inlines most calls itself, but not those it must keep, e.g. the XLA-compiled function Keras runs
    grouped convolutions (ConvNeXt's depthwise Conv2D(groups=C)) in on CPU; a SavedModel's graph holds them too.
    The body's nodes are named "<call>/<node>"; an IdentityN named after the call passes on its outputs, so the
    nodes that read it are unchanged. A call that cannot be inlined (its function is not in the library, does not
    fit the call, or calls itself) is kept, and refused by the converters.
    """
    library = {function.signature.name: function for function in graph_def.library.function}
    callers = {}  # inlined node name -> the functions it was inlined from

    def calls_in(nodes):
        return [node for node in nodes if node.op in _FUNCTION_CALLS and node.attr["f"].func.name in library]

    calls = calls_in(graph_def.node)
    while calls:
        first_new = len(graph_def.node)
        for node in calls:
            function, chain = node.attr["f"].func.name, callers.get(node.name, frozenset())
            inlined = None if function in chain else _function_body(library[function], node)
            if inlined is None:
                continue
            body, outputs = inlined
            callers.update((new.name, chain | {function}) for new in body)
            graph_def.node.extend(body)
            inputs = outputs + [name for name in node.input if name.startswith("^")]
            name, types = node.name, list(node.attr["Tout"].list.type)
            node.Clear()
            node.name, node.op = name, ("IdentityN" if outputs else "NoOp")
            node.input.extend(inputs)
            if outputs:
                node.attr["T"].list.type.extend(types)
        calls = calls_in(graph_def.node[first_new:])  # the bodies may call functions too
    graph_def.ClearField("library")
    return graph_def


def _function_body(function, call):
    """(the NodeDefs of `function`'s body, renamed "<call>/<node>" and reading the call's inputs in place of the
    function's arguments; the graph names of its output tensors), or None if the body does not fit the call."""
    arguments = [name for name in call.input if not name.startswith("^")]
    if len(arguments) != len(function.signature.input_arg):
        return None
    names = {arg.name: tensor for arg, tensor in zip(function.signature.input_arg, arguments)}
    prefix = call.name + "/"
    for node in function.node_def:
        # In a function, output tensors are named "<node>:<output argument>:<index>"; in a graph "<node>:<n>".
        op_def = op_def_registry.get(node.op)
        flat = 0
        for arg in op_def.output_arg if op_def else ():
            if arg.number_attr:
                count = node.attr[arg.number_attr].i
            elif arg.type_list_attr:
                count = len(node.attr[arg.type_list_attr].list.type)
            else:
                count = 1
            for index in range(count):
                names["{}:{}:{}".format(node.name, arg.name, index)] = "{}{}:{}".format(prefix, node.name, flat)
                flat += 1
    body = []
    for node in function.node_def:
        renamed = tf.compat.v1.NodeDef()
        renamed.CopyFrom(node)
        renamed.name = prefix + node.name
        renamed.device = ""
        renamed.attr.pop("_class", None)  # colocation with nodes of the function's own names
        del renamed.input[:]
        for name in node.input:
            if not name.startswith("^"):
                if name not in names:  # e.g. the output of an op this TensorFlow does not know
                    return None
                renamed.input.append(names[name])
            elif name[1:] not in names:  # a control input on an argument orders nothing in a frozen graph
                renamed.input.append("^" + prefix + name[1:])
        body.append(renamed)
    outputs = [names.get(function.ret.get(arg.name)) for arg in function.signature.output_arg]
    return None if None in outputs else (body, outputs)
