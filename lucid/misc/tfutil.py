"""TensorFlow session helpers for TF1-style notebook code (transparency, xy2rgb, infinite-patterns tutorials)."""

import tensorflow as tf

__all__ = [
    "create_session",
]


def create_session(target="", timeout_sec=10):
    """An InteractiveSession on a new graph, made the default graph and session until `sess.close()`.

    GPU memory grows as needed (not all taken at once), and an op running longer than `timeout_sec` seconds fails
    instead of hanging the notebook.
    """
    graph = tf.Graph()
    config = tf.compat.v1.ConfigProto()
    config.gpu_options.allow_growth = True
    config.operation_timeout_in_ms = int(timeout_sec * 1000)
    return tf.compat.v1.InteractiveSession(target=target, graph=graph, config=config)
