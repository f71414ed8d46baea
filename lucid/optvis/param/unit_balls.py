"""EXPERIMENTAL: parameterizations that keep a tensor inside the unit L2 or L-infinity ball.

The forward pass scales values back into the ball; the custom gradients stop the optimizer from pushing
values that already sit on or outside the boundary further out (radially for L2, per entry for L-infinity).
"""

import logging

import tensorflow as tf

from lucid.optvis.overrides.gradient_override import use_gradient

__all__ = [
    "constrain_L2",
    "constrain_L_inf",
    "constrain_L_inf_precondition",
    "dot",
    "unit_ball_L2",
    "unit_ball_L_inf",
    "use_gradient",
]

log = logging.getLogger(__name__)


def dot(a, b):
    """Sum of the elementwise product of `a` and `b`."""
    return tf.reduce_sum(a * b)


def _constrain_L2_grad(op, grad):
    """Outside the ball, drop the gradient's outward radial component; elsewhere pass it through."""
    x = op.inputs[0]
    x_norm = tf.norm(x)
    radial = x / x_norm
    outward = dot(radial, grad)
    clip = tf.logical_and(x_norm > 1, outward > 0)
    return tf.cond(clip, lambda: grad - radial * outward, lambda: grad)


@use_gradient(_constrain_L2_grad)
def constrain_L2(x):
    """`x` scaled into the unit L2 ball (unchanged if already inside)."""
    return x / tf.maximum(1.0, tf.norm(x))


def unit_ball_L2(shape):
    """A zero-initialized variable of `shape`, constrained to the unit L2 ball."""
    return constrain_L2(tf.Variable(tf.zeros(shape)))


def _constrain_L_inf_grad(precondition=True):
    """Gradient for `constrain_L_inf`: zero where |x| >= 1 and the gradient points outward (x * grad > 0).

    With `precondition`, the gradient is replaced by its sign first.
    """

    def grad_f(op, grad):
        x = op.inputs[0]
        if precondition:
            grad = tf.sign(grad)
        blocked = tf.logical_and(tf.abs(x) >= 1, x * grad > 0)
        return tf.compat.v1.where(blocked, tf.zeros_like(grad), grad)

    return grad_f


@use_gradient(_constrain_L_inf_grad(precondition=True))
def constrain_L_inf_precondition(x):
    """`x` clipped into [-1, 1] per entry, back-propagating the sign of the gradient."""
    return x / tf.maximum(1.0, tf.abs(x))


@use_gradient(_constrain_L_inf_grad(precondition=False))
def constrain_L_inf(x):
    """`x` clipped into [-1, 1] per entry."""
    return x / tf.maximum(1.0, tf.abs(x))


def unit_ball_L_inf(shape, precondition=True):
    """A zero-initialized variable of `shape`, constrained to the unit L-infinity ball."""
    x = tf.Variable(tf.zeros(shape))
    if precondition:
        return constrain_L_inf_precondition(x)
    return constrain_L_inf(x)
