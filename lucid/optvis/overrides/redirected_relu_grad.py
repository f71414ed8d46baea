"""Redirected ReLU gradients: let gradient reach units that a ReLU has switched off, early in optimization.

Feature visualization starts from a grey image where many ReLUs of a target unit's receptive field can be off,
so the plain gradient is zero and the optimization never starts. For an example whose plain ReLU gradient is all
zero, these gradients also pass the part of the incoming gradient that would push a negative (or, for ReLU6,
saturated) input back into the active range. They act only while the global step is <= 16; after that they are
the plain ReLU gradients, and the redirection is not computed at all (a Switch/Merge pair picks the branch at run
time, so late steps pay nothing for it). As in the original, the plain gradient passes at an input of exactly 0
(and 6, for ReLU6), where TF's own ReluGrad gives 0. The selections are SelectV2 ops, so the gradients also build
where `tf.where` is TF1's (code run through a TF1 compatibility layer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

__all__ = [
    "REDIRECT_STEPS",
    "redirected_relu6_grad",
    "redirected_relu_grad",
]

# The redirection is used for the first 17 optimization steps (global_step 0..16).
REDIRECT_STEPS = 16


def _redirect_is_over(graph):
    """The boolean `global_step > REDIRECT_STEPS`, made once per graph and shared by all ReLU gradients."""
    name = "redirected_relu_grad_is_over"
    try:
        return graph.get_tensor_by_name(name + ":0")
    except KeyError:
        global_step = tf.compat.v1.train.get_or_create_global_step(graph)
        with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
            return tf.greater(global_step, REDIRECT_STEPS, name=name)


def _by_step(op, grad, plain_grad, redirected_grad):
    """The plain gradient after step REDIRECT_STEPS, else the redirected one; only the chosen branch runs."""
    late = _redirect_is_over(op.graph)
    x_early, x_late = tf.raw_ops.Switch(data=op.inputs[0], pred=late)
    grad_early, grad_late = tf.raw_ops.Switch(data=grad, pred=late)
    return tf.raw_ops.Merge(inputs=[plain_grad(x_late, grad_late), redirected_grad(x_early, grad_early)]).output


def _select(condition, t, e):
    """`t` where `condition`, else `e`, broadcasting (SelectV2): one op, whatever `tf.where` is bound to (a TF1
    compatibility layer binds it to TF1's, which does not broadcast)."""
    return tf.raw_ops.SelectV2(condition=condition, t=t, e=e)


def _per_example_select(relu_grad, redirected, zero):
    """Keep the plain gradient for examples where it is non-zero; use the redirected one for the others."""
    if relu_grad.shape.rank is not None and relu_grad.shape.rank < 2:
        raise ValueError("Redirected ReLU gradients need a batch axis, got shape %s." % relu_grad.shape)
    rank = relu_grad.shape.rank
    axes = list(range(1, rank)) if rank is not None else tf.range(1, tf.rank(relu_grad))
    has_gradient = tf.reduce_any(tf.not_equal(relu_grad, zero), axis=axes, keepdims=True)
    return _select(has_gradient, relu_grad, redirected)


# The gradients below select between the incoming gradient and a scalar zero, sharing their comparisons: the
# same values as where(x < 0, zeros_like(grad), grad), in about 15 ops per ReLU instead of 25 (a big model has
# hundreds of ReLUs, and building their gradients was a third of its render's start).


def redirected_relu_grad(op: Any, grad: tf.Tensor, plain_grad: Callable[..., Any] | None = None) -> tf.Tensor:
    """Gradient for "Relu" ops; see the module docstring. `plain_grad(x, grad)`: the late steps' gradient, if
    not the original's where(x < 0, 0, grad) (lucid.optvis.fast passes TF's ReluGrad)."""
    assert op.type == "Relu", "redirected_relu_grad is for Relu ops, got %s" % op.type
    zero = tf.zeros([], grad.dtype)

    def relu_grad(x, grad):
        return _select(x < zero, zero, grad)

    def redirected_grad(x, grad):
        # Optimizers descend: a negative incoming gradient raises x. Keep that part for negative inputs.
        below = x < zero
        redirected = _select(tf.logical_and(below, grad > zero), zero, grad)
        return _per_example_select(_select(below, zero, grad), redirected, zero)

    return _by_step(op, grad, plain_grad or relu_grad, redirected_grad)


def redirected_relu6_grad(op: Any, grad: tf.Tensor, plain_grad: Callable[..., Any] | None = None) -> tf.Tensor:
    """Gradient for "Relu6" ops: as for Relu, and also lets through gradient lowering inputs above 6.
    `plain_grad` as for redirected_relu_grad."""
    assert op.type == "Relu6", "redirected_relu6_grad is for Relu6 ops, got %s" % op.type
    zero, six = tf.zeros([], grad.dtype), tf.constant(6, grad.dtype)

    def relu6_grad(x, grad):
        return _select(tf.logical_or(x < zero, x > six), zero, grad)

    def redirected_grad(x, grad):
        below, above = x < zero, x > six
        blocked = tf.logical_or(tf.logical_and(below, grad > zero), tf.logical_and(above, grad < zero))
        redirected = _select(blocked, zero, grad)
        return _per_example_select(_select(tf.logical_or(below, above), zero, grad), redirected, zero)

    return _by_step(op, grad, plain_grad or relu6_grad, redirected_grad)
