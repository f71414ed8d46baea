"""render_vis / make_vis_T end to end on a tiny conv net built in the test."""

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from reference import projective_rotate, render_loop
from tiny_models import TinyConvNet, layer_values

from lucid.misc.io import load
from lucid.optvis import fast as fast_path
from lucid.optvis import objectives, param, render, transform
from lucid.optvis.progress import RenderProgress


def test_render_vis_raises_the_objective_with_defaults(model):
    images = render.render_vis(model, "conv2:3", thresholds=(0, 29), verbose=False)
    assert len(images) == 2
    before, after = (layer_values(model, "conv2", img)[..., 3].mean() for img in images)
    assert after > 2 * before, (before, after)


def test_thresholds_and_return_shapes(model):
    images = render.render_vis(
        model, "conv1:0", param_f=lambda: param.image(20, 16, batch=2), thresholds=[1, 3, 5], verbose=False
    )
    assert len(images) == 3
    for img in images:
        assert isinstance(img, np.ndarray) and img.shape == (2, 16, 20, 3)
        assert img.min() >= 0 and img.max() <= 1
    assert not np.allclose(images[0], images[2])


def test_image_size_and_transform_arguments(model):
    (img,) = render.render_vis(model, "conv1:1", image_size=24, transforms=[], thresholds=(2,), verbose=False)
    assert img.shape == (1, 24, 24, 3)
    with pytest.raises(ValueError, match="image_size"):
        render.render_vis(model, "conv1:1", param_f=lambda: param.image(8), image_size=24, verbose=False)


def test_use_fixed_seed_gives_identical_images(model):
    def run(seed):
        return render.render_vis(model, "conv2:5", image_size=32, thresholds=(6,), verbose=False, use_fixed_seed=seed)

    first, second = run(True), run(True)
    np.testing.assert_array_equal(first[0], second[0])
    assert not np.array_equal(run(False)[0], first[0])


def test_render_vis_matches_the_straightforward_loop(model, monkeypatch):
    """render_vis's speed-ups (pruned import, rotation by gathers, its finiteness check, ungated gradients) keep
    the math: the same images as the plain loop the original ran, with TF's rotation op. Seeds are given per
    transform so both graphs draw the same random numbers whatever their op counts."""
    transforms = [
        transform.pad(4, mode="constant"),
        transform.jitter(2, seed=1),
        transform.random_scale([0.9, 1.0, 1.1], seed=2),
        transform.random_rotate([-10, 0, 5, 10], seed=3),
        transform.jitter(2, seed=4),
    ]
    param_f = lambda: param.image(32)  # noqa: E731
    objective = objectives.channel("conv1", 2) - 0.5 * objectives.channel("conv1", 5)
    thresholds = (0, 9, 29)
    images = render.render_vis(
        model,
        objective,
        param_f,
        transforms=transforms,
        thresholds=thresholds,
        verbose=False,
        relu_gradient_override=False,
        use_fixed_seed=True,
    )
    monkeypatch.setattr(transform, "_rotate", projective_rotate)
    expected = render_loop(model, objective, param_f, transforms, thresholds)
    assert not np.allclose(expected[0], expected[-1], atol=1e-3)
    for got, want in zip(images, expected):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


def _saved_image_paths(out):
    return re.findall(r"saved to (\S+)", out)


def test_verbose_prints_loss_and_objectives_and_shows(model, capsys):
    render.render_vis(
        model,
        objectives.channel("conv2", 1),
        image_size=16,
        thresholds=(0, 2),
        print_objectives=[objectives.channel("conv1", 2)],
    )
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split()[0] for line in lines if re.match(r"^\d+ -?\d", line)] == ["0", "2"]
    assert sum(line.startswith("01: Channel [conv1, 2, None]:") for line in lines) == 2
    (path,) = _saved_image_paths(captured.out)  # in a terminal the image goes to one PNG, updated in place
    assert load(path).shape == (16, 16, 3)
    assert "3/3" in captured.err  # the progress bar on stderr


def test_show_image_false_and_quiet(model, capsys):
    render.render_vis(model, "conv1:0", image_size=8, thresholds=(1,), verbose=True, show_image=False)
    out = capsys.readouterr().out
    assert out.startswith("1 ") and not _saved_image_paths(out)
    render.render_vis(model, "conv1:0", image_size=8, thresholds=(1,), verbose=False, show_image=True)
    captured = capsys.readouterr()
    assert len(_saved_image_paths(captured.out)) == 1 and not re.search(r"^1 ", captured.out, re.M)
    render.render_vis(model, "conv1:0", image_size=8, thresholds=(1,), verbose=False)
    assert capsys.readouterr() == ("", "")


def test_keyboard_interrupt_returns_images_so_far_plus_current(model, monkeypatch, caplog):
    update = RenderProgress.update

    def interrupt_at_first_image(self, step, loss, image=None):
        update(self, step, loss, image)
        if image is not None:
            raise KeyboardInterrupt

    monkeypatch.setattr(RenderProgress, "update", interrupt_at_first_image)
    images = render.render_vis(model, "conv1:0", image_size=8, thresholds=(1, 50), verbose=False)
    assert len(images) == 2 and images[1].shape == (1, 8, 8, 3)
    assert "Interrupted optimization at step 2" in caplog.text


