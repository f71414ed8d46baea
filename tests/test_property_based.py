"""Random objective strings, sizes and arguments thrown at the public entry points (hypothesis).

Every call must either give a sound result or raise ValueError / KeyError / TypeError with a message of our
own: never another exception, never a raw TensorFlow op error (messages naming a `{{node ...}}`). Each of these
properties has a twin that draws only valid arguments and requires them to be accepted, so that refusing
everything cannot pass.
"""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lucid.optvis import objectives, param, render, transform

ALLOWED = (ValueError, KeyError, TypeError)
REFUSED = object()  # what `outcome` returns for an allowed error


def fuzz_settings(max_examples):
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def outcome(call):
    """`call()`'s result, or REFUSED after an allowed error with a clear message (anything else fails the test)."""
    try:
        result = call()
    except ALLOWED as error:
        event("refused with " + type(error).__name__)
        message = " ".join(str(arg) for arg in error.args).strip()
        assert message, "%s without a message" % type(error).__name__
        assert "{{node" not in message and "Graph execution error" not in message, message
        return REFUSED
    event("accepted")
    return result


# ---- strategies ------------------------------------------------------------------------------------------------


def mostly(valid, bad, odds=6):
    """`valid` values, and one time in `odds` a `bad` one, so that examples with all arguments valid come up."""
    return st.integers(0, odds - 1).flatmap(lambda k: bad if k == 0 else valid)


LAYER_NAMES = [
    "conv1",
    "conv2",
    "conv2_pre_relu",
    "logits",
    "softmax",
    "input",
    "conv3",
    "Conv2D",
    "",
    " conv1 ",
    "conv1:0",
    "import/conv1",
    "CONV1",
    "conv",
]
layer_names = st.one_of(st.sampled_from(LAYER_NAMES), st.text(max_size=8))
channel_texts = st.one_of(
    st.integers(-20, 40).map(str),
    st.text(max_size=4),
    st.sampled_from(["1.5", "1e2", "\u0663", "0x1", "+3", " 7", "-0", "00"]),
)
objective_strings = st.one_of(
    st.text(max_size=24),
    st.builds(
        lambda layer, sep, n: layer + sep + n, layer_names, st.sampled_from([":", "::", " : ", ";", ""]), channel_texts
    ),
    st.builds(
        lambda layer, n: "%s:%d" % (layer, n),
        st.sampled_from(["conv1", "conv2", "logits", "softmax"]),
        st.integers(0, 20),
    ),
)
odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.floats(allow_nan=True),
    st.sampled_from([[], [1], (2, 2), object(), np.float32(2.0), np.int64(3)]),
)
sizes = st.one_of(st.integers(-3, 24), odd_values)
small_ints = st.one_of(st.integers(-2, 20), odd_values)


def _static_T(model, batch=2, size=8):
    """Like render.import_model's T, with static layer shapes: "input" is the image, "labels" the model's."""
    image = tf.constant(np.random.RandomState(0).rand(batch, size, size, 3).astype(np.float32))
    T = model.import_graph(image, forget_xy_shape=False)
    return lambda name: image if name == "input" else model.labels if name == "labels" else T(name)


# ---- as_objective and objective factories ---------------------------------------------------------------------


@fuzz_settings(200)
@given(text=objective_strings)
def test_as_objective_with_random_strings(model, text):
    objective = outcome(lambda: objectives.as_objective(text))
    if objective is REFUSED:
        return
    assert isinstance(objective, objectives.Objective)
    with tf.Graph().as_default():
        value = outcome(lambda: objective(_static_T(model)))
    if value is not REFUSED:
        assert value.shape.rank == 0


@fuzz_settings(40)
@given(
    thing=st.one_of(
        odd_values,
        st.integers(),
        st.binary(max_size=6),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    )
)
def test_as_objective_with_random_values(thing):
    objective = outcome(lambda: objectives.as_objective(thing))
    assert objective is REFUSED or callable(objective)


def accepted(call):
    """`call()`'s result; fails the test if a valid example is refused (the other half of every property above)."""
    result = outcome(call)
    assert result is not REFUSED, "a valid example was refused"
    return result


@fuzz_settings(40)
@given(
    text=st.builds(
        lambda layer, n, pad: pad + "%s:%d" % layer_and_channel(layer, n) + pad,
        st.sampled_from(["conv1", "conv2", "conv2_pre_relu", "logits"]),
        st.integers(-8, 20),
        st.sampled_from(["", " "]),
    )
)
def test_as_objective_accepts_valid_strings(model, text):
    objective = accepted(lambda: objectives.as_objective(text))
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        assert np.isfinite(sess.run(accepted(lambda: objective(_static_T(model)))))


