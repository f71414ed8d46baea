"""Building blocks of interpretability (Olah et al. 2018) for one image: neuron groups and semantic dictionaries.

images, factors, directions = neuron_groups(model, img, "head", n_groups=6)
dictionary = semantic_dictionary(model, img, "block6")
"""

import logging

import numpy as np

from lucid.misc.channel_reducer import ChannelReducer
from lucid.optvis import objectives, param, render
from lucid.recipes.image_activations import image_activations, layer_name

__all__ = [
    "neuron_groups",
    "semantic_dictionary",
]

log = logging.getLogger(__name__)


def neuron_groups(model, image, layer, n_groups=6, reduction_alg="NMF", image_size=80, steps=512, **render_kwargs):
    """Factor `layer`'s activations on `image` into `n_groups` groups of neurons and render each group.

    Returns `(images [n_groups, size, size, 3], spatial_factors [H, W, n_groups], directions [n_groups, C])`:
    where each group is active in the image, and the channel direction the group's image maximizes.
    NMF needs non-negative activations (a layer after a ReLU); use reduction_alg="PCA" otherwise.
    """
    name = layer_name(layer)
    acts = image_activations(model, image, [name])[name]
    if reduction_alg == "NMF" and acts.min() < 0:
        raise ValueError(
            "NMF needs non-negative activations, but layer %r has values down to %g: pick a layer after "
            "a ReLU or pass reduction_alg='PCA'." % (name, acts.min())
        )
    reducer = ChannelReducer(n_groups, reduction_alg)
    spatial_factors = reducer.fit_transform(acts)
    directions = np.asarray(reducer.components, dtype=np.float32)
    objective = objectives.Objective.sum([objectives.direction(name, vec, batch=i) for i, vec in enumerate(directions)])
    render_kwargs.setdefault("verbose", False)
    images = render.render_vis(
        model,
        objective,
        param_f=lambda: param.image(image_size, batch=n_groups),
        thresholds=(steps - 1,),
        **render_kwargs,
    )[-1]
    return images, spatial_factors, directions


def semantic_dictionary(model, image, layer, n_top=4, image_size=80, steps=256, batch_size=16, **render_kwargs):
    """For each position of `layer` on `image`, its `n_top` most active channels, with a rendering of each.

    Returns a dict: "top_channels" [H, W, n_top] (channel numbers, most active first), "top_values" [H, W, n_top]
    (their activations) and "channel_images" {channel: image [size, size, 3]} for every channel listed.
    Extra kwargs go to `render.render_channels`.
    """
    name = layer_name(layer)
    acts = image_activations(model, image, [name])[name]
    top_channels = np.argsort(-acts, axis=-1)[..., :n_top]
    top_values = np.take_along_axis(acts, top_channels, -1)
    channels = sorted(set(top_channels.ravel().tolist()))
    images, _ = render.render_channels(
        model, name, channels, batch_size=batch_size, steps=steps, image_size=image_size, **render_kwargs
    )
    return {"top_channels": top_channels, "top_values": top_values, "channel_images": dict(zip(channels, images))}
