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


def test_tutorial_pattern_make_vis_T_in_the_interactive_session():
    """As in the transparency and xy2rgb notebooks: build, initialise, step with .run()/.eval(), no session passed."""
    from lucid.optvis import param, render

    sess = create_session()
    try:
        T = render.make_vis_T(EfficientNetLite0(), "block5:17", param_f=lambda: param.image(64), transforms=[])
        tf.compat.v1.global_variables_initializer().run()
        first = T("loss").eval()
        for _ in range(5):
            T("vis_op").run()
        assert T("loss").eval() > first and T("input").eval().shape == (1, 64, 64, 3)
    finally:
        sess.close()
