"""Feature visualization recipes: one call per workflow of the Lucid tutorials.

`neuron` and `channel` render units at the model's own image size (as the original recipe). The others wrap
`render.render_vis` for the tutorials' variations:

- `diversity`: several different images of one channel (a batch pushed apart by `objectives.diversity`);
- `interaction`: two channels alone and together (`channel + channel`);
- `positive_and_negative`: what raises a channel and what lowers it;
- `direction`: a direction in activation space, e.g. `activation_difference(...)` between two sets of images.
"""

import logging
from contextlib import nullcontext

import numpy as np
import tensorflow as tf

from lucid.misc.io import load, show
from lucid.modelzoo.vision_base import Layer
from lucid.optvis import objectives, overrides, param, render, steps, transform
from lucid.optvis.session import graph_and_session, initialize_variables
from lucid.recipes.image_activations import activations, layer_name

__all__ = [
    "activation_difference",
    "channel",
    "direction",
    "diversity",
    "interaction",
    "Layer",
    "load",
    "neuron",
    "positive_and_negative",
    "show",
]

log = logging.getLogger(__name__)


def neuron(*args, **kwargs):
    """Render the centre neuron of channels of a layer: `neuron(model, layer, channel_indices, ...)`."""
    return _main(objectives.neuron, *args, **kwargs)


def channel(*args, **kwargs):
    """Render whole channels of a layer: `channel(model, layer, channel_indices, ...)`."""
    return _main(objectives.channel, *args, **kwargs)


def _main(
    objective_f,
    model,
    layer,
    channel_indices,
    alpha=False,
    negative=False,
    decorrelation_matrix=None,
    n_steps=128,
    parallel_transforms=16,
    lr=0.05,
    override_gradients=True,
):
    """Optimize one image per channel index in one batch, at the model's image size.

    alpha: RGBA images composited over random backgrounds, rewarded for transparency and blurred alpha.
    negative: minimize the objective instead. parallel_transforms is accepted and unused, as in the original.
    The redirected ReLU gradient (override_gradients) stays on for all steps.

    As in the original: one channel (an index, or a list of one) gives the pair `(images [1, h, w, c],
    losses [1, n_steps])`; several give a list of pairs `(image [h, w, c], losses [n_steps])`. Losses are each
    image's objective value at every step, negated with `negative=True`. The image is parameterized at
    `param.image(w, h)` and transformed to `crop_or_pad_to(w, h)` with `w, h = model.image_shape[:2]`, the
    original's argument order: the model sees its own image size, and an image for a non-square model comes
    out transposed (h x w), as the original's did.
    """
    name = layer_name(layer)
    if decorrelation_matrix is not None:
        raise NotImplementedError("decorrelation_matrix is not supported; leave it None.")
    channel_indices = [channel_indices] if np.ndim(channel_indices) == 0 else list(channel_indices)
    if not channel_indices:
        raise ValueError("channel_indices is empty: give a channel number or a list of them.")
    batch = len(channel_indices)
    w, h = _image_size(model)
    sign = -1 if negative else 1
    per_image = [sign * objective_f(name, i, batch=b) for b, i in enumerate(channel_indices)]

    with graph_and_session() as (_, sess):
        t_image = param.image(w, h, fft=True, decorrelate=True, alpha=alpha, batch=batch)
        transforms = transform.standard_transforms + [transform.crop_or_pad_to(w, h)]
        if alpha:
            transforms.append(transform.collapse_alpha_random())
        with overrides.relu_overrides() if override_gradients else nullcontext():
            T = render.import_model(model, transform.compose(transforms)(t_image), t_image)
        objective = objectives.Objective.sum(per_image)
        if alpha:
            objective = objective * (lambda T: 1 - tf.reduce_mean(T("input")[..., 3:]))
            objective = objective - 0.1 * objectives.blur_alpha_each_step()
        t_losses = [obj(T) for obj in per_image]
        # No global_step increment: the redirected ReLU gradient stays active for every step.
        train_op = steps.finite_update(tf.compat.v1.train.AdamOptimizer(lr), objective(T))
        lookup = {"loss": tf.stack(t_losses), "vis_op": train_op, "input": t_image}.get
        initialize_variables(sess)
        losses = []
        steps.run_steps(
            sess, lookup, {n_steps - 1}, lambda step, values, image: losses.append(values), on_interrupt="return"
        )
        images = sess.run(t_image)
    losses = np.array(losses, np.float64).T
    if batch == 1:
        return images, losses
    return list(zip(images, losses))


