"""lucid.misc.tfutil.create_session: the TF1-style notebook session on a fresh graph."""

import numpy as np
import tensorflow as tf

from lucid.misc.tfutil import create_session
from lucid.modelzoo.vision_models import EfficientNetLite0


def test_create_session_is_the_default_on_a_new_graph_and_runs_a_model():
    outer = tf.compat.v1.get_default_graph()
    sess = create_session(timeout_sec=30)
    try:
        assert tf.compat.v1.get_default_session() is sess and sess.graph is not outer
        assert tf.compat.v1.get_default_graph() is sess.graph
        assert sess._config.operation_timeout_in_ms == 30000 and sess._config.gpu_options.allow_growth
        t_input = tf.compat.v1.placeholder(tf.float32, [None, 224, 224, 3])
        T = EfficientNetLite0().import_graph(t_input)
        probs = T("softmax").eval({t_input: np.full((1, 224, 224, 3), 0.5, np.float32)})
        assert probs.shape == (1, 1000) and np.isclose(probs.sum(), 1, atol=1e-4)
    finally:
        sess.close()
    assert tf.compat.v1.get_default_graph() is outer
