"""Objectives: values against NumPy definitions, algebra, descriptions, as_objective, argument checks."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from lucid.misc.graph_analysis import property_inference
from lucid.optvis import objectives, regularizers
from lucid.optvis.objectives import Objective, as_objective, wrap_objective

LABELS = ["dog", "cat", "hotdog", "catamaran"]


def rand(*shape):
    return np.random.rand(*shape).astype(np.float32)


def make_T(labels=LABELS, **arrays):
    """T over constant tensors; T("labels") is the label list."""
    tensors = {name: tf.constant(a) if isinstance(a, np.ndarray) else a for name, a in arrays.items()}
    tensors["labels"] = labels

    def T(name):
        return tensors[name]

    return T


def run(sess, obj, T):
    return sess.run(obj(T))


def np_blur(x, w=3):
    """Reference of _tf_blur: per-channel w x w kernel, SAME zero padding, divided by the blurred ones."""
    k = np.full([w, w], 0.5)
    k[1:-1, 1:-1] = 1.0
    p = (w - 1) // 2
    h, wd = x.shape[1:3]

    def conv(a):
        ap = np.pad(a, [(0, 0), (p, p), (p, p), (0, 0)])
        return sum(k[i, j] * ap[:, i : i + h, j : j + wd] for i in range(w) for j in range(w))

    return conv(x) / conv(np.ones_like(x))


def np_dot_cossim(x, y, cossim_pow):
    dot = (x * y).sum(-1)
    if cossim_pow == 0:
        return dot.mean()
    cos = dot / (1e-4 + np.sqrt((x * x).sum(-1))) / (1e-4 + np.sqrt((y * y).sum(-1)))
    return (dot * np.maximum(0.1, cos) ** cossim_pow).mean()


# ---- values of every factory -------------------------------------------------------------------------------


def test_channel_value(sess):
    a = rand(2, 4, 5, 6)
    assert np.isclose(run(sess, objectives.channel("a", 3), make_T(a=a)), a[..., 3].mean(), rtol=1e-5)


def test_channel_batch_slices_one_example(sess):
    a = rand(3, 4, 5, 6)
    assert np.isclose(run(sess, objectives.channel("a", 3, batch=2), make_T(a=a)), a[2, ..., 3].mean(), rtol=1e-5)


@pytest.mark.parametrize("x, y, batch", [(None, None, None), (1, 3, None), (0, 0, 1), (None, 4, 0), (-1, -2, None)])
def test_neuron_value(sess, x, y, batch):
    a = rand(2, 4, 6, 3)  # even sizes: centre is the bottom-right of the middle 2x2
    xi = 2 if x is None else x
    yi = 3 if y is None else y
    acts = a if batch is None else a[batch : batch + 1]
    got = run(sess, objectives.neuron("a", 2, x=x, y=y, batch=batch), make_T(a=a))
    assert np.isclose(got, acts[:, xi, yi, 2].mean(), rtol=1e-5)


@pytest.mark.parametrize("cossim_pow", [0, 1, 2.5])
def test_direction_value(sess, cossim_pow):
    a = rand(2, 3, 3, 5) - 0.5
    vec = np.random.randn(5)
    got = run(sess, objectives.direction("a", vec, cossim_pow=cossim_pow), make_T(a=a))
    assert np.isclose(got, np_dot_cossim(a, vec[None, None, None], cossim_pow), rtol=1e-4)
    assert objectives.direction_cossim is objectives.direction


def test_direction_batch(sess):
    a = rand(3, 2, 2, 4)
    vec = rand(4)
    got = run(sess, objectives.direction("a", vec, batch=1), make_T(a=a))
    assert np.isclose(got, (a[1] * vec).sum(-1).mean(), rtol=1e-5)


@pytest.mark.parametrize("cossim_pow", [0, 2])
def test_direction_neuron_value(sess, cossim_pow):
    a = rand(2, 5, 5, 4) - 0.5
    vec = rand(4) - 0.5
    got = run(sess, objectives.direction_neuron("a", vec, cossim_pow=cossim_pow), make_T(a=a))
    assert np.isclose(got, np_dot_cossim(a[:, 2:3, 2:3], vec[None, None, None], cossim_pow), rtol=1e-4)
    got = run(sess, objectives.direction_neuron("a", vec, x=0, y=4), make_T(a=a))
    assert np.isclose(got, (a[:, 0, 4] * vec).sum(-1).mean(), rtol=1e-5)


@pytest.mark.parametrize("vec_shape", [(2, 3, 4), (1, 2, 3, 4), (2, 2, 3, 4)])
def test_tensor_direction_value(sess, vec_shape):
    a = rand(2, 5, 7, 4)
    vec = rand(*vec_shape)
    vec4 = vec if vec.ndim == 4 else vec[None]
    crop = a[:, 1:3, 2:5]  # M1 = (5-2)//2 = 1, M2 = (7-3)//2 = 2
    for cossim_pow in (0, 1):
        got = run(sess, objectives.tensor_direction("a", vec, cossim_pow=cossim_pow), make_T(a=a))
        assert np.isclose(got, np_dot_cossim(crop, vec4, cossim_pow), rtol=1e-4)


def test_deepdream_l1_l2_input_diff(sess):
    a = rand(2, 3, 3, 4)
    img = rand(2, 6, 6, 3)
    orig = rand(2, 6, 6, 3).astype(np.float64)
    T = make_T(a=a, input=img)
    assert np.isclose(run(sess, objectives.deepdream("a"), T), (a**2).mean(), rtol=1e-5)
    assert np.isclose(run(sess, objectives.L1(), T), np.abs(img).sum(), rtol=1e-5)
    assert np.isclose(run(sess, objectives.L1("a", constant=0.5), T), np.abs(a - 0.5).sum(), rtol=1e-5)
    assert np.isclose(run(sess, objectives.L2(), T), np.sqrt(1e-6 + (img**2).sum()), rtol=1e-5)
    assert np.isclose(run(sess, objectives.L2("a", 0.3, 1.0), T), np.sqrt(1 + ((a - 0.3) ** 2).sum()), rtol=1e-5)
    assert np.isclose(run(sess, objectives.input_diff(orig), T), np.sqrt(((img - orig) ** 2).mean()), rtol=1e-5)


def test_total_variation_is_per_image(sess):
    img = rand(3, 5, 6, 3)
    got = run(sess, objectives.total_variation(), make_T(input=img))
    want = np.abs(np.diff(img, axis=1)).sum(axis=(1, 2, 3)) + np.abs(np.diff(img, axis=2)).sum(axis=(1, 2, 3))
    assert got.shape == (3,)
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("w", [3, 5])
def test_tf_blur(sess, w):
    x = rand(2, 6, 7, 3)
    np.testing.assert_allclose(sess.run(regularizers._tf_blur(tf.constant(x), w=w)), np_blur(x, w), rtol=1e-5)


def test_blur_each_step(sess):
    img = rand(2, 6, 6, 4)
    T = make_T(input=img)
    want = 0.5 * ((img - np_blur(img)) ** 2).sum()
    assert np.isclose(run(sess, objectives.blur_input_each_step(), T), want, rtol=1e-4)
    alpha = img[..., 3:4]
    want = 0.5 * ((alpha - np_blur(alpha)) ** 2).sum()
    assert np.isclose(run(sess, objectives.blur_alpha_each_step(), T), want, rtol=1e-4)


def test_blur_each_step_gradient_moves_toward_blur(sess):
    img = rand(1, 5, 5, 3)
    x = tf.constant(img)
    grad = tf.gradients(objectives.blur_input_each_step()(make_T(input=x)), x)[0]
    np.testing.assert_allclose(sess.run(grad), img - np_blur(img), rtol=1e-4, atol=1e-6)


def test_channel_interpolate(sess):
    a, b = rand(4, 3, 3, 5), rand(4, 2, 2, 6)
    got = run(sess, objectives.channel_interpolate("a", 1, "b", 5), make_T(a=a, b=b))
    w = np.arange(4) / 3
    want = sum((1 - w[n]) * a[n, ..., 1].mean() + w[n] * b[n, ..., 5].mean() for n in range(4))
    assert np.isclose(got, want, rtol=1e-5)


def test_penalize_boundary_complexity(sess):
    img = rand(1, 8, 8, 3)
    d = (np_blur(img, 5) - img) ** 2 + 0.8 * (img - 0.5) ** 2
    mask = np.ones(img.shape)
    mask[:, 2:-2, 2:-2] = 0
    got = run(sess, objectives.penalize_boundary_complexity(img.shape, w=2), make_T(input=img))
    assert np.isclose(got, -(d * mask).sum(), rtol=1e-4)
    own_mask = (np.random.rand(*img.shape) > 0.5).astype(np.float64)
    d = (np_blur(img, 5) - img) ** 2 + 0.8 * (img - 0.2) ** 2
    got = run(sess, objectives.penalize_boundary_complexity(img.shape, mask=own_mask, C=0.2), make_T(input=img))
    assert np.isclose(got, -(d * own_mask).sum(), rtol=1e-4)


@pytest.mark.parametrize("batch_n", [1, 3, 6])
def test_alignment(sess, batch_n):
    a = rand(batch_n, 3, 3, 4)
    want = 0.0
    for d in (1, 2, 3, 4):
        for i in range(batch_n - d):
            want += ((a[i] - a[i + d]) ** 2).mean() / 3.0**d
    got = run(sess, objectives.alignment("a", decay_ratio=3), make_T(a=a))
    assert np.isclose(got, -want, rtol=1e-5, atol=1e-7)


def test_diversity(sess):
    a = rand(3, 4, 4, 5)
    flat = a.reshape(3, -1, 5).astype(np.float64)
    grams = np.einsum("bnc,bnd->bcd", flat, flat)
    grams /= np.sqrt((grams**2).sum(axis=(1, 2), keepdims=True))
    want = sum((grams[i] * grams[j]).sum() for i in range(3) for j in range(3) if j != i) / 3
    assert np.isclose(run(sess, objectives.diversity("a"), make_T(a=a)), want, rtol=1e-5)


def test_class_logit(sess):
    logits = rand(3, 4)
    T = make_T(logits=logits)
    assert np.isclose(run(sess, objectives.class_logit("logits", 2), T), logits[:, 2].sum(), rtol=1e-5)
    assert np.isclose(run(sess, objectives.class_logit("logits", "cat"), T), logits[:, 1].sum(), rtol=1e-5)
    assert np.isclose(run(sess, objectives.class_logit("logits", np.int64(3)), T), logits[:, 3].sum(), rtol=1e-5)


def test_class_logit_batch_looks_up_unsliced_labels(sess):
    logits = rand(3, 4)
    got = run(sess, objectives.class_logit("logits", "hotdog", batch=1), make_T(logits=logits))
    assert np.isclose(got, logits[1, 2], rtol=1e-5)


# ---- layouts -------------------------------------------------------------------------------------------------


def test_rank2_layer_forced_to_nhwc(sess):
    dense = rand(3, 7)
    T = make_T(dense=dense)
    assert np.isclose(run(sess, objectives.channel("dense", 4), T), dense[:, 4].mean(), rtol=1e-5)
    assert np.isclose(run(sess, objectives.neuron("dense", 6, batch=2), T), dense[2, 6], rtol=1e-5)
    vec = rand(7)
    assert np.isclose(run(sess, objectives.direction("dense", vec), T), (dense * vec).sum(-1).mean(), rtol=1e-5)


def test_nchw_layer_detected_and_transposed(sess):
    data = rand(2, 5, 3, 4)  # NCHW: 5 channels, height 3, width 4
    layer = tf.nn.bias_add(tf.constant(data), tf.zeros([5]), data_format="NCHW")
    T = make_T(layer=layer)
    assert property_inference.infer_data_format(layer) == "NCHW"
    assert np.isclose(run(sess, objectives.channel("layer", 4), T), data[:, 4].mean(), rtol=1e-5)
    assert np.isclose(run(sess, objectives.neuron("layer", 1, x=2, y=0), T), data[:, 1, 2, 0].mean(), rtol=1e-5)
    with pytest.raises(ValueError, match="depth 5"):
        objectives.channel("layer", 5)(T)


def test_infer_data_format():
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3])
        conv = tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), [1, 1, 1, 1], "SAME")
        deep = tf.nn.relu(conv) * 2.0 + 1.0
        nchw = tf.nn.relu(tf.nn.bias_add(tf.ones([1, 4, 2, 2]), tf.ones([4]), data_format="NCHW"))
        assert property_inference.infer_data_format(deep) == "NHWC"
        assert property_inference.infer_data_format(nchw.op) == "NCHW"
        assert property_inference.infer_data_format(nchw.name) == "NCHW"
        assert property_inference.infer_data_format(x) is None  # no op says
        assert property_inference.infer_data_format(tf.reshape(conv, [-1, 4])) is None  # not 4-D
        assert property_inference.infer_data_format(tf.compat.v1.placeholder(tf.float32)) is None  # unknown rank
        assert property_inference.infer_data_format(deep, max_depth=1) is None  # conv is 3 levels up
        assert property_inference.as_tensor(conv.op) is conv
        assert property_inference.as_tensor(conv.op.name) is None  # as the original: only tensors, ops, nodes
        with pytest.raises(KeyError, match="nope:0"):
            property_inference.infer_data_format("nope")
        with pytest.raises(TypeError):
            property_inference.infer_data_format(3)


def test_gradient_of_channel_wrt_input_is_nonzero(sess):
    img = tf.compat.v1.placeholder_with_default(rand(1, 6, 6, 3), [1, 6, 6, 3])
    layer = tf.nn.relu(tf.nn.conv2d(img, tf.constant(rand(3, 3, 3, 4)), [1, 1, 1, 1], "SAME"))
    obj = objectives.channel("layer", 2) - 0.1 * objectives.total_variation()
    grad = tf.gradients(obj(make_T(layer=layer, input=img)), img)[0]
    assert np.abs(sess.run(grad)).sum() > 0


# ---- algebra, names, descriptions ------------------------------------------------------------------------------


def test_descriptions_include_defaults():
    obj = objectives.channel("mixed4a", 476)
    assert obj.name == "channel"
    assert obj.description == "Channel [mixed4a, 476, None]"
    assert objectives.total_variation().description == "Total_Variation [input]"
    assert objectives.L2().description == "L2 [input, 0, 1e-06]"
    assert objectives.neuron("a", 1, y=2).description == "Neuron [a, 1, None, 2, None]"
    # Arguments longer than 15 characters or with a newline show as "...".
    assert objectives.channel("mixed4a_pre_relu", 476).description == "Channel [..., 476, None]"
    assert objectives.direction("a", np.arange(10.0)).description == "Direction [a, ..., 0, None]"


def test_factory_signatures_preserved():
    assert list(inspect.signature(objectives.channel).parameters) == ["layer", "n_channel", "batch"]
    parameters = inspect.signature(objectives.L2).parameters.values()  # the original's names and defaults
    assert [(p.name, p.default) for p in parameters] == [("layer", "input"), ("constant", 0), ("epsilon", 1e-06)]
    assert objectives.neuron.__name__ == "neuron"
    with pytest.raises(TypeError):
        objectives.channel("a")


def test_sum_descriptions():
    a, b, c = objectives.channel("a", 1), objectives.channel("b", 2), objectives.deepdream("c")
    s = a + b
    assert s.name == "channel, channel"
    assert s.description == "Sum(Channel [a, 1, None] +\nChannel [b, 2, None])"
    total = sum([a, b, c])
    assert total.description == "Sum(Sum(Channel [a, 1, None] +\nChannel [b, 2, None]) +\nDeepdream [c])"
    assert total.name == "channel, channel, deepdream"
    flat = Objective.sum([a, b, c])
    assert flat.description == "Sum(Channel [a, 1, None] +\nChannel [b, 2, None] +\nDeepdream [c])"
    assert flat.name == "channel, channel, deepdream"
    assert (3 * a - 2).description == a.description  # numbers keep name and description
    assert (a * b).description == a.description


def test_algebra_values(sess):
    a, b = rand(2, 3, 3, 4), rand(2, 3, 3, 4)
    T = make_T(a=a, b=b)
    ca, cb = a[..., 1].mean(), b[..., 2].mean()
    oa, ob = objectives.channel("a", 1), objectives.channel("b", 2)
    cases = [
        (oa + ob, ca + cb),
        (oa - ob, ca - cb),
        (-oa, -ca),
        (2 * oa, 2 * ca),
        (oa * 2.5, 2.5 * ca),
        (np.float32(3) * oa, 3 * ca),
        (oa * np.int64(2), 2 * ca),
        (np.float64(0.5) * oa, 0.5 * ca),
        (oa + 1, ca + 1),
        (1 + oa, ca + 1),
        (oa - 1, ca - 1),
        (1 - oa, 1 - ca),
        (oa * ob, ca * cb),
        (oa / 4, ca / 4),
        (oa / np.float32(2), ca / 2),
        (sum([oa, ob, oa]), 2 * ca + cb),
        (Objective.sum([oa, ob]), ca + cb),
        (oa + (lambda T: tf.reduce_sum(T("b"))), ca + b.sum()),
        (oa - 1e2 * objectives.deepdream("b"), ca - 1e2 * (b**2).mean()),
    ]
    for obj, want in cases:
        assert isinstance(obj, Objective)
        assert np.isclose(run(sess, obj, T), want, rtol=1e-5)


def test_algebra_errors():
    obj = objectives.channel("a", 1)
    with pytest.raises(ZeroDivisionError):
        obj / 0
    with pytest.raises(ZeroDivisionError):
        obj / 0.0
    with pytest.raises(TypeError, match="divided by a number"):
        obj / obj
    with pytest.raises(TypeError, match="divided by a number"):
        obj / "2"
    with pytest.raises(TypeError):
        2 / obj
    with pytest.raises(TypeError, match="a number, an Objective"):
        obj + "mixed4a:3"
    with pytest.raises(TypeError, match="a number, an Objective"):
        obj * None


def test_wrap_objective_bare_and_with_parentheses(sess):
    @wrap_objective
    def bare(layer, scale=2):
        return lambda T: scale * tf.reduce_sum(T(layer))

    @wrap_objective(require_format="NHWC")
    def first_channel(layer):
        return lambda T: tf.reduce_sum(T(layer)[..., 0])

    dense = rand(2, 3)
    T = make_T(dense=dense)
    assert bare("dense").description == "Bare [dense, 2]"
    assert np.isclose(run(sess, bare("dense", scale=3), T), 3 * dense.sum(), rtol=1e-5)
    assert first_channel("dense").name == "first_channel"
    assert first_channel("dense")(T).shape.rank == 0
    assert np.isclose(run(sess, first_channel("dense"), T), dense[:, 0].sum(), rtol=1e-5)
    with pytest.raises(ValueError, match="NHWC"):
        wrap_objective(require_format="NCHW")


# ---- as_objective -------------------------------------------------------------------------------------------


def test_as_objective_accepts(sess):
    obj = objectives.deepdream("a")
    assert as_objective(obj) is obj
    f = lambda T: T("a")  # noqa: E731
    assert as_objective(f) is f
    parsed = as_objective(" mixed4a : 3")
    assert isinstance(parsed, Objective) and parsed.description == "Channel [mixed4a, 3, None]"
    a = rand(1, 2, 2, 5)
    assert np.isclose(run(sess, parsed, make_T(mixed4a=a)), a[..., 3].mean(), rtol=1e-5)
    scoped = as_objective("InceptionV4/Mixed_6b/concat:0")
    assert np.isclose(run(sess, scoped, make_T(**{"InceptionV4/Mixed_6b/concat": a})), a[..., 0].mean())


# ---- validation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: objectives.neuron("a", 9),
        lambda: objectives.channel_interpolate("a", 6, "a", 0),
        lambda: objectives.channel_interpolate("a", 0, "a", 7),
    ],
)
def test_channel_out_of_range(make):
    T = make_T(a=rand(2, 4, 5, 6))
    with pytest.raises(
        ValueError,
        match=r"channel \d+ is out of range for layer 'a' with depth 6: valid values "
        r"are 0\.\.5",
    ):
        make()(T)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: objectives.class_logit("logits", -5), r"class -5 is out of range .* \(or -4\.\.-1 from the end\)"),
        (lambda: objectives.neuron("a", 0, x=-5), "x -5 is out of range for layer 'a' with height 4"),
        (lambda: objectives.channel_interpolate("a", 0, "a", -7), "channel -7 is out of range"),
        (lambda: objectives.channel_interpolate("one", 0, "one", 0), "at least 2 images"),
    ],
)
def test_build_time_range_errors(make, match):
    T = make_T(a=rand(2, 4, 5, 6), logits=rand(2, 4), one=rand(1, 2, 2, 3))
    with pytest.raises(ValueError, match=match):
        make()(T)


@pytest.mark.parametrize(
    "make",
    [
        lambda: objectives.diversity("a"),
        lambda: objectives.alignment("a"),
        lambda: objectives.channel_interpolate("a", 0, "a", 1),
    ],
)
def test_unknown_batch_size(make):
    with tf.Graph().as_default():
        T = make_T(a=tf.compat.v1.placeholder(tf.float32, [None, 3, 3, 4]))
        with pytest.raises(ValueError, match="static batch size of layer 'a'"):
            make()(T)


def test_unknown_static_shapes_are_not_checked(sess):
    a = rand(2, 3, 3, 4)
    ph = tf.compat.v1.placeholder(tf.float32, [None, None, None, None])
    got = sess.run(objectives.neuron("a", 3, x=2, y=0, batch=1)(make_T(a=ph)), {ph: a})
    assert np.isclose(got, a[1, 2, 0, 3], rtol=1e-5)


def test_regularizers_are_the_same_objects_from_objectives():
    for name in regularizers.__all__:
        assert getattr(objectives, name) is getattr(regularizers, name)
    assert objectives.total_variation().layers == frozenset()  # "input" is not a layer of the model
