"""Gradient overrides: the redirected ReLU gradient table, step-16 switch-off, per-example fallback, maxpool grads."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.optvis import overrides
from lucid.optvis.overrides.gradient_override import gradient_override_map, use_gradient


def _grad_through(op_type, x_value, incoming, step, override):
    """Gradient of an op of `op_type` at x for an incoming gradient, with the global step set to `step`."""
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        global_step = tf.compat.v1.train.get_or_create_global_step()
        x = tf.constant(np.array(x_value, np.float32))
        with gradient_override_map({op_type: override}):
            y = tf.nn.relu(x) if op_type == "Relu" else tf.nn.relu6(x)
        grad = tf.gradients(y, x, grad_ys=tf.constant(np.array(incoming, np.float32)))[0]
        sess.run(global_step.assign(step))
        return sess.run(grad)


# (incoming grad, input, result) at global_step 0, for an example whose plain ReLU gradient is zero everywhere:
# as in the original Lucid, the gradient still passes where x > 0, and where x <= 0 only when it is negative (a
# descent step then raises x towards the active region). Relu6 also passes a positive gradient above 6.
TABLE = [(1, -1, 0), (-1, -1, -1), (1, 1, 1), (-1, 1, -1)]
TABLE6 = TABLE + [(1, 7, 1), (-1, 7, 0)]


@pytest.mark.parametrize("op_type, table", [("Relu", TABLE), ("Relu6", TABLE6)])
def test_redirected_gradient_table(op_type, table):
    override = overrides.relu_overrides_map[op_type]
    for incoming, x, expected in table:
        # One example per row: the per-example fallback applies to each on its own.
        got = _grad_through(op_type, [[x]], [[incoming]], 0, override)
        assert got[0, 0] == expected, (op_type, incoming, x, got)


@pytest.mark.parametrize("op_type", ["Relu", "Relu6"])
def test_after_step_16_equals_plain_gradient(op_type):
    x = [[-1.0, 1.0, 7.0], [-2.0, -1.0, -3.0]]
    incoming = [[-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0]]
    override = overrides.relu_overrides_map[op_type]
    got = _grad_through(op_type, x, incoming, 17, override)
    xs, g = np.array(x), np.array(incoming)
    upper = np.inf if op_type == "Relu" else 6.0
    plain = np.where((xs < 0) | (xs > upper), 0.0, g)
    np.testing.assert_array_equal(got, plain)
    # At step 16 the redirect is still on: the second example (plain gradient all zero) gets the redirected one.
    got16 = _grad_through(op_type, x, incoming, 16, override)
    assert not np.array_equal(got16, plain)


def test_redirect_is_per_example():
    # Example 0 has a non-zero plain gradient: kept as is. Example 1 has none: redirected.
    x = [[1.0, -1.0], [-1.0, -1.0]]
    incoming = [[1.0, -1.0], [1.0, -1.0]]
    got = _grad_through("Relu", x, incoming, 0, overrides.redirected_relu_grad)
    np.testing.assert_array_equal(got, [[1.0, 0.0], [0.0, -1.0]])


@pytest.mark.parametrize("op_type", ["Relu", "Relu6"])
def test_redirected_gradients_build_where_tf_where_is_tf1s(op_type, monkeypatch):
    # The original's own tests run TF1 code through a layer that binds tf.where to TF1's (no broadcasting);
    # the redirected gradients then failed to build ("Shapes must be equal rank").
    monkeypatch.setattr(tf, "where", tf.compat.v1.where)
    got = _grad_through(
        op_type, [[-1.0, 1.0], [-1.0, -2.0]], [[1.0, 1.0], [-1.0, 1.0]], 0, overrides.relu_overrides_map[op_type]
    )
    np.testing.assert_array_equal(got, [[0.0, 1.0], [-1.0, 0.0]])


@pytest.mark.parametrize("op_type, most", [("Relu", 16), ("Relu6", 24)])
def test_redirected_gradient_of_one_relu_is_few_ops(op_type, most):
    # A big model has hundreds of ReLUs, and building their gradients' ops was a third of its render's start:
    # they took 26 and 38 ops (with tf.gradients' Identity).
    with tf.Graph().as_default() as graph:
        tf.compat.v1.train.get_or_create_global_step()
        x = tf.compat.v1.placeholder(tf.float32, [None, 4])
        with gradient_override_map({op_type: overrides.relu_overrides_map[op_type]}):
            y = tf.nn.relu(x) if op_type == "Relu" else tf.nn.relu6(x)
        incoming = tf.ones_like(y)
        tf.gradients(y, x, grad_ys=incoming)  # the first also builds the step comparison all ReLUs share
        before = len(graph.get_operations())
        tf.gradients(y, x, grad_ys=incoming)
        assert len(graph.get_operations()) - before <= most


def test_identity_and_linearization_overrides(sess):
    x = tf.constant([-2.0, 3.0])
    with overrides.linearization_overrides():
        y = tf.nn.relu(x)
    np.testing.assert_array_equal(sess.run(tf.gradients(y, x)[0]), [1.0, 1.0])


def test_smoothed_maxpool_gradient_spreads_over_window(sess):
    x = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    with overrides.pooling_overrides():
        y = tf.nn.max_pool2d(x, 2, 2, "VALID")
    grad = sess.run(tf.gradients(tf.reduce_sum(y), x)[0])
    np.testing.assert_allclose(grad, np.full((1, 4, 4, 1), 0.25))
    plain = sess.run(tf.gradients(tf.reduce_sum(tf.nn.max_pool2d(x, 2, 2, "VALID")), x)[0])
    assert plain.sum() == 4 and (plain == 0).sum() == 12


def test_l2_smoothed_maxpool_and_bad_smooth_type(sess):
    x = tf.constant(np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1))
    with gradient_override_map({"MaxPool": overrides.smoothed_maxpool_grad.l2_smoothed_maxpool_grad}):
        y = tf.nn.max_pool2d(x, 2, 2, "VALID")
    grad = sess.run(tf.gradients(tf.reduce_sum(y), x)[0])
    assert np.all(grad != 0) and np.isfinite(grad).all()  # every input of each window gets gradient
    with pytest.raises(RuntimeError, match="smooth_type"):
        overrides.smoothed_maxpool_grad.make_smoothed_maxpool_grad("max")


def test_use_gradient_replaces_gradient_and_keeps_value(sess):
    def doubled_grad(op, grad):
        assert len(op.inputs) == 2
        return [2 * grad * tf.ones_like(op.inputs[0]), -grad * tf.ones_like(op.inputs[1])]

    @use_gradient(doubled_grad)
    def product(a, b):
        return a * b

    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    out = product(a, b)
    value, ga, gb = sess.run([out, *tf.gradients(out, [a, b])])
    np.testing.assert_array_equal(value, [3.0, 8.0])
    np.testing.assert_array_equal(ga, [2.0, 2.0])
    np.testing.assert_array_equal(gb, [-1.0, -1.0])
    assert out.shape.as_list() == [2]


def test_override_map_reuses_registrations():
    from lucid.optvis.overrides import gradient_override

    with tf.Graph().as_default():
        with overrides.relu_overrides():
            pass
        count = len(gradient_override._names_by_function)
        with overrides.relu_overrides():
            pass
    assert len(gradient_override._names_by_function) == count
