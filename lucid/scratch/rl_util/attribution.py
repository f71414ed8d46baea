"""Gradients and attributions of a layer with respect to an earlier layer (or the observations), as in
"Understanding RL Vision": plain and integrated gradients, and attribution integrated along several paths that
switch NMF features on in different orders."""

import itertools

import numpy as np
import tensorflow as tf

from lucid.misc.gradient_override import gradient_override_map
from lucid.optvis import render
from lucid.optvis.overrides.smoothed_maxpool_grad import l2_smoothed_maxpool_grad


def maxpool_override():
    """Gradient override map sending MaxPool gradients through a smooth stand-in: the L2-weighted average pool
    avg_pool(x^2) / (0.01 + avg_pool(|x|)) (smoother attribution than the arg-max route)."""
    return {"MaxPool": l2_smoothed_maxpool_grad}


def _import(model, obses):
    """(observations tensor, T) of `model` imported on a float32 copy of the batch `obses`."""
    t_obses = tf.compat.v1.placeholder_with_default(obses.astype(np.float32), (None, None, None, None))
    return t_obses, render.import_model(model, t_obses, t_obses)


def get_acts(model, layer_name, obses):
    """The activations of `layer_name` on the batch of observations `obses`."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        _, T = _import(model, obses)
        return sess.run(T(layer_name))


def default_score_fn(t):
    """One score per example: the sum of `t` over all but its first (batch) axis."""
    return tf.reduce_sum(t, axis=list(range(len(t.shape)))[1:])


def _score_grad(model, layer_name, prev_layer_name, obses, act_dir, act_poses, score_fn):
    """(earlier layer tensor, gradient of the summed score) in the current graph; see get_grad_or_attr."""
    t_obses, T = _import(model, obses)
    t_acts = T(layer_name)
    t_acts_prev = t_obses if prev_layer_name is None else T(prev_layer_name)
    if act_dir is not None:
        t_acts = act_dir[None, None, None] * t_acts
    if act_poses is not None:
        t_acts = tf.gather_nd(t_acts, tf.concat([tf.range(obses.shape[0])[..., None], act_poses], axis=-1))
    t_scores = score_fn(t_acts)
    if len(t_scores.shape) < 1:
        raise ValueError("score_fn must keep the batch axis: one score per observation.")
    t_grad = tf.gradients(tf.reduce_sum(t_scores), [t_acts_prev])[0]
    if t_grad is None:
        raise ValueError("%s does not depend on %s: no gradient." % (layer_name, t_acts_prev.name))
    return t_acts_prev, t_grad


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
    """Gradient ("grad") or attribution ("attr": activation times gradient) of the score of `layer_name` with
    respect to `prev_layer_name` (the observations if None), shaped like that earlier layer.

    The score is `score_fn` of the layer's activations, first multiplied by `act_dir` (weights over its channels)
    and taken at `act_poses` ([n, 2] positions (h, w), one per observation) when given. `override` is a gradient
    override map (e.g. `maxpool_override()`); `integrate_steps` > 1 averages the gradient over the earlier layer's
    activations scaled by 1/steps, 2/steps, ..., 1 (integrated gradients).
    """
    if grad_or_attr not in ("grad", "attr"):
        raise ValueError("grad_or_attr must be 'grad' or 'attr', got %r." % (grad_or_attr,))
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        with gradient_override_map(override or {}):
            t_acts_prev, t_grad = _score_grad(model, layer_name, prev_layer_name, obses, act_dir, act_poses, score_fn)
        acts_prev = sess.run(t_acts_prev)
        if integrate_steps > 1:
            alphas = np.linspace(0, 1, integrate_steps + 1)[1:]
            grad = sum(sess.run(t_grad, {t_acts_prev: acts_prev * alpha}) for alpha in alphas) / integrate_steps
        else:
            grad = sess.run(t_grad)
    return grad if grad_or_attr == "grad" else acts_prev * grad


def get_attr(model, layer_name, prev_layer_name, obses, **kwargs):
    """Attribution (activation times gradient) of `layer_name`'s score to `prev_layer_name`."""
    kwargs["grad_or_attr"] = "attr"
    return get_grad_or_attr(model, layer_name, prev_layer_name, obses, **kwargs)


def get_grad(model, layer_name, obses, **kwargs):
    """Gradient of `layer_name`'s score with respect to the observations (a saliency map per observation)."""
    kwargs["grad_or_attr"] = "grad"
    return get_grad_or_attr(model, layer_name, None, obses, **kwargs)


def get_paths(acts, nmf, *, max_paths, integrate_steps):
    """The integration paths of multi-path attribution (a generator of lists of `integrate_steps` arrays shaped
    like `acts`), for `nmf` a LayerNMF of the layer.

    Each path splits the NMF features in two halves (every split once; with an even number of features, the
    splits holding feature 0) and, as alpha runs over 1/steps .. 1, turns one half on late (alpha^2) and the other
    early (1 - (1 - alpha)^2), then the other way round. The part of `acts` NMF does not
    explain grows linearly. With `max_paths`, (max_paths + 1) // 2 splits are drawn with np.random.choice and, for
    an odd max_paths, the last split's direction is drawn too.
    """
    acts_reduced = nmf.transform(acts)
    residual = acts - nmf.inverse_transform(acts_reduced)
    combs = itertools.combinations(range(nmf.features), nmf.features // 2)
    if nmf.features % 2 == 0:
        combs = np.array([comb for comb in combs if 0 in comb])
    else:
        combs = np.array(list(combs))
    if max_paths is None:
        splits = combs
    else:
        num_splits = min((max_paths + 1) // 2, combs.shape[0])
        splits = combs[np.random.choice(combs.shape[0], size=num_splits, replace=False), :]
    alphas = np.linspace(0, 1, integrate_steps + 1)[1:]
    for i, split in enumerate(splits):
        half = np.zeros(nmf.features)
        half[split] = 1.0
        half = half[(None,) * (acts_reduced.ndim - 1)]
        directions = [False, True]
        if max_paths is not None and i * 2 + 1 == max_paths:
            directions = [np.random.choice(directions)]
        for reverse in directions:
            slow, fast = (1.0 - half, half) if reverse else (half, 1.0 - half)
            yield [
                nmf.inverse_transform(acts_reduced * (slow * a**2 + fast * (1.0 - (1.0 - a) ** 2))) + residual * a
                for a in alphas
            ]


def get_multi_path_attr(
    model,
    layer_name,
    prev_layer_name,
    obses,
    prev_nmf,
    *,
    act_dir=None,
    act_poses=None,
    score_fn=default_score_fn,
    override=None,
    max_paths=50,
    integrate_steps=10,
):
    """Attribution of `layer_name`'s score to `prev_layer_name`, shaped like that layer: the gradient integrated
    along each path of `get_paths` (sum of step times gradient at the step's end), averaged over the paths."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        with gradient_override_map(override or {}):
            t_acts_prev, t_grad = _score_grad(model, layer_name, prev_layer_name, obses, act_dir, act_poses, score_fn)
        acts_prev = sess.run(t_acts_prev)
        total, count = 0, 0
        for path in get_paths(acts_prev, prev_nmf, max_paths=max_paths, integrate_steps=integrate_steps):
            starts = [np.zeros_like(acts_prev)] + path[:-1]
            total += sum((end - start) * sess.run(t_grad, {t_acts_prev: end}) for start, end in zip(starts, path))
            count += 1
        return total / count
