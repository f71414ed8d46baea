"""lucid.scratch.rl_util on the tiny conv net and the embedded EfficientNet-Lite0."""

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import TinyConvNet, layer_values

import lucid.scratch.rl_util as rl_util
from lucid.scratch.rl_util import arch, attribution, joblib_wrapper, nmf, util


@pytest.fixture(scope="module")
def obses():
    return np.random.RandomState(1).uniform(size=(6, 32, 32, 3)).astype(np.float32)


def test_get_acts_are_the_layer_values(model, obses):
    np.testing.assert_allclose(attribution.get_acts(model, "conv2", obses), layer_values(model, "conv2", obses))


def _logits_from_conv1(model, conv1):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        T = model.import_graph(tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3]))
        return sess.run(T("logits"), {T("conv1"): conv1})


def test_integrated_attribution_adds_up_to_the_score_change(model, obses):
    direction = np.eye(10)[3]
    attr = attribution.get_attr(model, "logits", "conv1", obses, act_dir=direction, integrate_steps=200)
    conv1 = attribution.get_acts(model, "conv1", obses)
    change = _logits_from_conv1(model, conv1)[:, 3] - _logits_from_conv1(model, 0 * conv1)[:, 3]
    np.testing.assert_allclose(attr.sum(axis=(1, 2, 3)), change, rtol=0.02, atol=1e-3)
    plain = attribution.get_attr(model, "logits", "conv1", obses, act_dir=direction)
    assert not np.allclose(plain, attr, rtol=0.01)  # one step is the plain gradient x activation


def test_get_grad_at_positions_matches_a_finite_difference(model, obses):
    poses = np.array([[i % 16, (3 * i) % 16] for i in range(len(obses))])
    grad = attribution.get_grad(model, "conv2_pre_relu", obses, act_poses=poses, act_dir=np.eye(16)[5])
    assert grad.shape == obses.shape
    step = np.zeros_like(obses)
    step[0, 2 * poses[0, 0], 2 * poses[0, 1], 1] = 1e-2
    before, after = (
        layer_values(model, "conv2_pre_relu", x)[0, poses[0, 0], poses[0, 1], 5] for x in (obses, obses + step)
    )
    np.testing.assert_allclose(
        (after - before) / 1e-2, grad[0, 2 * poses[0, 0], 2 * poses[0, 1], 1], rtol=0.05, atol=1e-3
    )


def test_bad_grad_or_attr_and_unconnected_layers_raise(model, obses):
    with pytest.raises(ValueError, match="'grad' or 'attr'"):
        attribution.get_grad_or_attr(model, "logits", None, obses, grad_or_attr="both")
    with pytest.raises(ValueError, match="does not depend"):
        attribution.get_attr(model, "conv1", "conv2", obses)


@pytest.fixture(scope="module")
def layer_nmf(obses):
    return nmf.LayerNMF(TinyConvNet(), "conv2", obses, features=3, attr_layer_name="logits", attr_opts={})


def test_layer_nmf_features_and_dataset_views(layer_nmf, obses):
    assert layer_nmf.acts_reduced.shape == (6, 16, 16, 3) and (layer_nmf.acts_reduced >= 0).all()
    np.testing.assert_allclose(np.linalg.norm(layer_nmf.channel_dirs, axis=1), 1, rtol=1e-5)
    assert layer_nmf.patch_h == 2 and layer_nmf.get_patch(0, 0, 0).shape == (2, 2, 3)
    np.testing.assert_array_equal(layer_nmf.get_patch(4, 5, 6), obses[4, 10:12, 12:14])
    grid = layer_nmf.vis_dataset(1)
    assert grid.shape == (32, 32, 4) and grid[..., 3].max() == 1
    best = layer_nmf.acts_reduced[..., 1].argmax(axis=0)
    np.testing.assert_array_equal(grid[6:8, 8:10, :3], obses[best[3, 4], 6:8, 8:10])
    thumb, opacity = layer_nmf.vis_dataset_thumbnail(2, num_mult=2, max_rep=1)
    assert thumb.shape == (4, 4, 4) and opacity[0] == 1 and (np.diff(opacity) <= 0).all()


def test_multi_path_attr_splits_over_the_top_features(layer_nmf, obses):
    attr = attribution.get_multi_path_attr(
        layer_nmf.model, "logits", "conv2", obses, layer_nmf.reducer, act_dir=np.eye(10)[0], max_paths=2
    )
    assert attr.shape == (6, 16, 16, 3)
    assert sum(np.abs(attr[..., f]).sum() > 0 for f in range(3)) == 2


def test_vis_traditional_renders_each_feature(layer_nmf):
    images = layer_nmf.vis_traditional([0, 2])
    assert images.shape == (2, 32, 32, 3) and np.isfinite(images).all()


