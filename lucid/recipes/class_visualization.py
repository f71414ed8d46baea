"""The library's class visualization: what a classifier takes for a class, rendered so that the model still sees
that class in views of the image the optimization never used.

    image = class_visualization(model, "daisy")            # [128, 128, 3] in [0, 1]
    images = class_visualization(model, [985, "goldfish"])  # [2, 128, 128, 3], optimized together

A `param.maco` image (natural Fourier magnitudes, only the phase optimized) optimized for the class logit, as
MACO, with these changes (measured on the embedded EfficientNet-Lite0 with benchmarks/bench_class_recipe.py):
each step the model sees `views` (2) independent random crops of every image, each flipped left-right at random,
so the image must show the class in any crop, not in the one it happens to get; at twice MACO's model evaluations.
The class's log-softmax instead of its logit (`log_softmax=True`) scored worse (top-1 0.68 against MACO's 0.88,
8 classes, 96 steps). At 96 steps it beats MACO (16 classes: 0.815 against 0.706); at MACO's 256 steps it does not
within twice MACO's time (16 classes, 128 px: 2 views x 192 steps 0.867 against 0.863 on 2 paired seeds at 4.2x the
time under load 22; 2 views x 224 steps 0.875 against 0.859, 1 seed, 2.06x at load 14), so the Microscope's class
pages use plain MACO.
"""

import numpy as np
import tensorflow as tf

from lucid.modelzoo.labels import label_index
from lucid.optvis import param, render
from lucid.optvis.checks import validate_size

__all__ = ["class_visualization", "class_objective", "class_transforms"]


def class_objective(classes, layer="logits", log_softmax=False):
    """Objective for a batch of `len(classes)` images, or copies of that batch one after the other: the sum over
    images of each image's class logit at `layer` (its log-softmax with `log_softmax=True`)."""
    classes = [int(c) for c in classes]

    def inner(T):
        logits = T(layer)
        scores = tf.nn.log_softmax(logits) if log_softmax else logits
        per_view = tf.reshape(scores, [-1, len(classes), tf.shape(scores)[-1]])
        return tf.reduce_sum(per_view * tf.one_hot(classes, tf.shape(scores)[-1], dtype=scores.dtype))

    return inner


def class_transforms(views=1, box_size=(0.25, 0.6), flip=True, noise=0.05):
    """Transforms for `class_visualization`: the batch tiled `views` times, then MACO's random crop and noise per
    copy (`param.maco_transforms`), then a random left-right flip per copy."""
    views = validate_size(views, "views")

    def tile(t_image):
        return tf.tile(t_image, [views, 1, 1, 1]) if views > 1 else t_image

    def random_flip(t_image):
        return tf.map_fn(tf.image.random_flip_left_right, t_image) if flip else t_image

    return [tile] + param.maco_transforms(box_size=box_size, noise=noise) + [random_flip]


def class_visualization(
    model,
    labels,
    size=128,
    steps=256,
    views=1,
    box_size=(0.25, 0.6),
    flip=True,
    log_softmax=False,
    learning_rate=param.MACO_LEARNING_RATE,
    layer="logits",
    use_fixed_seed=False,
):
    """Render class `labels` (an index, a label name such as "daisy", or a list of them, rendered together).

    Returns one RGB image [size, size, 3] for one label, [len(labels), size, size, 3] for a list. The cost grows
    with steps * views * len(labels); see the module docstring for what each setting changes.
    """
    single = not isinstance(labels, (list, tuple, np.ndarray))
    names = [labels] if single else list(labels)
    if not names:
        raise ValueError("class_visualization needs at least one label (a class index or name).")
    classes = [_class_index(model, label) for label in names]
    steps = validate_size(steps, "steps")
    images = render.render_vis(
        model,
        class_objective(classes, layer, log_softmax),
        param_f=lambda: param.maco(size, batch=len(classes)),
        transforms=class_transforms(views, box_size, flip),
        optimizer=lambda: tf.compat.v1.train.AdamOptimizer(learning_rate),
        thresholds=(steps - 1,),
        verbose=False,
        use_fixed_seed=use_fixed_seed,
    )[-1]
    return images[0] if single else images


def _class_index(model, label):
    """The class index of `label` (an int, negative from the end, or a name among `model.labels`)."""
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        n = len(model.labels) if getattr(model, "labels", None) else None
        if n is not None and not -n <= label < n:
            raise ValueError("Class index %d is out of range for a model with %d classes." % (label, n))
        return int(label) % n if n else int(label)
    if isinstance(label, str):
        return label_index(getattr(model, "labels", None), label)
    raise TypeError("A class is an int index or a label name, got %r (type %s)." % (label, type(label).__name__))