def layer_and_channel(layer, n):
    """(layer, a channel in range for it): n folded into the layer's depth, keeping its sign (negative indices)."""
    depth = {"conv1": 8, "conv2": 16, "conv2_pre_relu": 16, "logits": 10}[layer]
    return layer, (n % depth if n >= 0 else n % depth)


@fuzz_settings(20)
@given(
    thing=st.one_of(
        st.builds(lambda n: objectives.channel("conv1", n), st.integers(0, 7)),
        st.builds(lambda n: lambda T: tf.reduce_mean(T("conv2")[..., n]), st.integers(0, 15)),
        st.builds(lambda n: "conv2:%d" % n, st.integers(0, 15)),
    )
)
def test_as_objective_accepts_objectives_callables_and_strings(model, thing):
    objective = accepted(lambda: objectives.as_objective(thing))
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        assert np.isfinite(sess.run(objective(_static_T(model))))


FACTORIES = {
    "channel": lambda layer, a, b, c: objectives.channel(layer, a, batch=b),
    "neuron": lambda layer, a, b, c: objectives.neuron(layer, a, x=b, y=c),
    "neuron_batch": lambda layer, a, b, c: objectives.neuron(layer, a, batch=b),
    "direction": lambda layer, a, b, c: objectives.direction(
        layer, np.ones(a) if isinstance(a, int) and 0 <= a < 40 else a, batch=b
    ),
    "direction_neuron": lambda layer, a, b, c: objectives.direction_neuron(layer, np.ones(16), x=b, y=c, batch=a),
    "tensor_direction": lambda layer, a, b, c: objectives.tensor_direction(
        layer, np.ones([b, c, 8]) if all(isinstance(v, int) and 0 <= v < 12 for v in (b, c)) else a
    ),
    "class_logit": lambda layer, a, b, c: objectives.class_logit(layer, a, batch=b),
    "channel_interpolate": lambda layer, a, b, c: objectives.channel_interpolate(layer, a, "conv1", b),
    "diversity": lambda layer, a, b, c: objectives.diversity(layer),
    "alignment": lambda layer, a, b, c: objectives.alignment(layer, decay_ratio=a),
    "deepdream": lambda layer, a, b, c: objectives.deepdream(layer),
}


@fuzz_settings(150)
@given(
    name=st.sampled_from(sorted(FACTORIES)),
    layer=st.sampled_from(LAYER_NAMES),
    a=small_ints,
    b=small_ints,
    c=small_ints,
)
def test_objective_factories_with_random_arguments(model, name, layer, a, b, c):
    objective = outcome(lambda: FACTORIES[name](layer, a, b, c))
    if objective is REFUSED:
        return
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        value = outcome(lambda: objective(_static_T(model)))
        if value is not REFUSED:
            assert np.isfinite(sess.run(value)).all()


VALID_FACTORIES = {
    "channel": lambda layer, n, b: objectives.channel(layer, n, batch=b),
    "neuron": lambda layer, n, b: objectives.neuron(layer, n, x=b, y=b),
    "neuron_batch": lambda layer, n, b: objectives.neuron(layer, n, batch=b),
    "direction": lambda layer, n, b: objectives.direction(layer, np.ones(DEPTHS[layer]) * (n + 1), batch=b),
    "direction_neuron": lambda layer, n, b: objectives.direction_neuron(layer, np.ones(DEPTHS[layer]), x=b, y=b),
    "tensor_direction": lambda layer, n, b: objectives.tensor_direction(layer, np.ones([b + 1, 1, DEPTHS[layer]])),
    "diversity": lambda layer, n, b: objectives.diversity(layer),
    "deepdream": lambda layer, n, b: objectives.deepdream(layer),
}
DEPTHS = {"conv1": 8, "conv2": 16}


@pytest.mark.parametrize("name", sorted(VALID_FACTORIES))  # every factory checked, not only those drawn
@fuzz_settings(8)
@given(
    layer=st.sampled_from(sorted(DEPTHS)),
    n=st.integers(0, 7),
    b=st.integers(0, 1),
)
def test_objective_factories_accept_valid_arguments(model, name, layer, n, b):
    objective = accepted(lambda: VALID_FACTORIES[name](layer, n, b))
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        T = _static_T(model)
        value, acts = sess.run([accepted(lambda: objective(T)), T(layer)])
    assert np.isfinite(value)
    if name in REFERENCES:  # the value it names, computed again with NumPy from the layer's activations
        np.testing.assert_allclose(value, REFERENCES[name](acts, n, b), rtol=1e-4, atol=1e-6)


