"""Turn your own TF2 models into Lucid Models: a Keras model, a SavedModel signature or a tf.function.

Each is traced once in inference mode and frozen (variables become constants) into a GraphDef that Lucid imports
like any zoo model. Every named output (each Keras layer, each signature output) becomes a node of that name, so
objectives can say "block_3_expand_relu:12". Use them as `Model.from_keras(...)`, `Model.from_saved_model(...)`,
`Model.from_function(...)`.
"""

import logging
import warnings

import numpy as np
import tensorflow as tf
from tensorflow.python.eager import context
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from lucid.misc.io import save
from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import Layer, Model

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


def from_keras(keras_model, image_value_range=None, input_name=None, model_name=None, is_BGR=False):
    """A Lucid Model of a functional or Sequential Keras model (including keras.applications ones).

    Every top-level layer's output becomes a node named after the layer; `layers` lists those with image
    ([N, H, W, C], tag "conv") or vector ([N, C], tag "dense") outputs. Layers inside a nested model are not
    exposed: convert the nested model itself (`keras_model.get_layer(name)`) to see them.

    image_value_range: the (lo, hi) pixel range the model was trained on, e.g. (-1, 1) for keras.applications
      MobileNets. If None it is guessed, with a warning: (0, 255) when the model starts with a Rescaling layer,
      else (0, 1).
    input_name: name of the input placeholder in the frozen graph (default "input").
    is_BGR: the model expects channels in BGR order (keras.applications VGG and ResNet "caffe" models).
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

    named_layers = []
    for layer in keras_model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            log.warning(
                "Layers inside the nested model %r are not exposed; convert it on its own with "
                "Model.from_keras(keras_model.get_layer(%r)) to visualize them.",
                layer.name,
                layer.name,
            )
        if isinstance(layer.output, keras.KerasTensor):
            named_layers.append(layer)
        else:
            log.info("Skipping layer %r: it has several outputs.", layer.name)
    probe = keras.Model(inputs[0], [layer.output for layer in named_layers])

    def call(image):
        outputs = probe(image, training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]  # one output comes unwrapped
        return dict(zip([layer.name for layer in named_layers], outputs))

    if image_value_range is None:
        first = named_layers[0] if named_layers else None
        if isinstance(first, keras.layers.Rescaling):
            image_value_range, reason = (0, 255), "the model starts with a Rescaling layer"
        else:
            image_value_range, reason = (0, 1), "no preprocessing layer says otherwise"
        _warn_guessed_range(image_value_range, reason)
    input_spec = tf.TensorSpec(inputs[0].shape, inputs[0].dtype)
    return _convert(call, input_spec, input_name, image_value_range, model_name or keras_model.name, is_BGR)


def from_saved_model(
    path, signature="serving_default", image_value_range=None, input_name=None, model_name=None, is_BGR=False
):
    """A Lucid Model of a SavedModel signature that takes one image; its outputs become the named nodes.

    `layers` lists the outputs with image or vector shapes. image_value_range: as in `from_keras`; None guesses
    (0, 1) with a warning.
    """
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
    """Trace `call` (image -> dict name -> tensor) on a float32 placeholder, freeze it, name its outputs."""
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

    traced = {}  # output name -> static shape, in the order `call` returns them

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float32, name=input_name)])
    def probe(image):
        with tf.name_scope(_BODY_SCOPE):
            outputs = call(tf.cast(image, input_spec.dtype))
        traced.update((name, tensor.shape) for name, tensor in outputs.items())
        return {name: tf.identity(tensor, name=name) for name, tensor in outputs.items()}

    # Trace and freeze eagerly, also when called inside a `with tf.Graph().as_default():` block.
    with context.eager_mode():
        graph_def = convert_variables_to_constants_v2(probe.get_concrete_function()).graph.as_graph_def()
    ops = {node.name: node.op for node in graph_def.node}
    expected = [(input_name, "Placeholder")] + [(name, "Identity") for name in traced]
    clashes = [name for name, op in expected if ops.get(name) != op]
    if clashes:
        raise ValueError(
            "Could not give the nodes {} their names in the frozen graph (a name is used twice, e.g. "
            "input_name {!r} is also an output name); pass another input_name.".format(clashes, input_name)
        )
    graph_def = _needed_by(graph_def, list(traced))
    for node in graph_def.node:
        # Ops made by tf.custom_gradient (e.g. swish) name a gradient function that lives only in this process and
        # refers to the traced graph. Without it, their gradient is the autodiff of the forward ops they wrap.
        node.attr.pop("_gradient_op_type", None)
    layers = [
        {"name": name, "depth": out_shape[-1], "tags": ["conv" if out_shape.rank == 4 else "dense"]}
        for name, out_shape in traced.items()
        if out_shape.rank in (2, 4)
    ]
    image_shape = shape.as_list()[1:]
    model = ConvertedModel(graph_def, input_name, image_shape, image_value_range, layers, model_name, is_BGR)
    model._value_range_bounds(image_shape[-1], np.float32)  # a bad range fails here, not at the first render
    model_util.infuse_metadata(
        graph_def,
        {
            "input_name": input_name,
            "image_shape": image_shape,
            "image_value_range": image_value_range,
            "is_BGR": is_BGR,
            "model_name": model_name,
            "layers": layers,
        },
    )
    log.info("Converted %s: %d nodes, %d layers.", model_name, len(graph_def.node), len(layers))
    return model


def _needed_by(graph_def, names):
    """`graph_def` cut down to the nodes `names` depend on (dropping tf.function's own output Identities)."""
    nodes = {node.name: node for node in graph_def.node}
    needed, stack = set(), list(names)
    while stack:
        name = stack.pop()
        if name not in needed:
            needed.add(name)
            stack.extend(model_util._node_name(input_name) for input_name in nodes[name].input)
    pruned = tf.compat.v1.GraphDef()
    pruned.versions.CopyFrom(graph_def.versions)
    pruned.library.CopyFrom(graph_def.library)
    pruned.node.extend(node for node in graph_def.node if node.name in needed)
    return pruned
