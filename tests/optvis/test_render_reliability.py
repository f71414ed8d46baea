"""render_vis over long runs and odd arguments: NaN/inf stops, interrupts, memory, threads, wrong types."""

import gc
import logging
import os
import re
import threading

import numpy as np
import pytest
import tensorflow as tf

from lucid.optvis import objectives, param, render, transform


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    """render_vis shows images on interrupts; nothing to display in tests."""
    monkeypatch.setattr(render, "show", lambda *args, **kwargs: None)


def small_render(model, objective="conv1:0", **kwargs):
    kwargs.setdefault("param_f", lambda: param.image(8))
    kwargs.setdefault("thresholds", (0,))
    return render.render_vis(model, objective, verbose=False, **kwargs)


def _assert_images(images, shape):
    assert isinstance(images, list) and images
    for image in images:
        assert isinstance(image, np.ndarray) and image.shape == shape
        assert np.isfinite(image).all()


# ---- NaN / inf in the loss -----------------------------------------------------------------------------------


def _blows_up_at(step, value):
    """An objective (a function of T) that turns `value` (NaN or inf), gradient included, from `step` on."""

    def objective(T):
        global_step = tf.compat.v1.train.get_global_step()
        factor = tf.where(global_step >= step, tf.constant(value, tf.float32), tf.constant(1.0))
        return tf.reduce_mean(T("conv1")[..., 0]) * factor

    return objective


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_loss_stops_with_the_last_finite_images(model, value):
    with pytest.raises(FloatingPointError) as error:
        small_render(model, _blows_up_at(4, value), thresholds=(1, 30))
    assert re.search(r"step \d+", str(error.value)), str(error.value)
    _assert_images(error.value.images, (1, 8, 8, 3))


# ---- KeyboardInterrupt ---------------------------------------------------------------------------------------


def test_keyboard_interrupt_mid_run_returns_the_current_image(model, monkeypatch, caplog):
    """Interrupted before any threshold, render_vis still returns the image it had (the original returned [])."""
    real_run = tf.compat.v1.Session.run
    steps = []

    def run(self, fetches, *args, **kwargs):
        is_step = isinstance(fetches, list) and len(fetches) == 2 and isinstance(fetches[1], tf.Operation)
        if is_step:  # [loss, vis_op]: one optimization step
            steps.append(fetches)
            if len(steps) == 4:
                raise KeyboardInterrupt
        return real_run(self, fetches, *args, **kwargs)

    monkeypatch.setattr(tf.compat.v1.Session, "run", run)
    with caplog.at_level(logging.WARNING):
        images = small_render(model, thresholds=(2, 50))
    assert len(steps) == 4
    assert len(images) == 2  # the snapshot at step 2, and the image when interrupted
    _assert_images(images, (1, 8, 8, 3))
    assert re.search(r"Interrupted optimization at step \d+", caplog.text)


# ---- memory and threads --------------------------------------------------------------------------------------


def _rss_mb():
    gc.collect()
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow  # the fast guard is test_render_memory.py::test_no_render_keeps_its_graph
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_fifty_renders_keep_memory_flat(model):
    """Nothing grows per call: no graph, session or cache kept (the original grew ~6 MB per call)."""
    for _ in range(5):
        small_render(model, transforms=[])
    start = _rss_mb()
    for _ in range(45):
        small_render(model, transforms=[])
    growth = _rss_mb() - start
    print("RSS growth over 45 render_vis calls: %.1f MB" % growth)
    assert growth < 30, "RSS grew %.1f MB over 45 render_vis calls" % growth


def test_two_renders_in_two_threads(model):
    results, errors = {}, []

    def work(channel):
        try:
            results[channel] = small_render(
                model, "conv2:%d" % channel, param_f=lambda: param.image(16, batch=2), thresholds=(3, 6)
            )
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(channel,)) for channel in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and sorted(results) == [1, 2]
    for images in results.values():
        assert len(images) == 2
        _assert_images(images, (2, 16, 16, 3))


# ---- wrong argument types ------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["adam", 0.05, lambda: "adam", tf.keras.optimizers.Adam])
def test_optimizer_of_the_wrong_type(model, optimizer):
    with pytest.raises(TypeError, match="optimizer"):
        small_render(model, optimizer=optimizer)


@pytest.mark.parametrize(
    "transforms",
    [
        ["jitter"],
        [transform.jitter(2), 3],
        5,
        "jitter",
        {"jitter": 2},
    ],
)
def test_transforms_of_the_wrong_type(model, transforms):
    with pytest.raises(TypeError, match="transform"):
        small_render(model, transforms=transforms)


def test_transform_tuples_still_mean_the_standard_transforms(model):
    """As in the original, a tuple is not a list of transforms: it stands for transform.standard_transforms."""

    def render_with(transforms):
        (image,) = small_render(model, transforms=transforms, thresholds=(3,), use_fixed_seed=True)
        return image

    as_tuple = render_with((transform.jitter(2),))
    np.testing.assert_array_equal(as_tuple, render_with(None))
    np.testing.assert_array_equal(as_tuple, render_with(list(transform.standard_transforms)))
    assert not np.array_equal(as_tuple, render_with([transform.jitter(2)]))


@pytest.mark.parametrize("thresholds", ["512", None, (1.5,), ("a",), object(), [0, None]])
def test_thresholds_of_the_wrong_type(model, thresholds):
    with pytest.raises(TypeError, match="thresholds"):
        small_render(model, thresholds=thresholds)


def test_make_vis_T_in_eager_mode_says_how_to_fix_it(model):
    assert tf.executing_eagerly()
    with pytest.raises(RuntimeError, match=r"with tf\.Graph\(\)\.as_default\(\)"):
        render.make_vis_T(model, "conv1:0")


# ---- checks that run with the graph, surfaced as ValueError ------------------------------------------------------


@pytest.mark.parametrize(
    "objective, transforms, pattern",
    [
        (objectives.neuron("conv1", 0, x=100), [], "x 100 is out of range for layer conv1"),
        (objectives.tensor_direction("conv2", np.ones([9, 1, 16])), [], "vec height 9 exceeds the height"),
        ("conv1:0", [transform.random_scale([0.5]), transform.jitter(8)], r"jitter\(8\) needs images larger than 8"),
    ],
)
def test_run_time_checks_surface_as_value_errors(model, objective, transforms, pattern):
    with pytest.raises(ValueError, match=pattern) as error:
        small_render(model, objective, param_f=lambda: param.image(10), transforms=transforms)
    assert "{{node" not in str(error.value)
