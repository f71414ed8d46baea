"""recipes.caricature (feature inversion) and recipes.image_interpolation_params on a tiny conv net."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import TinyConvNet, layer_values

from lucid.recipes import caricature as car
from lucid.recipes import image_interpolation_params as iip


def test_dot_compare_matches_numpy(sess):
    acts = np.random.randn(3, 2, 2, 4).astype(np.float32)
    T = lambda name: tf.constant(acts)  # noqa: E731
    for batch, cossim_pow in ((1, 0), (2, 2)):
        value = sess.run(car.dot_compare("layer", batch=batch, cossim_pow=cossim_pow)(T))
        dot = (acts[0] * acts[batch]).sum()
        cossim = max(0.1, dot / (1e-6 + np.sqrt((acts[batch] ** 2).sum())))
        np.testing.assert_allclose(value, dot * cossim**cossim_pow, rtol=1e-4)


def test_feature_inversion_matches_the_input_activations():
    model = TinyConvNet()
    y, x = np.mgrid[:48, :48] / 48.0
    img = np.stack([x, y, 0.5 * np.ones_like(x)], -1).astype(np.float32)
    result = car.feature_inversion(img, model, ["conv1", "conv2"], n_steps=40, verbose=False)
    assert result.shape == (3, 32, 32, 3)
    np.testing.assert_allclose(result[0], car.resize(img, 32), atol=1e-6)
    for i, layer in enumerate(["conv1", "conv2"]):
        target = layer_values(model, layer, result[:1]).ravel()
        inverted = layer_values(model, layer, result[i + 1 : i + 2]).ravel()
        grey = layer_values(model, layer, np.full((1, 32, 32, 3), 0.5, np.float32)).ravel()
        assert target @ inverted > target @ grey


def test_caricature_layer_type_error():
    with pytest.raises(TypeError, match="layer"):
        car.caricature(np.zeros((8, 8, 3)), TinyConvNet(), 3)


@pytest.mark.parametrize(
    "n, total, abs_total, frames_1_0, frames_last",
    [
        (2, -1.3877108, 62.334545, [-0.0452456, -0.002954, -0.0195796], [0.0063315, 0.0129203, -0.0206178]),
        (3, -2.6559958, 135.40184, [-0.046176, -0.0355712, -0.0304669], [0.0137184, 0.0124243, 0.0125162]),
    ],
)
def test_multi_interpolation_basis_as_the_original(n, total, abs_total, frames_1_0, frames_last):
    # Measured with the original after np.random.seed(0): same variables, same draws, same sums of them.
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        np.random.seed(0)
        t = iip.multi_interpolation_basis(n, 3, 8, 3)
        sess.run(tf.compat.v1.global_variables_initializer())
        basis = sess.run(t)
    assert basis.shape == (n, n, 3, 8, 8, 3) and basis.dtype == np.float32
    np.testing.assert_allclose([basis.sum(), np.abs(basis).sum()], [total, abs_total], rtol=1e-5)
    np.testing.assert_allclose(basis[1, 0, :, 2, 3, 1], frames_1_0, atol=1e-6)
    np.testing.assert_allclose(basis[n - 1, n - 2, :, 5, 1, 2], frames_last, atol=1e-6)
    if n == 2:  # with more objectives the original's indexing pairs other details (see the docstring)
        np.testing.assert_allclose(basis[0, 1], basis[1, 0, ::-1], atol=1e-6)


def test_interpolation_frames_share_parameters(sess):
    frames = iip.interpolation_frames(n_frames=4, width=16)
    assert frames.shape.as_list() == [4, 16, 16, 3]
    shared_vars = [v for v in tf.compat.v1.trainable_variables() if v.shape[0] == 1]
    assert len(shared_vars) == 4  # one lowres variable per shared scale, with batch 1
    sess.run(tf.compat.v1.global_variables_initializer())
    values = sess.run(frames)
    assert 0 < values.min() and values.max() < 1


def test_aligned_interpolation_goes_from_one_channel_to_the_other():
    model = TinyConvNet()
    frames = iip.aligned_interpolation(
        model, ("conv2_pre_relu", 3), ("conv2_pre_relu", 7), n_frames=4, width=24, steps=40, alignment_weight=0.1
    )
    assert frames.shape == (4, 24, 24, 3)
    acts = layer_values(model, "conv2_pre_relu", frames).mean((1, 2))
    assert acts[0, 3] > acts[-1, 3] and acts[-1, 7] > acts[0, 7]


def test_recipes_on_make_vis_T_do_not_mutate_a_run_graph():
    """Recipes that run their own loop on make_vis_T initialize variables as render_vis does: a
    global_variables_initializer() after make_vis_T ran the global step's initializer made TF log that the graph was
    mutated after a run. TF logs it from C++, so the check runs in a subprocess with TF's warnings on."""
    code = textwrap.dedent("""
        import numpy as np
        from tiny_models import TinyConvNet
        from lucid.recipes import caricature
        from lucid.recipes.activation_atlas.render import render_icons
        caricature.caricature(np.random.rand(32, 32, 3).astype(np.float32), TinyConvNet(), "conv1", n_steps=2,
                              verbose=False)
        render_icons(
            np.random.rand(2, 8).astype(np.float32), TinyConvNet(), "conv1", size=32, n_steps=2, num_attempts=1
        )
        print("ran")
    """)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="0", PYTHONPATH=os.path.dirname(os.path.dirname(__file__)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert "ran" in result.stdout, result.stderr[-3000:]
    assert "was changed by setting attribute after it was run" not in result.stderr
