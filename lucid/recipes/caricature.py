"""Feature inversion ("caricatures"): images whose activations in a layer match an input image's.

result = feature_inversion(img, model, ["block3", "block5"], n_steps=512)
result[0] is the input; result[1:] one image per layer, showing what that layer keeps of the input.
"""

import logging
import os

import numpy as np
import tensorflow as tf

from lucid.misc.io import load, save, show, showing
from lucid.misc.io.reading import read
from lucid.misc.ndimage_utils import resize
from lucid.modelzoo.vision_base import Model, SerializedModel
from lucid.optvis import objectives, param, render, steps, transform
from lucid.optvis.session import graph_and_session, initialize_variables

__all__ = [
    "caricature",
    "dot_compare",
    "feature_inversion",
    "load",
    "make_caricature",
    "read",
    "resize",
    "save",
    "SerializedModel",
    "show",
]

log = logging.getLogger(__name__)


@objectives.wrap_objective()
def dot_compare(layer, batch=1, cossim_pow=0):
    """Dot product of image `batch`'s activations with image 0's (the input), times a cosine-like similarity
    (`dot / |acts[batch]|`, floored at 0.1) to the power `cossim_pow`."""

    def inner(T):
        acts = T(layer)
        dot = tf.reduce_sum(acts[0] * acts[batch])
        magnitude = tf.sqrt(tf.reduce_sum(acts[batch] ** 2))
        cossim = tf.maximum(0.1, dot / (1e-6 + magnitude))
        return dot * cossim**cossim_pow

    return inner


def caricature(img, model, layer, n_steps=512, cossim_pow=0.0, verbose=True):
    """Images matching `img`'s activations in `layer` (a name, or a list/tuple of names: one image each).

    `img` [H, W, 3] in [0, 1] is resized to the model's image size. Returns `[1 + len(layers), H, W, 3]` with
    the (resized) input first; `verbose` shows the results.
    """
    if isinstance(layer, str):
        layers = [layer]
    elif isinstance(layer, (list, tuple)) and layer and all(isinstance(name, str) for name in layer):
        layers = list(layer)
    else:
        raise TypeError("layer must be a layer name or a non-empty list/tuple of names, got %r." % (layer,))
    img = np.asarray(img, dtype=np.float32)
    if img.ndim != 3 or img.shape[-1] != 3:
        raise ValueError("caricature takes one RGB image [H, W, 3] in [0, 1], got shape %s." % (img.shape,))
    height, width = list(model.image_shape)[:2]
    if height is not None and width is not None:
        img = resize(img, (int(height), int(width)))
    h, w = img.shape[:2]

    with graph_and_session() as (_, sess):
        t_input = tf.compat.v1.placeholder(tf.float32, img.shape)
        t_images = param.image(w, h, decorrelate=True, fft=True, alpha=False, batch=len(layers))
        param_f = tf.concat([t_input[None], t_images], 0)
        objective = objectives.Objective.sum(
            [1.0 * dot_compare(name, cossim_pow=cossim_pow, batch=i + 1) for i, name in enumerate(layers)]
        )
        transforms = transform.standard_transforms + [transform.crop_or_pad_to(h, w)]
        T = render.make_vis_T(model, objective, param_f=param_f, transforms=transforms)
        initialize_variables(sess)
        steps.run_steps(sess, T, {n_steps - 1}, feed_dict={t_input: img}, on_interrupt="return")
        result = sess.run(T("input"), {t_input: img})
    if verbose:
        showing.images(list(result[1:]), layers)
    return result


def feature_inversion(*args, **kwargs):
    """Another name of `caricature` (same arguments)."""
    return caricature(*args, **kwargs)


def make_caricature(image_url, saved_model_folder_url, to, *args, **kwargs):
    """Caricatures of an image for every layer of a saved model (a folder with manifest.json), written to `to`:
    input.jpg, <layer>.jpg per layer and results.json describing them."""
    image = load(image_url)
    model = Model.load_from_manifest(os.path.join(saved_model_folder_url, "manifest.json"))
    layer_names = list(model.layer_names)
    kwargs.setdefault("verbose", False)
    result = caricature(np.asarray(image)[..., :3], model, layer_names, *args, **kwargs)
    save(result[0], os.path.join(to, "input.jpg"))
    values = []
    for name, image in zip(layer_names, result[1:]):
        url = os.path.join(to, name.replace("/", "_") + ".jpg")
        save(image, url)
        values.append({"type": "image", "url": url, "shape": list(image.shape)})
    save({"type": "caricature", "input_image": image_url, "values": values}, os.path.join(to, "results.json"))
    return values