def _diversity_reference(acts):
    flat = acts.reshape(len(acts), -1, acts.shape[-1]).astype(np.float64)
    grams = np.stack([f.T @ f for f in flat]).reshape(len(acts), -1)
    grams /= np.maximum(np.linalg.norm(grams, axis=1, keepdims=True), 1e-5)
    similarities = grams @ grams.T
    return (similarities.sum() - np.trace(similarities)) / len(acts)


REFERENCES = {
    "channel": lambda acts, n, b: acts[b, ..., n].mean(),
    "neuron": lambda acts, n, b: acts[:, b, b, n].mean(),
    "neuron_batch": lambda acts, n, b: acts[b, acts.shape[1] // 2, acts.shape[2] // 2, n],
    "direction": lambda acts, n, b: (acts[b] * (n + 1)).sum(-1).mean(),
    "direction_neuron": lambda acts, n, b: acts[:, b, b].sum(-1).mean(),
    "diversity": lambda acts, n, b: _diversity_reference(acts),
    "deepdream": lambda acts, n, b: (acts.astype(np.float64) ** 2).mean(),
}


# ---- parameterizations -----------------------------------------------------------------------------------------

flags = mostly(st.booleans(), st.sampled_from([None, 0, 1, "yes"]))


@fuzz_settings(80)
@given(
    w=mostly(st.integers(1, 24), sizes),
    h=mostly(st.one_of(st.none(), st.integers(1, 24)), sizes),
    batch=mostly(st.one_of(st.none(), st.integers(1, 3)), small_ints),
    sd=mostly(st.one_of(st.none(), st.floats(0, 1)), st.one_of(st.floats(), st.text(max_size=1))),
    fft=flags,
    decorrelate=flags,
    alpha=flags,
    channels=mostly(st.one_of(st.none(), st.integers(1, 5)), small_ints),
)
def test_param_image_with_random_arguments(w, h, batch, sd, fft, decorrelate, alpha, channels):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t = outcome(
            lambda: param.image(
                w, h=h, batch=batch, sd=sd, fft=fft, decorrelate=decorrelate, alpha=alpha, channels=channels
            )
        )
        if t is REFUSED:
            return
        sess.run(tf.compat.v1.global_variables_initializer())
        value = sess.run(t)
    ch = channels if channels is not None else (4 if alpha else 3)
    assert value.shape == (batch or 1, h if h is not None else w, w, ch)
    assert np.isfinite(value).all() and value.min() >= 0 and value.max() <= 1


@fuzz_settings(40)
@given(
    w=st.integers(1, 24),
    h=st.one_of(st.none(), st.integers(1, 24)),
    batch=st.one_of(st.none(), st.integers(1, 3)),
    sd=st.one_of(st.none(), st.floats(0, 1)),
    fft=st.booleans(),
    decorrelate=st.booleans(),
    alpha=st.booleans(),
)
def test_param_image_accepts_valid_arguments(w, h, batch, sd, fft, decorrelate, alpha):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t = accepted(lambda: param.image(w, h=h, batch=batch, sd=sd, fft=fft, decorrelate=decorrelate, alpha=alpha))
        sess.run(tf.compat.v1.global_variables_initializer())
        value, (variable,) = sess.run([t, tf.compat.v1.global_variables()])
    assert value.shape == (batch or 1, h or w, w, 4 if alpha else 3)
    # The image the parameter stands for, computed again with NumPy: its inverse Fourier transform scaled by the
    # formula (1 / max(frequency, 1 / max(w, h)) * sqrt(w * h) / 4), colours decorrelated, then a sigmoid.
    pixels = _fft_reference(variable, h or w, w) if fft else variable
    if decorrelate:
        pixels = np.concatenate([pixels[..., :3] @ (COLOR_SQRT / COLOR_SQRT_NORM).T, pixels[..., 3:]], -1)
    np.testing.assert_allclose(value, 1 / (1 + np.exp(-pixels)), rtol=0, atol=2e-5)


COLOR_SQRT = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
COLOR_SQRT_NORM = np.linalg.norm(COLOR_SQRT, axis=0).max()


def _fft_reference(spectrum, h, w):
    """[batch, h, w, ch] from the fft_image variable `spectrum` [2, batch, ch, h, columns]."""
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.abs(np.fft.fftfreq(w))[: w // 2 + 1 + w % 2]
    scale = np.sqrt(w * h) / np.maximum(np.sqrt(fx**2 + fy**2), 1 / max(w, h)) / 4
    image = np.fft.irfft2((spectrum[0] + 1j * spectrum[1]) * scale, s=(h, w + w % 2))[..., :w]
    return image.transpose(0, 2, 3, 1)


# ---- transforms ------------------------------------------------------------------------------------------------

float_lists = st.one_of(
    st.lists(st.floats(-2, 3, allow_nan=False), max_size=4),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.lists(st.integers(-30, 30), max_size=4),
    odd_values,
)
TRANSFORMS = {
    "jitter": st.builds(lambda d: lambda: transform.jitter(d), small_ints),
    "pad": st.builds(
        lambda w, mode, value: lambda: transform.pad(w, mode=mode, constant_value=value),
        small_ints,
        st.sampled_from(["REFLECT", "reflect", "constant", "SYMMETRIC", "wrap", 3, None]),
        st.one_of(st.sampled_from([0.5, "uniform", "x", None, 2, -1]), st.floats(allow_nan=True)),
    ),
    "random_scale": st.builds(lambda scales: lambda: transform.random_scale(scales), float_lists),
    "random_rotate": st.builds(
        lambda angles, units: lambda: transform.random_rotate(angles, units=units),
        float_lists,
        st.sampled_from(["degrees", "RADIANS", "rad", "grads", None, 1]),
    ),
    "crop_or_pad_to": st.builds(lambda h, w: lambda: transform.crop_or_pad_to(h, w), small_ints, small_ints),
    "collapse_alpha_random": st.builds(
        lambda sd: lambda: transform.collapse_alpha_random(sd=sd), st.one_of(st.floats(0, 2), odd_values)
    ),
    "normalize_gradient": st.just(lambda: transform.normalize_gradient()),
}


@fuzz_settings(120)
@given(
    make=st.one_of(*TRANSFORMS.values()),
    shape=st.tuples(st.integers(1, 2), st.integers(1, 20), st.integers(1, 20), st.integers(1, 4)),
)
def test_transforms_with_random_arguments_and_sizes(make, shape):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        inner = outcome(make)
        if inner is REFUSED:
            return
        image = np.random.RandomState(0).rand(*shape).astype(np.float32)
        t = outcome(lambda: inner(tf.constant(image)))
        if t is REFUSED:
            return
        for _ in range(3):
            value = sess.run(t)
            assert value.ndim == 4 and value.shape[0] == shape[0] and np.isfinite(value).all()


def _is_crop(value, image, d):
    """The offset (i, j), 0 <= i, j <= d, at which `value` is `image` cropped d pixels smaller (None if none)."""
    h, w = image.shape[1] - d, image.shape[2] - d
    for i in range(d + 1):
        for j in range(d + 1):
            if value.shape == image[:, i : i + h, j : j + w].shape and np.array_equal(
                value, image[:, i : i + h, j : j + w]
            ):
                return i, j
    return None


def _check_jitter(runs, image, d):
    offsets = [_is_crop(value, image, d) for value in runs]
    assert None not in offsets, "jitter(%d) is not a crop of %d pixels" % (d, d)
    assert len(set(offsets)) > 1, "jitter(%d) moved the image the same way %d times" % (d, len(runs))


def _check_pad(runs, image, w, mode):
    want = np.pad(
        image,
        [(0, 0), (w, w), (w, w), (0, 0)],
        mode="reflect" if mode == "REFLECT" else "constant",
        **({} if mode == "REFLECT" else {"constant_values": 0.5}),
    )
    for value in runs:
        np.testing.assert_array_equal(value, want)


def _check_scale(runs, image, s):
    sizes = {(int(image.shape[1] * f), int(image.shape[2] * f)) for f in (1.0, s)}
    assert {value.shape[1:3] for value in runs} == sizes  # 12 runs: both factors come up (odds 1 - 2 ** -11)


def _check_rotate(runs, image, a):
    if a == 0:
        for value in runs:
            np.testing.assert_allclose(value, image, atol=1e-6)


def _check_crop_or_pad(runs, image, h, w):
    assert all(value.shape[1:3] == (h, w) for value in runs)
    top, left = (image.shape[1] - h) // 2, (image.shape[2] - w) // 2  # centred, as tf.image.resize_with_crop_or_pad
    inner = runs[0][:, max(-top, 0) : h - max(-top, 0), max(-left, 0) : w - max(-left, 0)]
    np.testing.assert_array_equal(
        inner, image[:, max(top, 0) : max(top, 0) + inner.shape[1], max(left, 0) : max(left, 0) + inner.shape[2]]
    )


def _check_identity(runs, image):
    for value in runs:
        np.testing.assert_array_equal(value, image)


# Each valid transform with the check of what it does: (make, check(runs, image, *args)).
VALID_TRANSFORMS = [
    st.builds(lambda d: (transform.jitter(d), lambda r, i: _check_jitter(r, i, d)), st.integers(1, 4)),
    st.builds(
        lambda w, mode: (transform.pad(w, mode=mode), lambda r, i: _check_pad(r, i, w, mode)),
        st.integers(0, 4),
        st.sampled_from(["REFLECT", "constant"]),
    ),
    st.builds(lambda s: (transform.random_scale([1.0, s]), lambda r, i: _check_scale(r, i, s)), st.floats(0.8, 1.2)),
    st.builds(
        lambda a: (transform.random_rotate(list(range(-a, a + 1))), lambda r, i: _check_rotate(r, i, a)),
        st.integers(0, 10),
    ),
    st.builds(
        lambda h, w: (transform.crop_or_pad_to(h, w), lambda r, i: _check_crop_or_pad(r, i, h, w)),
        st.integers(1, 20),
        st.integers(1, 20),
    ),
    st.just((transform.normalize_gradient(), _check_identity)),
]


@fuzz_settings(40)
@given(
    made=st.one_of(*VALID_TRANSFORMS),
    shape=st.tuples(st.integers(1, 2), st.integers(6, 20), st.integers(6, 20), st.just(3)),
)
def test_transforms_accept_valid_arguments(made, shape):
    inner, check = made
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        image = np.random.RandomState(0).rand(*shape).astype(np.float32)
        t = accepted(lambda: inner(tf.constant(image)))
        runs = [sess.run(t) for _ in range(12)]
    assert runs[0].ndim == 4 and runs[0].shape[0] == shape[0] and np.isfinite(runs[0]).all()
    check(runs, image)  # each does what it says, e.g. jitter(d) moves the image by up to d pixels, not by 0


# ---- render_vis end to end -------------------------------------------------------------------------------------

transform_lists = st.one_of(
    st.none(),
    st.just([]),
    st.builds(lambda d: [transform.jitter(d)], st.integers(0, 8)),
    st.builds(lambda p, d: [transform.pad(p), transform.jitter(d)], st.integers(0, 4), st.integers(0, 8)),
)
good_objective_strings = st.builds(
    lambda layer, n: "%s:%d" % (layer, n), st.sampled_from(["conv1", "conv2_pre_relu"]), st.integers(0, 7)
)


def one_step_render(model, text, size, batch, transforms):
    """render_vis of `text` on a [batch, size, size, 3] param.image: one snapshot, at step 0."""
    return render.render_vis(
        model,
        text,
        param_f=lambda: param.image(size, batch=batch),
        transforms=transforms,
        thresholds=(0,),
        verbose=False,
    )


@fuzz_settings(16)
@given(
    text=mostly(good_objective_strings, objective_strings, odds=3),
    size=mostly(st.integers(4, 12), st.integers(-2, 3), odds=4),
    batch=mostly(st.integers(1, 3), st.integers(-1, 0), odds=4),
    transforms=transform_lists,
)
def test_render_vis_with_random_objectives_and_sizes(model, text, size, batch, transforms):
    images = outcome(lambda: one_step_render(model, text, size, batch, transforms))
    if images is not REFUSED:
        assert len(images) == 1 and images[0].shape == (batch, size, size, 3)
        assert np.isfinite(images[0]).all() and images[0].min() >= 0 and images[0].max() <= 1


@fuzz_settings(8)
@given(
    text=good_objective_strings,
    size=st.integers(9, 12),  # larger than the largest jitter (8) of transform_lists
    batch=st.integers(1, 3),
    transforms=transform_lists,
)
def test_render_vis_accepts_valid_objectives_and_sizes(model, text, size, batch, transforms):
    images = accepted(lambda: one_step_render(model, text, size, batch, transforms))
    assert len(images) == 1 and images[0].shape == (batch, size, size, 3)
