"""Activations of a model's layers on images: one image (`image_activations`) or many (`activations`)."""

import logging
import time

import numpy as np
import tensorflow as tf

from lucid.misc.io import load, show
from lucid.misc.ndimage_utils import resize

__all__ = [
    "activations",
    "image_activations",
    "layer_name",
    "load",
    "manifest_image_activations",
    "resize",
    "show",
]

log = logging.getLogger(__name__)


def layer_name(layer):
    """The name of `layer`, given as a name or as a Layer (`model.layers[i]`)."""
    if isinstance(layer, str):
        return layer
    if isinstance(getattr(layer, "name", None), str) and hasattr(layer, "depth"):
        return layer.name
    raise ValueError("layer must be a Layer (model.layers[i]) or a layer name, got %r." % (layer,))


def _model_size(model):
    """(height, width) the model was made for, or None when its image_shape leaves them open."""
    height, width = list(model.image_shape)[:2]
    return None if height is None or width is None else (int(height), int(width))


def image_activations(model, image, layer_names=None):
    """`{layer_name: activations [H, W, C]}` of `image` ([H, W, 3] in [0, 1], resized to the model's size).

    layer_names: default, every layer of `model.layers` tagged "conv".
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise ValueError("image_activations takes one image [H, W, 3], got shape %s." % (image.shape,))
    if layer_names is None:
        layer_names = [layer["name"] for layer in model.layers if "conv" in layer.tags]
    if not layer_names:
        raise ValueError("No layers to read: pass layer_names, or give the model layers tagged 'conv'.")
    size = _model_size(model)
    if size is not None:
        image = resize(image, size)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder_with_default(image, image.shape)
        T = model.import_graph(t_input, scope="import")
        values = sess.run([T(name) for name in layer_names])
    return {name: value[0] for name, value in zip(layer_names, values)}


def manifest_image_activations(model, image, **kwargs):
    """`image_activations` as a manifest dict: {"type": "image-activations", "took": seconds, "values": [...]}."""
    start = time.time()
    activations_by_layer = image_activations(model, image, **kwargs)
    took = time.time() - start
    values = [
        {"type": "activations", "value": value, "shape": value.shape, "layer_name": name}
        for name, value in activations_by_layer.items()
    ]
    return {"type": "image-activations", "took": took, "values": values}


def activations(model, layer, images, batch_size=64):
    """Activations of `layer` (a name or a Layer) on `images` [N, H, W, 3] in [0, 1]: an array [N, ...].

    `Model.get_activations` (lucid.modelzoo.get_activations), after checking the arguments.
    """
    name = layer_name(layer)
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError("activations takes a non-empty batch of images [N, H, W, 3], got shape %s." % (images.shape,))
    if batch_size < 1:
        raise ValueError("batch_size must be a positive int, got %r." % (batch_size,))
    return np.asarray(model.get_activations(name, images, batch_size=batch_size))
