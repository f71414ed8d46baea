"""lucid.scratch.rl_util on the tiny conv net and the embedded EfficientNet-Lite0; the original's results (values
measured with the original Lucid on the same graph and inputs) on a fixed-weight two-layer graph."""

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import layer_values

import lucid.scratch.rl_util as rl_util
from lucid.modelzoo.vision_base import Model
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
def fixed(tmp_path_factory):
    """(model, obses): conv1 (3x3, 6) -> pool1 (max 2x2) -> conv2 (3x3, 8), weights from RandomState(0), and six
    16x16 observations from RandomState(1); the same graph and inputs the expected values were measured on."""
    rng = np.random.RandomState(0)
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="input")
        w1 = tf.constant(rng.randn(3, 3, 3, 6).astype(np.float32) * 0.5, name="conv1_w")
        b1 = tf.constant(rng.randn(6).astype(np.float32) * 0.1, name="conv1_b")
        c1 = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w1, 1, "SAME"), b1), name="conv1")
        p1 = tf.nn.max_pool2d(c1, 2, 2, "SAME", name="pool1")
        w2 = tf.constant(rng.randn(3, 3, 6, 8).astype(np.float32) * 0.3, name="conv2_w")
        b2 = tf.constant(rng.randn(8).astype(np.float32) * 0.1, name="conv2_b")
        tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(p1, w2, 1, "SAME"), b2), name="conv2")
    path = tmp_path_factory.mktemp("fixed") / "fixed.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString())

    class Fixed(Model):
        model_path = str(path)
        image_shape = [16, 16, 3]
        image_value_range = (0, 1)
        input_name = "input"

    return Fixed(), np.random.RandomState(1).uniform(size=(6, 16, 16, 3)).astype(np.float32)


def test_maxpool_override_is_the_l2_smoothed_pool(fixed):
    model, obses = fixed
    grad = attribution.get_grad(model, "conv2", obses[:2], override=attribution.maxpool_override())
    assert grad.sum() == pytest.approx(901.8664, rel=1e-5) and np.abs(grad).sum() == pytest.approx(1371.763, rel=1e-5)
    np.testing.assert_allclose(grad[0, 3, 4], [1.6522536, 1.7463220, 2.6647174], rtol=1e-5)


def test_act_dir_weights_the_channels_before_score_fn(fixed):
    model, obses = fixed
    direction = np.linspace(-1, 1, 8).astype(np.float32)
    grad = attribution.get_grad(
        model, "conv2", obses[:2], act_dir=direction, score_fn=lambda t: tf.reduce_sum(t[..., :3] ** 2, [1, 2, 3])
    )
    assert grad.sum() == pytest.approx(10.418387, rel=1e-5)


def test_get_shape_with_an_input_of_unknown_size(fixed):
    assert util.get_shape(fixed[0], "conv2") == [None, None, None, 8]


class _LinearNMF:
    """A stand-in for LayerNMF in get_paths: 4 features, a fixed [4, 6] basis."""

    features = 4
    W = np.random.RandomState(4).uniform(size=(4, 6))

    def transform(self, acts):
        return acts @ np.linalg.pinv(self.W)

    def inverse_transform(self, reduced):
        return reduced @ self.W


def test_get_paths_draws_splits_as_the_original():
    acts = np.random.RandomState(5).uniform(size=(2, 3, 3, 6))
    np.random.seed(0)
    paths = list(attribution.get_paths(acts, _LinearNMF(), max_paths=3, integrate_steps=2))
    assert [len(path) for path in paths] == [2, 2, 2] and paths[0][0].shape == acts.shape
    sums = [12.891110743867706, 53.0893944598204, 40.198283715952684, 53.0893944598204, 28.69990202169268]
    np.testing.assert_allclose([step.sum() for path in paths for step in path][:5], sums, rtol=1e-6)
    assert np.random.uniform() == pytest.approx(0.8442657485810173)  # the same draws from np.random


