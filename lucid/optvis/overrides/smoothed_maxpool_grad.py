"""MaxPool gradients that spread over the pooling window (smoother attributions than the arg-max route)."""

import tensorflow as tf

__all__ = [
    "avg_smoothed_maxpool_grad",
    "l2_smoothed_maxpool_grad",
    "make_smoothed_maxpool_grad",
]


def make_smoothed_maxpool_grad(smooth_type="avg", epsilon=1e-2):
    """Gradient for "MaxPool" ops taken from a smooth stand-in: the average pool ("avg") or an L2-weighted pool."""
    if smooth_type not in ("avg", "L2"):
        raise RuntimeError("Invalid smooth_type %r: use 'avg' or 'L2'." % (smooth_type,))

    def MaxPoolGrad(op, grad):
        inp = op.inputs[0]
        pool_args = dict(
            ksize=op.get_attr("ksize"),
            strides=op.get_attr("strides"),
            padding=op.get_attr("padding"),
        )
        if smooth_type == "avg":
            smooth = tf.nn.avg_pool2d(inp, **pool_args)
        else:
            smooth = tf.nn.avg_pool2d(inp**2, **pool_args) / (epsilon + tf.nn.avg_pool2d(tf.abs(inp), **pool_args))
        return tf.gradients(smooth, [inp], grad)[0]

    return MaxPoolGrad


avg_smoothed_maxpool_grad = make_smoothed_maxpool_grad("avg")
l2_smoothed_maxpool_grad = make_smoothed_maxpool_grad("L2")
