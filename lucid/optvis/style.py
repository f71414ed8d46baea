"""Style transfer losses: Gram matrices of layer activations compared with those of a style image."""

import logging

import tensorflow as tf

__all__ = [
    "gram_style",
    "mean_l1_loss",
    "mean_l2_loss",
    "StyleLoss",
]

log = logging.getLogger(__name__)


def gram_style(a):
    """Gram matrix `[C, C]` of activations `a` (any rank, channels last), averaged over all other positions."""
    with tf.name_scope("gram"):
        channels = a.shape.as_list()[-1] if a.shape.rank else None
        if channels is None:
            raise ValueError("gram_style needs a static channel count, but the activations have shape %s." % a.shape)
        a = tf.reshape(a, [-1, channels])
        n = tf.cast(tf.shape(a)[0], a.dtype)
        return tf.matmul(a, a, transpose_a=True) / n


def mean_l1_loss(g1, g2):
    """Mean absolute difference."""
    return tf.reduce_mean(tf.abs(g1 - g2))


def mean_l2_loss(g1, g2):
    """Root mean squared difference."""
    return tf.sqrt(tf.reduce_mean(tf.square(g1 - g2)))


class StyleLoss:
    """Distance of each style layer's `style_func` statistics from targets loaded with `set_style`.

    `style_loss` is the summed loss (to minimise). With `ema_decay`, each loss sees an exponential moving
    average of the statistics over steps (smoother with random transforms) while gradients flow through the
    current value.
    """

    def __init__(self, style_layers, ema_decay=None, style_func=gram_style, loss_func=mean_l1_loss):
        self.input_grams = [style_func(s) for s in style_layers]
        if not self.input_grams:
            raise ValueError("StyleLoss needs at least one style layer, got none.")
        self.ema = None
        if ema_decay is not None:
            self.ema = tf.compat.v1.train.ExponentialMovingAverage(decay=ema_decay)
            update_ema_op = self.ema.apply(self.input_grams)
            with tf.control_dependencies([update_ema_op]):
                self.effective_grams = [g + tf.stop_gradient(self.ema.average(g) - g) for g in self.input_grams]
        else:
            self.effective_grams = self.input_grams
        self.target_vars = [tf.Variable(tf.zeros_like(g), trainable=False) for g in self.input_grams]
        self.style_losses = [loss_func(g, v) for g, v in zip(self.effective_grams, self.target_vars)]
        self.style_loss = tf.add_n(self.style_losses)

    def set_style(self, input_feeds):
        """Compute the style statistics with `input_feeds` in the default session and load them as targets.

        Call after the variables are initialised (initialisation resets the targets to zero).
        """
        sess = tf.compat.v1.get_default_session()
        if sess is None:
            raise ValueError(
                "set_style runs in the default session, and there is none: call it inside "
                "`with sess.as_default():` (render_vis and make_vis_T set one)."
            )
        grams = sess.run(self.input_grams, input_feeds)
        for var, gram in zip(self.target_vars, grams):
            var.load(gram, sess)
