"""Which image sizes a frozen model graph accepts, found by TensorFlow's shape inference (nothing is run).

A graph "accepts any size" when it imports with a static input of its native size, one pixel more, half as much
again and a non-square size: Flatten + Dense heads and NASNet-style cell alignments fail some of these. Its
minimum is the smallest square side it imports at with no empty float tensor (a VALID conv, pool or crop wider
than what reaches it). Shape inference works on a copy of the graph whose weights are placeholders of the same
shape (modelzoo.util.weightless_graph_def), so each probe costs one import of a few hundred kilobytes.
"""

import collections
import math

import tensorflow as tf
from tensorflow.python.client import pywrap_tf_session as c_api
from tensorflow.python.framework import c_api_util

from lucid.modelzoo import util as model_util

__all__ = [
    "check",
    "DEFAULT_SIDE",
    "fit",
    "from_metadata",
    "probe",
    "probe_outputs",
    "SizeSupport",
    "static_shapes",
]

# A model without a native size is probed around this side (ImageNet models' usual size).
DEFAULT_SIDE = 224

# native: the (height, width) a fixed-size model is fitted to, None when the graph does not import even there;
# min_size: the smallest square side a model that accepts any size imports at.
SizeSupport = collections.namedtuple("SizeSupport", ["accepts_any_size", "min_size", "native"])


def from_metadata(stored):
    """The SizeSupport stored (as a JSON list) in a converted model's metadata, or None if none is."""
    if stored is None:
        return None
    accepts_any_size, min_size, native = stored
    return SizeSupport(accepts_any_size, min_size, tuple(native) if native else None)


def _imports_at(light_graph_def, input_name, shape, names=()):
    """The static shapes of the nodes `names` when `light_graph_def` imports with a static input of `shape`, or
    None where shape inference fails or a float tensor it computes is empty: a crop or slice larger than the
    image imports at any size but leaves nothing, and the mean of nothing is NaN."""
    with tf.Graph().as_default() as graph:
        image = tf.compat.v1.placeholder(tf.float32, shape)
        try:
            tf.compat.v1.import_graph_def(light_graph_def, {input_name: image}, name="probe")
        except (ValueError, tf.errors.InvalidArgumentError):
            return None
        for op in graph.get_operations():
            if op.type not in ("Const", "Placeholder"):
                for tensor in op.outputs:
                    if tensor.dtype.is_floating and 0 in (tensor.shape.as_list() if tensor.shape.rank else []):
                        return None
        return [graph.get_tensor_by_name("probe/{}:0".format(name)).shape for name in names]


def _imports(serialized_light_graph_def, input_name, shape):
    """Whether the (serialized) light GraphDef imports with a static input of `shape`: `_imports_at` through
    TensorFlow's C API, without the Python objects import_graph_def makes for every op (most of its time), so
    also without their shapes to check for empty tensors."""
    with tf.Graph().as_default() as graph:
        image = tf.compat.v1.placeholder(tf.float32, shape)
        options = c_api_util.ScopedTFImportGraphDefOptions()
        c_api.TF_ImportGraphDefOptionsSetPrefix(options.options, "probe")
        c_api.TF_ImportGraphDefOptionsAddInputMapping(options.options, input_name, 0, image._as_tf_output())
        with c_api_util.tf_buffer(serialized_light_graph_def) as buffer:
            try:
                c_api.TF_GraphImportGraphDefWithResults(graph._c_graph, buffer, options.options)
            except (ValueError, tf.errors.InvalidArgumentError):
                return False
    return True


def static_shapes(graph_def, input_name, image_shape, names):
    """The static shapes of the nodes `names` for one image of `image_shape` [H, W, C] (None if it fails)."""
    return _imports_at(model_util.weightless_graph_def(graph_def), input_name, [1, *image_shape], names)