def test_multi_path_attr_averages_over_paths(fixed):
    model, obses = fixed
    np.random.seed(0)
    attr = attribution.get_multi_path_attr(
        model, "conv2", "pool1", obses[:2], _LinearNMF(), max_paths=4, integrate_steps=3
    )
    assert attr.shape == (2, 8, 8, 6) and attr.sum() == pytest.approx(803.8567311920035, rel=1e-5)
    expected = [-0.7602692636, 3.5190644956, 0.0559163330, 3.1861981935, -0.0878236653, 0.7004836025]
    np.testing.assert_allclose(attr[0, 2, 3], expected, rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module")
def unreduced(fixed):
    model, obses = fixed
    return nmf.LayerNMF(model, "conv2", obses, obses_full=obses.repeat(2, 1).repeat(2, 2), features=None)


def test_layer_nmf_without_features_keeps_the_channels(unreduced):
    assert unreduced.acts_reduced.shape == (6, 8, 8, 8) and unreduced.patch_h == 4.0
    np.testing.assert_array_equal(unreduced.channel_dirs, np.eye(8))


def test_vis_dataset_as_the_original(unreduced):
    image, indices = unreduced.vis_dataset(3)
    assert image.shape == (32, 32, 4) and image.dtype == np.float64
    assert indices[:3] == [[5, 5, 0, 0, 0, 0, 0, 0], [2, 0, 5, 0, 0, 0, 0, 0], [5, 0, 0, 2, 0, 0, 3, 0]]
    assert (image[..., 3].sum(), image[..., :3].sum()) == pytest.approx((152.48384024013066, 1558.894455582602))
    image, indices = unreduced.vis_dataset(2, subdiv_mult=2)
    assert image.shape == (68, 68, 4) and indices[14] == [5, 5, 5, 4, 4, 5, 0, 3, 0, 0, 0, 0, 0, 4, 3, 3, 3]
    assert (image[..., 3].sum(), image[..., :3].sum()) == pytest.approx((384.85097181123564, 7508.695785218268))


def test_padding_is_a_checkerboard_and_thumbnails_as_the_original(unreduced):
    image, indices = unreduced.vis_dataset_thumbnail(4, num_mult=2)
    assert image.shape == (8, 8, 4) and image.dtype == np.float64 and indices == [[2, 4], [3, 1]]
    assert (image[..., 3].sum(), image[..., :3].sum()) == pytest.approx((59.639628769640595, 106.2435471471399))
    assert (unreduced.pad_h, unreduced.pad_w, unreduced.padded_obses.shape) == (4, 4, (6, 40, 40, 3))
    np.testing.assert_array_equal(unreduced.padded_obses[0, :2, :3, 0], [[0.75, 1, 0.75], [1, 0.75, 1]])
    image, indices = unreduced.vis_dataset(3, expand_mult=2, top_frac=0.3)
    assert image.shape == (64, 64, 4) and indices[0] == [5, 5, 1, 1, 1, 1, 0, 1]
    assert (image[..., 3].sum(), image[..., :3].sum()) == pytest.approx((609.9353609605228, 6759.013083698694))


def test_vis_traditional_renders_each_feature(fixed):
    layer = nmf.LayerNMF(fixed[0], "conv2", fixed[1], features=2)
    images = layer.vis_traditional([1], transforms=[])
    assert images.shape == (1, 64, 64, 3) and np.isfinite(images).all()


def test_argmax_nd_with_repeat_limits_as_the_original():
    x = np.random.RandomState(2).uniform(size=(4, 3, 5))
    (obs,) = nmf.argmax_nd(x, [0], max_rep=1, max_rep_strict=False)
    np.testing.assert_array_equal(obs, [[1, 1, 3, 1, 3], [3, 2, 0, 3, 2], [2, 0, 2, 3, 3]])
    h, w = nmf.argmax_nd(x, [1, 2], max_rep=1, max_rep_strict=True)
    np.testing.assert_array_equal(h, [1, 0, 2, 2])
    np.testing.assert_array_equal(w, [2, 1, 0, 3])


def test_rescale_opacity_per_image_as_the_original():
    images = np.random.RandomState(3).uniform(size=(2, 4, 5, 4)).astype(np.float32)
    out = nmf.rescale_opacity(images)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0, 0, :, 3], [0.79546034, 0.35767725, 0.71759796, 0.91087472, 0.65741843], rtol=1e-5)
    np.testing.assert_allclose(out[1, 1, :, 3], [1.0, 0.54170150, 0.50851959, 0.94027293, 0.10733021], rtol=1e-5)