def test_make_vis_T_exposes_pieces(model):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        T = render.make_vis_T(model, "conv2:0", lambda: param.image(16), transforms=[transform.jitter(2)])
        tf.compat.v1.global_variables_initializer().run()
        assert T("input").shape.as_list() == [1, 16, 16, 3]
        assert T("t_image") is T("input")
        assert T("conv2").shape.as_list()[-1] == 16
        assert T("model") is model and T("relu_gradient_override") is False
        for _ in range(3):
            sess.run(T("vis_op"))
        assert sess.run(T("global_step")) == 3
        assert isinstance(T("optimizer"), tf.compat.v1.train.AdamOptimizer)


def test_render_vis_and_make_vis_T_build_the_same_T(model, monkeypatch):
    """Both import only what the objective reads, and both Ts still give every layer (the rest on first use)."""
    imported = []
    import_graph_def = tf.compat.v1.import_graph_def

    def recording(graph_def, *args, **kwargs):
        imported.append(sorted(node.name for node in graph_def.node))
        return import_graph_def(graph_def, *args, **kwargs)

    monkeypatch.setattr(tf.compat.v1, "import_graph_def", recording)
    render.render_vis(model, "conv1:0", image_size=8, thresholds=(0,), verbose=False)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        T = render.make_vis_T(model, "conv1:0", lambda: param.image(8), transforms=[])
        assert len(imported) == 2 and imported[0] == imported[1] and "conv2" not in imported[1]
        conv2 = T("conv2")  # not read by the objective: imported now
        render.initialize_variables(sess)
        image, value = sess.run([T("input"), conv2])
    np.testing.assert_allclose(value, layer_values(model, "conv2", image), rtol=1e-5, atol=1e-6)


def test_make_vis_T_needs_a_graph_and_session(model):
    with pytest.raises(RuntimeError, match="tf.Graph"):
        render.make_vis_T(model, "conv1:0")
    with tf.Graph().as_default():
        with pytest.raises(RuntimeError, match="default session"):
            render.make_vis_T(model, "conv1:0")


def test_bad_arguments_get_clear_errors(model):
    with pytest.raises(TypeError, match="Model instance"):
        render.render_vis(TinyConvNet, "conv1:0", verbose=False)
    # Wrong optimizer, transforms and thresholds types: test_render_reliability's tables.
    with pytest.raises(TypeError, match="param_f"):
        render.render_vis(model, "conv1:0", param_f=128, verbose=False)
    with pytest.raises(TypeError, match="make_vis_T"):
        with tf.Graph().as_default():
            foreign = param.image(8)
        render.render_vis(model, "conv1:0", param_f=foreign, verbose=False)


def test_make_t_image_rejects_a_bare_variable():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="should produce a Tensor"):
            render.make_t_image(lambda: tf.compat.v1.Variable(tf.zeros([1, 4, 4, 3])))


def test_make_transform_f_and_optimizer_defaults():
    assert render.make_optimizer(None, []).get_name() == "Adam"
    custom = tf.compat.v1.train.GradientDescentOptimizer(0.1)
    assert render.make_optimizer(custom, []) is custom
    assert render.make_optimizer(lambda: custom, []) is custom
    with tf.Graph().as_default():
        x = tf.zeros([1, 8, 8, 3])
        assert render.make_transform_f([])(x) is x
        assert render.make_transform_f(None)(tf.zeros([1, 128, 128, 3])).shape.rank == 4