def test_argmax_nd_and_repeat_limits():
    x = np.random.RandomState(0).uniform(size=(5, 4, 3, 6))
    obs, h = nmf.argmax_nd(x, axes=[0, 1])
    assert obs.shape == (3, 6)
    np.testing.assert_array_equal(x[obs, h, np.arange(3)[:, None], np.arange(6)], x.max(axis=(0, 1)))
    obs, _ = nmf.argmax_nd(x, axes=[0, 1], max_rep=1)
    assert len(set(obs.ravel())) == 5  # 18 choices from 5 observations: the limit cannot hold, repeats allowed
    with pytest.raises(ValueError, match="at most 1 times"):
        nmf.argmax_nd(x, axes=[0, 1], max_rep=1, max_rep_strict=True)
    obs, _ = nmf.argmax_nd(x[..., 0], axes=[0, 1], max_rep=1)
    assert len(set(obs.ravel())) == 3


def test_rescale_opacity():
    images = np.zeros((10, 10, 4))
    images[..., 3] = np.linspace(0, 0.5, 100).reshape(10, 10)
    out = nmf.rescale_opacity(images, opaque_frac=0.1)
    assert (out[..., 3] >= 15 / 255).all() and np.mean(out[..., 3] == 1) >= 0.1
    assert nmf.rescale_opacity(images, keep_zeros=True)[0, 0, 3] == 0


def test_util_helpers(model):
    assert util.zoom_to(np.zeros((2, 7, 7, 3)), 30).shape == (2, 28, 28, 3)
    two = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(util.channels_to_rgb(two, warp=False), [[1, 0, 0], [0, 1, 1], [0.5, 0.5, 0.5]])
    assert util.channels_to_rgb(two)[1, 1] < 1  # warped: the second hue sits past cyan, towards blue
    with pytest.raises(ValueError, match="non-negative"):
        util.channels_to_rgb(-np.ones((2, 3)))
    kernel = util.norm_filter(5)
    assert kernel.shape == (5, 5) and np.isclose(kernel.sum(), 1) and kernel[0, 0] == 0
    assert kernel[2, 2] == kernel.max() and np.allclose(kernel, kernel.T)
    image = np.random.RandomState(0).uniform(size=(1, 6, 6, 1))
    np.testing.assert_allclose(
        util.conv2d(image, kernel[..., None, None])[0, 2, 2, 0], (image[0, :5, :5, 0] * kernel).sum(), rtol=1e-5
    )
    rgba = util.brightness_to_opacity(np.array([[0.5, 0.25, 0.0], [0, 0, 0]]))
    np.testing.assert_allclose(rgba, [[1, 0.5, 0, 0.5], [0, 0, 0, 0]])
    assert util.concatenate_horizontally([np.ones((2, 3, 3)), np.ones((4, 1, 3))]).shape == (4, 4, 3)
    assert util.get_var(model, "Const").shape == (3, 3, 3, 8)
    assert util.get_shape(model, "conv2") == [None, 16, 16, 16]


def test_clear_cnn_builds_trainable_features():
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        images = tf.compat.v1.placeholder(tf.uint8, [None, 64, 64, 3])
        features = arch.clear_cnn(images, batch_norm=True)
        sess.run(tf.compat.v1.global_variables_initializer())
        out = sess.run(features, {images: np.random.RandomState(0).randint(0, 256, (2, 64, 64, 3))})
        assert out.shape == (2, 256) and (out >= 0).all() and out.max() > 0
        assert len(tf.compat.v1.trainable_variables()) == 8


def test_joblib_needs_allow_pickle(tmp_path):
    pytest.importorskip("joblib")
    path = str(tmp_path / "obs.jd")
    joblib_wrapper.save_joblib({"obses": np.arange(3)}, path)
    with pytest.raises(ValueError, match="allow_pickle=True"):
        joblib_wrapper.load_joblib(path)
    np.testing.assert_array_equal(joblib_wrapper.load_joblib(path, allow_pickle=True)["obses"], np.arange(3))
    assert [p.name for p in tmp_path.iterdir()] == ["obs.jd"]  # no temporary file left


def test_star_import_and_reload():
    names = rl_util.all_()
    for name in ["LayerNMF", "get_attr", "get_multi_path_attr", "channels_to_rgb", "load_joblib", "np", "render"]:
        assert name in names and name in rl_util.__all__
    assert "colorsys" not in names
    namespace = {}
    rl_util.reload(namespace)
    assert namespace["zoom_to"] is util.zoom_to


def test_attribution_on_the_embedded_model():
    from lucid.modelzoo.vision_models import EfficientNetLite0

    images = np.random.RandomState(0).uniform(size=(2, 224, 224, 3)).astype(np.float32)
    attr = attribution.get_attr(EfficientNetLite0(), "logits", "block6", images, act_dir=np.eye(1000)[1])
    assert attr.shape[0] == 2 and attr.ndim == 4 and np.abs(attr).sum() > 0
