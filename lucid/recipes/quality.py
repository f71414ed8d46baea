"""How good are feature visualizations? Two measures for class renders, and a benchmark over parameterizations.

- `robust_accuracy`: the fraction of random crops-and-rescales of each render (views the optimization never
  used) that the model classifies as the target class.
- `activation_ratio`: the unit's activation on each render divided by its highest activation on a set of
  natural images (>1: the render excites the unit more than any of those images).

    results = benchmark(models.EfficientNetLite0(), [949, 985], natural_images, steps=256)
"""

import logging
import time

import numpy as np
import tensorflow as tf

from lucid.misc.ndimage_utils import resize
from lucid.optvis import objectives, param, render

__all__ = [
    "activation_ratio",
    "benchmark",
    "channel_activations",
    "natural_crops",
    "parameterizations",
    "random_views",
    "render_classes",
    "robust_accuracy",
]

log = logging.getLogger(__name__)


def _check_batch(images, what):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] != 3 or len(images) == 0:
        raise ValueError(
            "%s must be a non-empty batch of RGB images [N, H, W, 3], got shape %s." % (what, images.shape)
        )
    return images


def _model_side(model):
    """The model's (square) input side; 224 when its image_shape leaves it open."""
    height = list(model.image_shape)[0]
    return 224 if height is None else int(height)


def random_views(image, n_views, crop_range=(0.7, 0.95), scale_range=(0.8, 1.25), size=224, rng=None):
    """`n_views` views of `image` [H, W, 3]: a random square crop (side a fraction `crop_range` of the short
    side, anywhere in the image) rescaled to `size` times a factor from `scale_range`. A list of arrays."""
    rng = np.random.RandomState(0) if rng is None else rng
    h, w = image.shape[:2]
    views = []
    for _ in range(n_views):
        side = max(2, int(rng.uniform(*crop_range) * min(h, w)))
        top, left = rng.randint(0, h - side + 1), rng.randint(0, w - side + 1)
        out = max(8, int(size * rng.uniform(*scale_range)))
        views.append(resize(image[top : top + side, left : left + side], out, order=1))
    return views


class _Evaluator:
    """The model imported once, evaluating one layer on images of any size."""

    def __init__(self, model, layer):
        self._graph = tf.Graph()
        with self._graph.as_default():
            self._input = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
            self._layer = model.import_graph(self._input)(layer)
        self._sess = tf.compat.v1.Session(graph=self._graph)

    def __call__(self, images):
        return self._sess.run(self._layer, {self._input: images})

    def close(self):
        self._sess.close()


def robust_accuracy(model, images, targets, n_views=16, logits_layer="logits", seed=0, **view_kwargs):
    """For each image, the fraction of `n_views` random views (see `random_views`) classified as its target.

    targets: one class index per image. Returns an array [N] of fractions in [0, 1].
    """
    images = _check_batch(images, "images")
    targets = np.asarray(targets)
    if targets.shape != (len(images),):
        raise ValueError(
            "targets needs one class index per image: %d images, targets of shape %s." % (len(images), targets.shape)
        )
    view_kwargs.setdefault("size", _model_side(model))
    rng = np.random.RandomState(seed)
    evaluate = _Evaluator(model, logits_layer)
    try:
        fractions = []
        for image, target in zip(images, targets):
            views = random_views(image, n_views, rng=rng, **view_kwargs)
            hits = [int(np.argmax(evaluate(view[None]).reshape(-1))) == int(target) for view in views]
            fractions.append(np.mean(hits))
    finally:
        evaluate.close()
    return np.array(fractions)


def channel_activations(model, images, layer, batch_size=32):
    """Every channel's activation per image (spatial mean for conv layers), images resized to the model's input
    size: an array [N, C]."""
    images = resize(_check_batch(images, "images"), _model_side(model), order=1)
    evaluate = _Evaluator(model, layer)
    try:
        acts = np.concatenate([evaluate(images[i : i + batch_size]) for i in range(0, len(images), batch_size)])
    finally:
        evaluate.close()
    return acts.reshape(len(images), -1, acts.shape[-1]).mean(1)