def test_util_helpers_as_the_original():
    a = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    zoomed = util.zoom_to(a, 7)
    assert zoomed.shape == (5, 7, 3)
    np.testing.assert_array_equal(zoomed[[0, 2], :, 0], [[0, 0, 3, 3, 3, 6, 6], [9, 9, 12, 12, 12, 15, 15]])
    np.testing.assert_allclose(
        util.conv2d(a[None] / 10, np.float32([[0, 1], [2, 3]]))[0, ..., 1], [[6.3, 8.1, 3.2], [1.3, 1.6, 0]], rtol=1e-6
    )
    e = np.exp(-1)
    np.testing.assert_allclose(util.norm_filter(3), [[0, e, 0], [e, 1, e], [0, e, 0]])
    assert util.norm_filter(4)[0].tolist() == pytest.approx([0, 0.20574066108381442, 0.20574066108381442, 0])
    rgba = util.brightness_to_opacity(np.float32([[0.3, 0.4, 0.0], [0, 0, 0], [1, 1, 1]]))
    np.testing.assert_allclose(rgba, [[0.6, 0.8, 0, 0.5], [0, 0, 0, 0], [1, 1, 1, 1]], rtol=1e-6)
    batch = np.random.RandomState(0).uniform(size=(3, 2, 4, 3))
    np.testing.assert_array_equal(util.concatenate_horizontally(batch), np.concatenate(list(batch), axis=1)[None])


def test_clear_cnn_is_the_originals_network():
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        images = tf.compat.v1.placeholder(tf.uint8, [None, 64, 64, 3])
        features = arch.clear_cnn(images, batch_norm=True)
        sess.run(tf.compat.v1.global_variables_initializer())
        out = sess.run(features, {images: np.random.RandomState(0).randint(0, 256, (2, 64, 64, 3))})
        assert out.shape == (2, 512) and (out >= 0).all() and out.max() > 0
        shapes = {v.name: v.shape.as_list() for v in tf.compat.v1.global_variables()}
    assert shapes["1a/conv2d/kernel:0"] == [7, 7, 3, 16] and shapes["4a/conv2d/kernel:0"] == [5, 5, 32, 32]
    assert shapes["2b/batch_normalization/moving_variance:0"] == [32]
    assert shapes["dense/kernel:0"] == [4 * 4 * 32, 256] and shapes["dense_1/kernel:0"] == [256, 512]
    assert len(shapes) == 5 * 2 + 5 * 4 + 4


def test_star_import_names_and_reload():
    names = rl_util.all_()
    assert names == rl_util.__all__ and names[:4] == ["np", "tf", "Model", "ChannelReducer"]
    assert rl_util.Model is Model and len(names) == 37
    namespace = {}
    rl_util.reload(namespace)
    assert set(namespace) == set(names) and namespace["zoom_to"] is util.zoom_to


def test_joblib_needs_allow_pickle(tmp_path):
    pytest.importorskip("joblib")
    path = str(tmp_path / "obs.jd")
    joblib_wrapper.save_joblib({"obses": np.arange(3)}, path)
    with pytest.raises(ValueError, match="allow_pickle=True"):
        joblib_wrapper.load_joblib(path)
    np.testing.assert_array_equal(joblib_wrapper.load_joblib(path, allow_pickle=True)["obses"], np.arange(3))
    assert [p.name for p in tmp_path.iterdir()] == ["obs.jd"]  # no temporary file left


def test_attribution_on_the_embedded_model():
    from lucid.modelzoo.vision_models import EfficientNetLite0

    images = np.random.RandomState(0).uniform(size=(2, 224, 224, 3)).astype(np.float32)
    attr = attribution.get_attr(EfficientNetLite0(), "logits", "block6", images, act_dir=np.eye(1000)[1])
    assert attr.shape[0] == 2 and attr.ndim == 4 and np.abs(attr).sum() > 0