def probe(graph_def, input_name, image_shape):
    """The SizeSupport of `graph_def` whose input node is `input_name`; image_shape is the model's [H, W, C]."""
    height, width, channels = (list(image_shape or [None, None, None]) + [None] * 3)[:3]
    native = (height or DEFAULT_SIDE, width or DEFAULT_SIDE)
    light = model_util.weightless_graph_def(graph_def)
    serialized = light.SerializeToString()

    def imports(h, w):
        return _imports(serialized, input_name, [1, h, w, channels])

    def computes(side):
        return _imports_at(light, input_name, [1, side, side, channels]) is not None

    if not imports(*native):
        return SizeSupport(False, None, None)
    if not all(imports(h, w) for h, w in _other_sizes(native)):
        return SizeSupport(False, None, tuple(native))
    minimum = _smallest(lambda side: imports(side, side), 1, min(native))
    # The fast import sees no shapes: the full one checks that no tensor is empty there, and searches above if one is.
    if not computes(minimum):
        minimum = _smallest(computes, minimum + 1, min(native))
    return SizeSupport(True, minimum, tuple(native))


def _smallest(works, low, high):
    """The smallest side in [low, high] that `works`, by bisection: `high` works, and so does every side above one
    that does."""
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if works(middle) else (middle + 1, high)
    return high


def probe_outputs(graph_def, input_name, image_shape):
    """SizeSupport of a GraphDef that may hold several heads (a zoo graph, or the part of it a render imports):
    fixed-size only if every output (node nothing else reads) is, so that images are fitted only where the
    graph would otherwise fail; no minimum is imposed, as the layers that will run are not known."""
    height, width, channels = (list(image_shape or [None, None, None]) + [None] * 3)[:3]
    native = (height or DEFAULT_SIDE, width or DEFAULT_SIDE)
    light = model_util.weightless_graph_def(graph_def)
    read = {model_util.node_name(name) for node in light.node for name in node.input}
    outputs = [node.name for node in light.node if node.name not in read and node.op not in ("Const", "NoOp")]
    for output in outputs:
        part = model_util.subgraph_def(light, [output])
        serialized = part.SerializeToString()
        if input_name in {node.name for node in part.node} and all(
            _imports(serialized, input_name, [1, h, w, channels]) for h, w in [native, *_other_sizes(native)]
        ):
            return SizeSupport(True, 1, tuple(native))
    if not _imports(light.SerializeToString(), input_name, [1, *native, channels]):
        return SizeSupport(False, None, None)
    return SizeSupport(False, None, tuple(native))


def _other_sizes(native):
    """Sizes besides the native one that a graph accepting any size imports at."""
    side = max(native)
    return [(native[0] + 1, native[1] + 1), (side * 3 // 2 + 1,) * 2, (side, side + side // 4 + 3)]


def check(t_image, support, model_name):
    """Raise ValueError if NHWC `t_image` has a static size that `support` rejects (below its minimum)."""
    height, width = t_image.shape[1:3]
    if support.native is None:
        raise ValueError(
            "{} does not run even at its own image_shape; check its image_shape and input_name.".format(model_name)
        )
    if support.accepts_any_size and height is not None and width is not None:
        if min(height, width) < support.min_size:
            raise ValueError(
                "{} takes images of at least {min} x {min} pixels (it accepts any size from there); got {} x {}. "
                "Render at image_size {min} or more (its native size is {} x {}).".format(
                    model_name, height, width, *support.native, min=support.min_size
                )
            )


def fit(t_image, support):
    """`t_image` (NHWC) resized to a size the model accepts: its native size for a fixed-size model; for one that
    accepts any size, the same image unless it is smaller than the minimum (as transforms may make it), then
    enlarged so that its shorter side is the minimum."""
    if not support.accepts_any_size:
        if list(t_image.shape[1:3]) == list(support.native):
            return t_image
        return tf.image.resize(t_image, support.native)
    if support.min_size <= 1:
        return t_image
    height, width = t_image.shape[1:3]
    if height is not None and width is not None:
        short = min(height, width)
        if short >= support.min_size:
            return t_image
        scale = support.min_size / short
        return tf.image.resize(t_image, [math.ceil(height * scale), math.ceil(width * scale)])
    size = tf.shape(t_image)[1:3]
    short = tf.reduce_min(size)

    def enlarged():
        scale = support.min_size / tf.cast(short, tf.float32)
        return tf.image.resize(t_image, tf.cast(tf.math.ceil(tf.cast(size, tf.float32) * scale), tf.int32))

    fitted = tf.cond(short < support.min_size, enlarged, lambda: t_image)
    return tf.ensure_shape(fitted, [t_image.shape[0], None, None, t_image.shape[-1]])