def test_from_lucid_import_render_has_the_render_functions():
    from lucid import render as short

    assert short.render_vis is render.render_vis and short.make_vis_T is render.make_vis_T


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run_python(code):
    """Run `code` in a fresh interpreter (for tests that change TF's global state), from the repo root."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_import_changes_no_global_tf_state():
    out = _run_python("""
        import tensorflow as tf
        from tensorflow.python import tf2
        before = (tf.executing_eagerly(), tf2.enabled(), tf.compat.v1.get_default_graph().get_operations())
        import lucid, lucid.optvis.render, lucid.optvis.objectives, lucid.optvis.param, lucid.optvis.transform
        import lucid.modelzoo.vision_models, lucid.misc.io, lucid.optvis.overrides
        after = (tf.executing_eagerly(), tf2.enabled(), tf.compat.v1.get_default_graph().get_operations())
        print(before == after, after[:2])
    """)
    assert out.strip() == "True (True, True)"


def test_tf1_style_global_graph_and_session():
    out = _run_python("""
        import sys; sys.path.insert(0, "tests")
        import tensorflow as tf
        tf.compat.v1.disable_eager_execution()
        from lucid.optvis import render, param
        from tiny_models import TinyConvNet
        model = TinyConvNet()
        with tf.compat.v1.Session() as sess:
            T = render.make_vis_T(model, "conv2:1", lambda: param.image(16))
            tf.compat.v1.global_variables_initializer().run()
            for _ in range(3):
                sess.run(T("vis_op"))
            print(sess.run(T("input")).shape)
        images = render.render_vis(model, "conv1:0", image_size=16, thresholds=(2,), verbose=False)
        print(images[0].shape)
    """)
    assert out.split() == ["(1,", "16,", "16,", "3)", "(1,", "16,", "16,", "3)"]


def test_render_channels_one_image_per_channel(model):
    channels = [3, 5, 7, 9, 11]
    images, values = render.render_channels(model, "conv2_pre_relu", channels, batch_size=2, steps=60, image_size=24)
    assert images.shape == (5, 24, 24, 3) and values.shape == (5,)
    assert np.isfinite(values).all()
    # Each image was optimized for its own channel (the second batch on the first's graph, its channels fed): of
    # the five images, it excites that channel most.
    acts = layer_values(model, "conv2_pre_relu", images).mean(axis=(1, 2))[:, channels]
    np.testing.assert_array_equal(acts.argmax(axis=0), [0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="channels"):
        render.render_channels(model, "conv2", [])


@pytest.mark.parametrize("fast", [False, True])
def test_render_channels_batches_get_the_images_of_a_graph_each(model, monkeypatch, fast):
    """The batches of a layer share one graph (their channels fed), one more for a last smaller batch; with
    use_fixed_seed each batch's images are those of render_vis on a graph built for that batch alone."""
    builds, make_vis_T = [], render._make_vis_T
    monkeypatch.setattr(render, "_make_vis_T", lambda *a, **k: builds.append(1) or make_vis_T(*a, **k))
    channels, image = [3, 5, 7, 9, -1], fast_path.image if fast else param.image
    images, values = render.render_channels(
        model, "conv2_pre_relu", channels, batch_size=2, steps=20, image_size=24, use_fixed_seed=True, fast=fast
    )
    assert len(builds) == 2
    for start in range(0, len(channels), 2):
        chunk = channels[start : start + 2]
        n = len(chunk)
        per_image = [objectives.channel("conv2_pre_relu", c, batch=i) for i, c in enumerate(chunk)]
        (alone,) = render.render_vis(
            model,
            objectives.Objective.sum(per_image),
            lambda n=n: image(24, batch=n),
            thresholds=(19,),
            verbose=False,
            use_fixed_seed=True,
            fast=fast,
        )
        np.testing.assert_array_equal(images[start : start + 2], alone)
    # Without transforms, each value is the mean of its channel on its image.
    images, values = render.render_channels(model, "conv2_pre_relu", channels, 2, steps=2, image_size=24, transforms=[])
    means = layer_values(model, "conv2_pre_relu", images).mean(axis=(1, 2))
    np.testing.assert_allclose(values, means[np.arange(5), channels], rtol=1e-5, atol=1e-6)


def _counting(objective_f, calls):
    """`objective_f`, counting its builds in `calls`, declaring the same layers if it is an Objective."""
    return objectives.Objective(
        lambda T: calls.append(1) or objective_f(T), layers=getattr(objective_f, "layers", None)
    )


def test_library_objectives_declare_the_layers_they_read():
    assert objectives.channel("conv2", 1).layers == {"conv2"}
    assert (objectives.channel("conv2", 1) - 0.5 * objectives.L1() + objectives.deepdream("conv1")).layers == {
        "conv1",
        "conv2",
    }
    assert objectives.class_logit("logits", "goldfish").layers == {"logits"}
    assert objectives.blur_input_each_step().layers == frozenset()
    assert objectives.channel_interpolate("conv1", 0, "conv2", 1).layers == {"conv1", "conv2"}
    # A function of T says nothing: neither does a combination with it.
    assert (objectives.channel("conv2", 1) + (lambda T: 0.0)).layers is None
    assert objectives.layers_read(["conv2:3", objectives.L2("conv1")]) == {"conv1", "conv2"}


def test_a_declared_objective_is_built_once_and_a_function_of_T_twice(model):
    """Declared layers need no trial build; a function of T is tried on stand-ins first (see pruning.py)."""
    declared, function = [], []
    small = dict(param_f=lambda: param.image(8), thresholds=(0,), verbose=False)
    render.render_vis(model, _counting(objectives.channel("conv2", 1), declared), **small)
    render.render_vis(model, _counting(lambda T: tf.reduce_mean(T("conv2")[..., 1]), function), **small)
    assert (len(declared), len(function)) == (1, 2)


def test_an_error_in_a_function_of_T_comes_from_its_trial_build(model):
    """No catch-all: the trial build's error is the user's, raised before the model is imported (the real build
    is not reached)."""
    calls = []

    def objective(T):
        calls.append(1)
        return 1 / 0

    with pytest.raises(ZeroDivisionError):
        render.render_vis(model, objective, param_f=lambda: param.image(8), verbose=False)
    assert len(calls) == 1