def activation_ratio(model, images, layer, channels, natural_images, batch_size=32):
    """Each image's activation of its unit (`channels[i]` of `layer`) divided by that unit's highest activation
    over `natural_images`: an array [N]. `channels` may be one channel for all images."""
    images = _check_batch(images, "images")
    channels = np.broadcast_to(np.asarray(channels, dtype=int), (len(images),))
    reached = channel_activations(model, images, layer, batch_size)[np.arange(len(images)), channels]
    best_natural = channel_activations(model, natural_images, layer, batch_size).max(0)[channels]
    if np.any(best_natural <= 0):
        silent = sorted({int(c) for c in channels[best_natural <= 0]})
        raise ValueError(
            "Units %s of %r never activate positively on the natural images, so no ratio can be formed; "
            "use more or other natural images." % (silent, layer)
        )
    return reached / best_natural


def natural_crops(photos, n_crops=64, size=224, seed=0):
    """`n_crops` random square crops (side 40-100% of the short side) of `photos` ([H, W, 3] arrays in [0, 1]),
    resized to `size`: a natural-image set [n_crops, size, size, 3] for `activation_ratio`."""
    rng = np.random.RandomState(seed)
    crops = []
    for i in range(n_crops):
        photo = np.asarray(photos[i % len(photos)], dtype=np.float32)
        crops.extend(random_views(photo, 1, crop_range=(0.4, 1.0), scale_range=(1.0, 1.0), size=size, rng=rng))
    return np.stack(crops)


def parameterizations(image_size=128, maco_size=224, maco_lr=param.MACO_LEARNING_RATE):
    """The setups `benchmark` compares by default: name -> (param_f(batch), transforms, optimizer_f).

    "default": `param.image` (Fourier + decorrelated colour) with the standard transforms; "pixel": raw pixels,
    no decorrelation, standard transforms; "maco": `param.maco` with `maco_transforms` and Adam at `maco_lr`.
    """
    adam = tf.compat.v1.train.AdamOptimizer
    return {
        "default": (lambda batch: param.image(image_size, batch=batch), None, lambda: adam(0.05)),
        "pixel": (
            lambda batch: param.image(image_size, batch=batch, fft=False, decorrelate=False),
            None,
            lambda: adam(0.05),
        ),
        "maco": (
            lambda batch: param.maco(maco_size, batch=batch),
            param.maco_transforms(maco_size),
            lambda: adam(maco_lr),
        ),
    }


def render_classes(model, classes, param_f, transforms=None, optimizer_f=None, steps=256, logits_layer="logits"):
    """One `class_logit` render per class, optimized together in one batch: RGB images [len(classes), h, w, 3]."""
    objective = objectives.Objective.sum(
        [objectives.class_logit(logits_layer, int(c), batch=i) for i, c in enumerate(classes)]
    )
    images = render.render_vis(
        model,
        objective,
        param_f=lambda: param_f(len(classes)),
        transforms=transforms,
        optimizer=optimizer_f,
        thresholds=(steps - 1,),
        verbose=False,
    )
    return images[-1][..., :3]


def benchmark(model, classes, natural_images, setups=None, steps=256, n_views=16, logits_layer="logits"):
    """Render every class with each setup (default `parameterizations()`) and measure the renders.

    Returns {name: {"accuracy": mean robust_accuracy, "ratio": mean activation_ratio, "per_class_accuracy",
    "per_class_ratio", "seconds", "images"}}.
    """
    setups = parameterizations() if setups is None else setups
    results = {}
    for name, (param_f, transforms, optimizer_f) in setups.items():
        start = time.time()
        images = render_classes(model, classes, param_f, transforms, optimizer_f, steps, logits_layer)
        seconds = time.time() - start
        accuracy = robust_accuracy(model, images, classes, n_views=n_views, logits_layer=logits_layer)
        ratio = activation_ratio(model, images, logits_layer, classes, natural_images)
        results[name] = {
            "accuracy": float(accuracy.mean()),
            "ratio": float(ratio.mean()),
            "per_class_accuracy": accuracy,
            "per_class_ratio": ratio,
            "seconds": seconds,
            "images": images,
        }
        log.info("%s: accuracy %.2f, ratio %.2f (%.0f s)", name, accuracy.mean(), ratio.mean(), seconds)
    return results
