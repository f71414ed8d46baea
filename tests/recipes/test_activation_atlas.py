"""recipes.activation_atlas (layout, binning, icons, canvas, whole atlases) and recipes.building_blocks."""

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import layer_values

from lucid.recipes.activation_atlas import layout as atlas_layout
from lucid.recipes.activation_atlas import main as atlas
from lucid.recipes.activation_atlas import render as atlas_render


def test_normalize_layout():
    points = np.random.randn(200, 2) * [1, 10] + [5, -3]
    normalized = atlas_layout.normalize_layout(points)
    assert normalized.min() >= 0 and normalized.max() <= 1
    low, high = np.percentile(points, 1, axis=0), np.percentile(points, 99, axis=0)
    np.testing.assert_allclose(normalized[0], np.clip(0.1 + 0.8 * (points[0] - low) / (high - low), 0, 1))


def test_bin_laid_out_activations():
    layout = np.array([[0.1, 0.1]] * 3 + [[0.9, 0.2]] * 2 + [[0.6, 0.95]] * 4 + [[1.0, 1.0]])
    acts = np.arange(len(layout) * 2, dtype=np.float32).reshape(-1, 2)
    means, coordinates, counts = atlas.bin_laid_out_activations(layout, acts, grid_size=2, threshold=1)
    assert coordinates == [(0, 0), (1, 0), (1, 1)]
    np.testing.assert_array_equal(counts, [3, 2, 5])
    np.testing.assert_allclose(means, [acts[:3].mean(0), acts[3:5].mean(0), acts[5:].mean(0)])
    with pytest.raises(RuntimeError, match="threshold"):
        atlas.bin_laid_out_activations(layout, acts, grid_size=2, threshold=5)


def test_make_canvas():
    icons = np.stack([np.full((2, 2, 3), 0.1), np.full((2, 2, 3), 0.2)])
    canvas = atlas.make_canvas(icons, [(0, 1), (2, 0)], grid_size=3)
    assert canvas.shape == (6, 6, 3)
    expected = np.ones((6, 6, 3))  # white where there is no icon
    expected[2:4, 0:2] = 0.1  # x = 0 (column), y = 1 (row)
    expected[0:2, 4:6] = 0.2
    np.testing.assert_allclose(canvas, expected)


def test_direction_neuron_objectives_match_numpy(sess):
    acts = np.random.randn(2, 3, 5, 4).astype(np.float32)
    vec = np.random.randn(4).astype(np.float32)
    S = np.random.randn(4, 4).astype(np.float32)
    T = lambda name: tf.constant(acts)  # noqa: E731
    centre = acts[1, 1, 2]
    whitened = vec @ S
    plain = sess.run(atlas_render.direction_neuron_S("l", vec, batch=1, S=S)(T))
    np.testing.assert_allclose(plain, centre @ whitened, rtol=1e-4)
    cossim = sess.run(atlas_render.direction_neuron_cossim_S("l", vec, batch=0, x=0, y=4, cossim_pow=2)(T))
    at = acts[0, 0, 4]
    cos = max(0.1, at @ vec / (np.linalg.norm(at) + 1e-4) / (np.linalg.norm(vec) + 1e-4))
    np.testing.assert_allclose(cossim, at @ vec * cos**2, rtol=1e-4)
    with pytest.raises(TypeError, match="batch"):
        atlas_render.direction_neuron_S("l", vec)


def test_render_icons_points_icons_along_their_directions(model):
    directions = np.eye(16, dtype=np.float32)[[3, 9]]
    icons, extra = atlas_render.render_icons(
        directions, model, "conv2_pre_relu", size=24, n_steps=30, num_attempts=2, cossim=False
    )
    assert icons.shape == (2, 24, 24, 3) and extra == []
    # The objective reads the centre neuron of the randomly jittered, scaled and rotated icon, so measure the
    # centre 5 x 5 window of the plain icon: its single centre value failed about 1 run in 20.
    centre = layer_values(model, "conv2_pre_relu", icons)[:, 4:9, 4:9].mean(axis=(1, 2))
    assert centre[0, 3] > centre[1, 3] and centre[1, 9] > centre[0, 9]
    alpha_icons, _ = atlas_render.render_icons(
        directions[:1], model, "conv2", size=24, n_steps=2, num_attempts=1, alpha=True
    )
    assert alpha_icons.shape == (1, 24, 24, 3)


def test_sample_activations(model):
    images = np.random.rand(3, 16, 16, 3).astype(np.float32)
    full = layer_values(model, "conv2", images)  # [3, 8, 8, 16]
    every = atlas.sample_activations(model, "conv2", images, positions_per_image=None)
    np.testing.assert_allclose(every, full.reshape(-1, 16), rtol=1e-5, atol=1e-6)
    sampled = atlas.sample_activations(model, "conv2", images, positions_per_image=5)
    assert sampled.shape == (15, 16)
    rows = {tuple(np.round(r, 4)) for r in full.reshape(-1, 16)}
    assert all(tuple(np.round(r, 4)) in rows for r in sampled)


