"""Gradients and attributions of a layer with respect to an earlier layer (or the observations), as in
"Understanding RL Vision": plain and integrated gradients, and attribution split over NMF features ("paths")."""

import numpy as np
import tensorflow as tf

from lucid.optvis.overrides.gradient_override import gradient_override_map
from lucid.optvis.overrides.smoothed_maxpool_grad import avg_smoothed_maxpool_grad


def maxpool_override():
    """Gradient override map sending MaxPool gradients through the whole pooling window (smoother attribution)."""
    return {"MaxPool": avg_smoothed_maxpool_grad}


def _import(model, obses):
    obses = np.asarray(obses, dtype=np.float32)
    if obses.ndim != 4:
        raise ValueError("obses must be a batch of images [n, h, w, c], got shape %s." % (obses.shape,))
    t_obses = tf.compat.v1.placeholder_with_default(obses, [None, None, None, obses.shape[-1]])
    return t_obses, model.import_graph(t_obses)


def get_acts(model, layer_name, obses):
    """The activations of `layer_name` on the batch of observations `obses` (images in [0, 1])."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        _, T = _import(model, obses)
        return sess.run(T(layer_name))


def default_score_fn(t):
    """One score per example: the sum of `t` over all but its first (batch) axis."""
    return tf.reduce_sum(t, axis=list(range(1, len(t.shape))))


def _score_grad(T, layer_name, t_prev, n, act_dir, act_poses, score_fn):
    """The gradient tensor of the (projected, positioned) score of `layer_name` with respect to `t_prev`."""
    t_acts = T(layer_name)
    if act_dir is not None:
        t_acts = tf.tensordot(t_acts, tf.constant(np.asarray(act_dir, np.float32)), axes=[[-1], [0]])
    if act_poses is not None:
        t_acts = tf.gather_nd(t_acts, np.concatenate([np.arange(n)[:, None], np.asarray(act_poses)], axis=-1))
    t_grad = tf.gradients(score_fn(t_acts), [t_prev])[0]
    if t_grad is None:
        raise ValueError("%s does not depend on %s: no gradient." % (layer_name, t_prev.name))
    return t_grad


def get_grad_or_attr(
    model,
    layer_name,
    prev_layer_name,
    obses,
    *,
    act_dir=None,
    act_poses=None,
    score_fn=default_score_fn,
    grad_or_attr,
    override=None,
    integrate_steps=1,
):
    """Gradient ("grad") or attribution ("attr": gradient times activation) of the score of `layer_name` with respect
    to `prev_layer_name` (the observations if None), one value per element of that earlier layer.

    The score is `score_fn` of the layer's activations, first projected on `act_dir` (a vector over its channels) and
    taken at `act_poses` ([n, 2] positions (h, w), one per observation) when given. `override` is a gradient
    override map (e.g. `maxpool_override()`); `integrate_steps` > 1 averages the gradient over the earlier layer's
    activations scaled by 1/steps, 2/steps, ..., 1 (integrated gradients).
    """
    if grad_or_attr not in ("grad", "attr"):
        raise ValueError("grad_or_attr must be 'grad' or 'attr', got %r." % (grad_or_attr,))
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        with gradient_override_map(override or {}):
            t_obses, T = _import(model, obses)
        t_prev = t_obses if prev_layer_name is None else T(prev_layer_name)
        t_grad = _score_grad(T, layer_name, t_prev, len(obses), act_dir, act_poses, score_fn)
        prev = sess.run(t_prev)
        steps = [(i + 1) / integrate_steps for i in range(integrate_steps)]
        grad = np.mean([sess.run(t_grad, {t_prev: prev * alpha}) for alpha in steps], axis=0)
    return grad if grad_or_attr == "grad" else prev * grad


def get_attr(model, layer_name, prev_layer_name, obses, **kwargs):
    """Attribution (integrated gradient times activation) of `layer_name`'s score to `prev_layer_name`."""
    return get_grad_or_attr(model, layer_name, prev_layer_name, obses, grad_or_attr="attr", **kwargs)


def get_grad(model, layer_name, obses, **kwargs):
    """Gradient of `layer_name`'s score with respect to the observations (a saliency map per observation)."""
    return get_grad_or_attr(model, layer_name, None, obses, grad_or_attr="grad", **kwargs)


def get_paths(acts, nmf, max_paths, integrate_steps):
    """The integration paths of multi-path attribution, one per NMF feature of `acts` (at most `max_paths`, those
    explaining the most activation): a list of (feature, part, points) where `part` is the feature's share of
    `acts` (factor times direction) and `points` [integrate_steps, *acts.shape] runs from `acts` without that share
    to `acts`. `nmf` is a fitted ChannelReducer (or LayerNMF's reducer) of the layer."""
    factors = nmf.transform(np.maximum(acts, 0))
    parts = factors[..., :, None] * nmf.components[None, None, None]  # [n, h, w, features, channels]
    parts = np.moveaxis(parts, -2, 0)
    strength = np.abs(parts).reshape(len(parts), -1).sum(axis=1)
    chosen = np.argsort(-strength, kind="stable")[:max_paths]
    alphas = (np.arange(integrate_steps) + 1.0) / integrate_steps
    return [(f, parts[f], acts[None] - (1 - alphas)[:, None, None, None, None] * parts[f][None]) for f in chosen]


def get_multi_path_attr(
    model,
    layer_name,
    prev_layer_name,
    obses,
    prev_nmf,
    act_dir=None,
    act_poses=None,
    score_fn=default_score_fn,
    override=None,
    max_paths=50,
    integrate_steps=10,
):
    """Attribution of `layer_name`'s score to each NMF feature of `prev_layer_name` ([n, h, w, features]).

    For each feature, the gradient is integrated along the path that adds that feature's share of the activations
    (see get_paths) and multiplied with the share, summed over channels. Features beyond `max_paths` get 0.
    """
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        with gradient_override_map(override or {}):
            _, T = _import(model, obses)
        t_prev = T(prev_layer_name)
        t_grad = _score_grad(T, layer_name, t_prev, len(obses), act_dir, act_poses, score_fn)
        acts = sess.run(t_prev)
        attr = np.zeros(acts.shape[:-1] + (prev_nmf.components.shape[0],), dtype=np.float32)
        for feature, part, points in get_paths(acts, prev_nmf, max_paths, integrate_steps):
            grad = np.mean([sess.run(t_grad, {t_prev: point}) for point in points], axis=0)
            attr[..., feature] = (grad * part).sum(axis=-1)
    return attr
