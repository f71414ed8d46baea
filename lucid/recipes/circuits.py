"""Expanded weights: how strongly each unit of one layer drives a unit of a later layer through the model.

    weights, linear = expanded_weights(model, "block4", "block5", channels=[0, 1])
    weights[i, y, x, c]    # the weight from block4's unit c at (y, x) into block5's unit channels[i] at its centre

As in the Circuits thread's "Visualizing Weights": the gradient of the target unit at the centre position with
respect to the source layer's activations, back-propagated with ReLU / ReLU6 taken as the identity and max-pooling
as average pooling. On a path of convolutions, pooling, batch norm and additions that gradient is the same for any
input: it is the product of the weights in between. A path that multiplies activations together (squeeze-excite,
attention) has no such weights; there the result is the mean gradient over `images`, and `linear` is False, so
that pages can say so. A target without spatial dimensions (logits) is taken whole.
"""

import numpy as np
import tensorflow as tf

from lucid.optvis.overrides import avg_smoothed_maxpool_grad, gradient_override_map, identity_grad

__all__ = [
    "LINEAR_PATH_GRADIENTS",
    "LINEARITY_TOLERANCE",
    "expanded_weights",
    "strongest",
]

LINEAR_PATH_GRADIENTS = {"Relu": identity_grad, "Relu6": identity_grad, "MaxPool": avg_smoothed_maxpool_grad}
LINEARITY_TOLERANCE = 1e-4  # relative difference between two inputs' gradients above which a path is not linear


def expanded_weights(model, source, target, channels=None, images=None, size=None, batch_size=32):
    """The expanded weights from the layer `source` (a name, or a list of names) into `channels` of `target`.

    Args:
      model: a lucid Model.
      source: the earlier layer, or a list of them (one result each, from the same backward passes).
      target: the later layer: a conv layer (its centre position is used) or logits.
      channels: the target's channels (default: all).
      images: `[N, H, W, 3]` images in the model's [0, 1] range to average the gradient over where the path is not
        linear (default: 4 random images).
      size: the image size (default: the model's own).
      batch_size: target channels per backward pass.

    Returns `(weights, linear)`: `weights` `[len(channels), height, width, source channels]` (a list of such arrays
    for a list of sources) and whether the path was found linear (then the gradient of any input is the answer).
    """
    sources = [source] if isinstance(source, str) else list(source)
    if not sources or not all(isinstance(name, str) for name in sources) or not isinstance(target, str):
        raise TypeError("source and target must be layer names (source may be a list of them).")
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1, got %d." % batch_size)
    size = int(size or (model.image_shape[0] if getattr(model, "image_shape", None) else 224))
    noise = np.random.RandomState(0).uniform(size=(4, size, size, 3)).astype(np.float32)
    images = noise if images is None else np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[1:] != (size, size, 3):
        raise ValueError("images must be [N, %d, %d, 3] in [0, 1], got shape %s." % (size, size, images.shape))
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, size, size, 3])
        with gradient_override_map(LINEAR_PATH_GRADIENTS):
            T = model.import_graph(t_input, forget_xy_shape=False)
        t_target = T(target)  # a KeyError naming close layer names for a wrong name
        if t_target.shape.rank == 4:
            t_target = t_target[:, int(t_target.shape[1]) // 2, int(t_target.shape[2]) // 2, :]
        elif t_target.shape.rank != 2:
            raise ValueError("The target %r must be a conv layer or logits, not shaped %s." % (target, t_target.shape))
        depth = int(t_target.shape[1])
        channels = list(range(depth)) if channels is None else [int(c) for c in channels]
        if any(not 0 <= c < depth for c in channels):
            raise ValueError("channels of %r run from 0 to %d; got %s." % (target, depth - 1, channels))
        t_select = tf.compat.v1.placeholder(tf.float32, [None, depth])
        t_sources = [T(name) for name in sources]
        gradients = tf.gradients(tf.reduce_sum(t_target * t_select), t_sources)
        if any(gradient is None for gradient in gradients):
            raise ValueError("%r does not depend on %s: choose a source layer before the target." % (target, sources))

        def mean_gradient(chosen, over):
            select = np.eye(depth, dtype=np.float32)[chosen]
            sums = [0.0] * len(sources)
            for image in over:
                batch = np.repeat(image[None], len(chosen), axis=0)
                values = sess.run(gradients, {t_input: batch, t_select: select})
                sums = [total + value for total, value in zip(sums, values)]
            return [total / len(over) for total in sums]

        first = channels[:batch_size]
        one, other = mean_gradient(first, noise[:1]), mean_gradient(first, noise[1:2])
        scale = max(float(np.abs(value).max()) for value in one) or 1.0
        linear = all(np.abs(a - b).max() <= LINEARITY_TOLERANCE * scale for a, b in zip(one, other))
        over = noise[:1] if linear else images
        parts = [one if linear else mean_gradient(first, over)]
        rest = range(batch_size, len(channels), batch_size)
        parts += [mean_gradient(channels[i : i + batch_size], over) for i in rest]
    weights = [np.concatenate([part[index] for part in parts]) for index in range(len(sources))]
    return (weights[0] if isinstance(source, str) else weights), linear


def strongest(weights, k=8):
    """`(positive, negative)`: the indices of the k largest positive and the k most negative of `weights` (1-D),
    strongest first; a side holds only weights of its sign."""
    weights = np.asarray(weights)
    order = np.argsort(-weights, kind="stable")
    positive = [int(i) for i in order[:k] if weights[i] > 0]
    negative = [int(i) for i in order[::-1][:k] if weights[i] < 0]
    return positive, negative