def _image_size(model):
    """`model.image_shape[:2]`, which the original calls (w, h); 224 x 224 when its image_shape leaves them open."""
    w, h = list(model.image_shape)[:2]
    if w is None or h is None:
        log.warning("%s has no fixed image size; rendering at 224 x 224.", model.name)
        return 224, 224
    return int(w), int(h)


def _render(model, objective, batch, image_size, steps, render_kwargs):
    """The final `[batch, size, size, 3]` image of a quiet `render_vis` run."""
    render_kwargs.setdefault("verbose", False)
    images = render.render_vis(
        model, objective, param_f=lambda: param.image(image_size, batch=batch), thresholds=(steps - 1,), **render_kwargs
    )
    return images[-1]


def diversity(
    model, layer, channel_n, n_images=4, strength=1e2, diversity_layer=None, image_size=128, steps=512, **render_kwargs
):
    """`n_images` different images that all raise one channel: `[n_images, size, size, 3]`.

    The batch maximizes `channel(layer, channel_n) - strength * diversity(diversity_layer or layer)`, which
    penalizes images whose activation Gram matrices look alike. Extra kwargs go to `render_vis`.
    """
    if n_images < 2:
        raise ValueError("diversity needs n_images >= 2 to push images apart, got %r." % (n_images,))
    objective = objectives.channel(layer, channel_n) - strength * objectives.diversity(diversity_layer or layer)
    return _render(model, objective, n_images, image_size, steps, render_kwargs)


def interaction(model, unit1, unit2, image_size=128, steps=512, **render_kwargs):
    """How two channels combine: `[3, size, size, 3]` = unit1 alone, unit2 alone, both (`channel + channel`).

    unit1, unit2: (layer, channel) pairs, e.g. ("block5", 17).
    """
    (layer1, n1), (layer2, n2) = unit1, unit2
    objective = (
        objectives.channel(layer1, n1, batch=0)
        + objectives.channel(layer2, n2, batch=1)
        + objectives.channel(layer1, n1, batch=2)
        + objectives.channel(layer2, n2, batch=2)
    )
    return _render(model, objective, 3, image_size, steps, render_kwargs)


def positive_and_negative(model, layer, channel_n, image_size=128, steps=512, **render_kwargs):
    """`[2, size, size, 3]`: an image that raises the channel, and one that lowers it."""
    objective = objectives.channel(layer, channel_n, batch=0) - objectives.channel(layer, channel_n, batch=1)
    return _render(model, objective, 2, image_size, steps, render_kwargs)


def activation_difference(model, layer, images_a, images_b, batch_size=64):
    """The direction from images_b to images_a in `layer`'s activation space: mean activation on `images_a`
    minus mean on `images_b` (over images and positions), a vector with one value per channel."""
    acts_a, acts_b = (activations(model, layer, imgs, batch_size=batch_size) for imgs in (images_a, images_b))
    mean_a, mean_b = (acts.reshape(-1, acts.shape[-1]).mean(0) for acts in (acts_a, acts_b))
    return (mean_a - mean_b).astype(np.float32)


def direction(model, layer, vec, cossim_pow=0, image_size=128, steps=512, **render_kwargs):
    """`[1, size, size, 3]`: an image whose activations in `layer` point along `vec` (one value per channel)."""
    return _render(model, objectives.direction(layer, vec, cossim_pow=cossim_pow), 1, image_size, steps, render_kwargs)
