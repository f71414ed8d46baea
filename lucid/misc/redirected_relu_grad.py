"""Redirected ReLU gradients: let gradient reach units that a ReLU has switched off, early in optimization.

Feature visualization starts from a grey image where many ReLUs of a target unit's receptive field can be off,
so the plain gradient is zero and the optimization never starts. For an example whose plain ReLU gradient is all
zero, these gradients also pass the part of the incoming gradient that would push a negative (or, for ReLU6,
saturated) input back into the active range. They act only while the global step is <= 16; after that they are
TF's own ReLU gradients, and the redirection is not computed at all (a Switch/Merge pair picks the branch at run
time, so late steps pay nothing for it).
"""
import tensorflow as tf

# The redirection is used for the first 17 optimization steps (global_step 0..16).
REDIRECT_STEPS = 16


def _by_step(op, grad, standard_grad, redirected_grad):
    """TF's gradient after step REDIRECT_STEPS, else the redirected one; only the chosen branch runs."""
    global_step = tf.compat.v1.train.get_or_create_global_step(op.graph)
    late = global_step > REDIRECT_STEPS
    x_early, x_late = tf.raw_ops.Switch(data=op.inputs[0], pred=late)
    grad_early, grad_late = tf.raw_ops.Switch(data=grad, pred=late)
    y_late = tf.raw_ops.Switch(data=op.outputs[0], pred=late)[1]
    return tf.raw_ops.Merge(inputs=[standard_grad(grad_late, y_late), redirected_grad(x_early, grad_early)]).output


def _per_example_select(relu_grad, redirected):
    """Keep the plain gradient for examples where it is non-zero; use the redirected one for the others."""
    batch = tf.shape(relu_grad)[0]
    assert_rank = tf.debugging.Assert(tf.rank(relu_grad) > 1, ["redirected ReLU gradients need a batch axis"])
    with tf.control_dependencies([assert_rank]):
        magnitude = tf.norm(tf.reshape(relu_grad, [batch, -1]), axis=1)
    # v1 `where` with a rank-1 condition selects whole rows, which TF2 `tf.where` would broadcast wrongly.
    return tf.compat.v1.where(magnitude > 0, relu_grad, redirected)


def redirected_relu_grad(op, grad):
    """Gradient for "Relu" ops; see the module docstring."""
    assert op.type == "Relu", "redirected_relu_grad is for Relu ops, got %s" % op.type

    def redirected_grad(x, grad):
        zeros = tf.zeros_like(grad)
        relu_grad = tf.compat.v1.where(x < 0.0, zeros, grad)
        # Optimizers descend: a negative incoming gradient raises x. Keep that part for negative inputs.
        redirected = tf.compat.v1.where(tf.logical_and(x < 0.0, grad > 0.0), zeros, grad)
        return _per_example_select(relu_grad, redirected)

    def standard_grad(grad, y):
        return tf.raw_ops.ReluGrad(gradients=grad, features=y)

    return _by_step(op, grad, standard_grad, redirected_grad)


def redirected_relu6_grad(op, grad):
    """Gradient for "Relu6" ops: as for Relu, and also lets through gradient lowering inputs above 6."""
    assert op.type == "Relu6", "redirected_relu6_grad is for Relu6 ops, got %s" % op.type

    def redirected_grad(x, grad):
        zeros = tf.zeros_like(grad)
        relu_grad = tf.compat.v1.where(tf.logical_or(x < 0.0, x > 6.0), zeros, grad)
        blocked = tf.logical_or(tf.logical_and(x < 0.0, grad > 0.0), tf.logical_and(x > 6.0, grad < 0.0))
        redirected = tf.compat.v1.where(blocked, zeros, grad)
        return _per_example_select(relu_grad, redirected)

    def standard_grad(grad, y):
        return tf.raw_ops.Relu6Grad(gradients=grad, features=y)

    return _by_step(op, grad, standard_grad, redirected_grad)