def test_combine_activations_pushes_through_the_linear_map():
    rng = np.random.RandomState(0)
    acts1 = rng.randn(50, 4)
    mapping = rng.randn(4, 3)
    acts2 = acts1 @ mapping
    one, two = atlas._combine_activations(None, None, acts1, acts2, mode=atlas.ActivationTranslation.ONE_TO_TWO)
    np.testing.assert_allclose(two, acts2, atol=1e-8)
    both1, both2 = atlas._combine_activations(None, None, acts1, acts2)
    assert both1.shape == (100, 4) and both2.shape == (100, 3)
    np.testing.assert_allclose(both2[:50], acts2, atol=1e-8)
    with pytest.raises(ValueError, match="paired"):
        atlas._combine_activations(None, None, acts1, acts2[:10])


def test_aligned_umap_needs_umap_learn():
    try:
        import umap  # noqa: F401

        pytest.skip("umap-learn is installed")
    except ImportError:
        pass
    with pytest.raises(ImportError, match="umap-learn"):
        atlas_layout.aligned_umap(np.random.rand(10, 3))
    with pytest.raises(ValueError, match="method"):
        atlas_layout.aligned_layout(np.random.rand(10, 3), method="pca-ish")


def _clustered_activations(rng, n_per_cluster=20, depth=16):
    centres = np.eye(depth)[[2, 5, 11]] * 3
    return np.concatenate([c + 0.1 * rng.randn(n_per_cluster, depth) for c in centres]).astype(np.float32)


def test_activation_atlas_end_to_end(model):
    pytest.importorskip("sklearn")
    acts = _clustered_activations(np.random.RandomState(0))
    fast = {"max_iter": 250}
    layouts = atlas_layout.aligned_layout([acts[:30], acts[30:]], method="tsne", options=fast)
    assert [layout.shape for layout in layouts] == [(30, 2), (30, 2)]
    canvas = atlas.activation_atlas(
        model,
        "conv2_pre_relu",
        grid_size=3,
        icon_size=16,
        activations=acts,
        n_steps=3,
        icon_batch_size=9,
        threshold=2,
        layout_options=fast,
    )
    assert canvas.shape == (48, 48, 3)
    assert 0 <= canvas.min() and canvas.max() <= 1
    assert (canvas < 1).any()  # some icons were drawn on the white canvas


def test_aligned_activation_atlas_yields_progressive_canvases(model):
    pytest.importorskip("sklearn")
    acts1 = _clustered_activations(np.random.RandomState(1), n_per_cluster=8)
    acts2 = acts1 @ np.random.RandomState(2).randn(16, 8).astype(np.float32)
    per_model = list(
        atlas.aligned_activation_atlas(
            model,
            "conv2_pre_relu",
            model,
            "conv1",
            grid_size=2,
            icon_size=12,
            num_steps=2,
            icon_batch_size=2,
            activations1=acts1,
            activations2=acts2,
            layout_method="tsne",
            layout_options={"max_iter": 250},
        )
    )
    assert len(per_model) == 2
    for canvases in per_model:
        canvases = list(canvases)
        # Progressive: one canvas per rendered batch of icons, each holding all icons of the canvas before it.
        assert len(canvases) >= 2 and all(c.shape == (24, 24, 3) for c in canvases)
        drawn = [(c < 1).any(-1) for c in canvases]
        for before, after in zip(drawn, drawn[1:]):
            assert (after >= before).all() and after.sum() > before.sum()


@pytest.mark.filterwarnings("ignore:Maximum number of iterations")  # NMF's few default iterations are enough here
def test_neuron_groups_and_semantic_dictionary(model):
    pytest.importorskip("sklearn")
    from lucid.recipes import building_blocks

    image = np.random.rand(32, 32, 3).astype(np.float32)
    images, factors, directions = building_blocks.neuron_groups(
        model, image, "conv2", n_groups=3, image_size=20, steps=3
    )
    assert images.shape == (3, 20, 20, 3) and factors.shape == (16, 16, 3) and directions.shape == (3, 16)
    acts = layer_values(model, "conv2", image[None])[0]
    # Three groups explain most of the 16 channels (NMF's rank-3 fit of the activations).
    assert np.linalg.norm(factors @ directions - acts) < 0.6 * np.linalg.norm(acts)
    with pytest.raises(ValueError, match="non-negative"):
        building_blocks.neuron_groups(model, image, "conv2_pre_relu", n_groups=2)

    dictionary = building_blocks.semantic_dictionary(model, image, "conv2", n_top=2, image_size=16, steps=2)
    pre = layer_values(model, "conv2", image[None])[0]
    np.testing.assert_array_equal(dictionary["top_channels"][..., 0], pre.argmax(-1))
    np.testing.assert_allclose(dictionary["top_values"][..., 0], pre.max(-1), rtol=1e-5)
    assert set(dictionary["channel_images"]) == set(dictionary["top_channels"].ravel().tolist())
    assert next(iter(dictionary["channel_images"].values())).shape == (16, 16, 3)
