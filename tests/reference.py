"""Straightforward reference versions of code that lucid makes faster, for tests that check the speed-ups keep
the math: TF's own rotation op, and the plain render loop the original ran."""

import numpy as np
import tensorflow as tf

import lucid
from lucid.optvis import objectives


def projective_rotate(t_image, angle):
    """Counter-clockwise NEAREST rotation about the centre, zero fill, with TF's ImageProjectiveTransformV3."""
    shape = tf.shape(t_image)
    h, w = tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32)
    cos, sin = tf.cos(angle), tf.sin(angle)
    x_offset = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2.0
    y_offset = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2.0
    rotated = tf.raw_ops.ImageProjectiveTransformV3(
        images=t_image,
        transforms=tf.stack([cos, -sin, x_offset, sin, cos, y_offset, 0.0, 0.0])[None],
        output_shape=shape[1:3],
        fill_value=tf.constant(0, t_image.dtype),
        interpolation="NEAREST",
        fill_mode="CONSTANT",
    )
    rotated.set_shape(t_image.get_shape())
    return rotated


def render_loop(model, objective, param_f, transforms, thresholds):
    """What render_vis(..., use_fixed_seed=True, relu_gradient_override=False) computes, written plainly: the whole
    model imported, Adam's minimize, one session.run per step. Returns the images at `thresholds`."""
    state = np.random.get_state()
    try:
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            tf.compat.v1.set_random_seed(lucid.seed)
            np.random.seed(lucid.seed)
            t_image = param_f()
            x = t_image
            for transform in transforms:
                x = transform(x)
            T = model.import_graph(x)
            loss = objectives.as_objective(objective)(lambda name: t_image if name == "input" else T(name))
            train = tf.compat.v1.train.AdamOptimizer(0.05).minimize(-loss)
            sess.run(tf.compat.v1.global_variables_initializer())
            images = []
            for step in range(max(thresholds) + 1):
                sess.run(train)
                if step in thresholds:
                    images.append(sess.run(t_image))
            return images
    finally:
        np.random.set_state(state)
