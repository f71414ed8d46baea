"""ndimage_utils (resize, composite, alpha blending, checkerboard), show's RGBA display, ChannelReducer."""

import numpy as np
import pytest

from lucid.misc import ndimage_utils
from lucid.misc.io import showing


def test_resize_sizes_ratios_and_identity():
    img = np.random.rand(6, 8, 3).astype(np.float32)
    assert ndimage_utils.resize(img, (6, 8)) is img
    assert ndimage_utils.resize(img, ratios=1) is img
    assert ndimage_utils.resize(img, 4).shape == (4, 4, 3)
    assert ndimage_utils.resize(img, ratios=(0.5, 2)).shape == (3, 16, 3)
    batch = np.random.rand(2, 6, 8, 5)
    assert ndimage_utils.resize(batch, (3, 5)).shape == (2, 3, 5, 5)


def test_resize_matches_references():
    img = np.random.rand(3, 4, 2).astype(np.float32)
    nearest = ndimage_utils.resize(img, (6, 8), order=0)
    np.testing.assert_array_equal(nearest, img.repeat(2, 0).repeat(2, 1))
    constant = np.full((5, 7, 3), 0.25, np.float32)
    for order in (1, 3):
        np.testing.assert_allclose(ndimage_utils.resize(constant, (11, 3), order=order), 0.25, atol=1e-6)


def test_resize_errors():
    with pytest.raises(ValueError, match="rank 3"):
        ndimage_utils.resize(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match="exactly one"):
        ndimage_utils.resize(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="order"):
        ndimage_utils.resize(np.zeros((4, 4, 3)), 2, order=2)


def test_composite_places_the_scaled_foreground():
    background = np.zeros((20, 40, 3), np.float32)
    foreground = np.ones((4, 4, 3), np.float32)
    result = ndimage_utils.composite(
        background, foreground, foreground_width_ratio=0.25, foreground_position=(1.0, 0.0)
    )
    assert background.max() == 0  # not modified
    expected = np.zeros_like(background)
    expected[10:20, 0:10] = 1
    np.testing.assert_allclose(result, expected, atol=1e-6)
    assert ndimage_utils.composite(background, foreground, foreground_width_ratio=0) is background


def test_soft_alpha_blend_and_checkerboard():
    rgba = np.random.rand(4, 4, 4).astype(np.float32)
    opaque, clear = rgba.copy(), rgba.copy()
    opaque[..., 3], clear[..., 3] = 1, 0
    np.testing.assert_allclose(ndimage_utils.soft_alpha_blend(opaque), rgba[..., :3], rtol=1e-5)
    np.testing.assert_allclose(ndimage_utils.soft_alpha_blend(clear, amount_background=0.4), 0.4, rtol=1e-5)
    np.testing.assert_allclose(ndimage_utils.checkerboard_composite(opaque), rgba[..., :3])
    board = ndimage_utils.checkerboard_composite(np.zeros((2, 4, 4, 4)), square=2, shades=(0.1, 0.7))
    assert board.shape == (2, 4, 4, 3)
    np.testing.assert_allclose(board[0, :, :, 0], [[0.1, 0.1, 0.7, 0.7]] * 2 + [[0.7, 0.7, 0.1, 0.1]] * 2)
    with pytest.raises(ValueError, match="RGBA"):
        ndimage_utils.soft_alpha_blend(np.zeros((2, 2, 3)))


def test_show_draws_rgba_over_a_checkerboard():
    rgba = np.random.rand(2, 8, 8, 4).astype(np.float32)
    shown = showing.as_image(rgba)
    assert shown.shape == (8, 16, 3)
    np.testing.assert_allclose(shown, np.hstack(ndimage_utils.checkerboard_composite(rgba)))
    as_uint8 = showing.as_image((rgba[0] * 255).astype(np.uint8))
    assert as_uint8.dtype == np.uint8 and as_uint8.shape == (8, 8, 3)


def _low_rank_activations(rng):
    factors = rng.rand(6, 5, 3)
    components = rng.rand(3, 10)
    return factors @ components


def test_channel_reducer_nmf_reconstructs_low_rank_activations():
    pytest.importorskip("sklearn")
    from lucid.misc.channel_reducer import ChannelReducer

    acts = _low_rank_activations(np.random.RandomState(0))
    reducer = ChannelReducer(3, "NMF", max_iter=2000, tol=1e-8)
    factors = reducer(acts)
    assert factors.shape == (6, 5, 3) and reducer.components.shape == (3, 10)
    np.testing.assert_allclose(factors @ reducer.components, acts, atol=1e-2)
    again = reducer(acts)  # second call: transform only
    np.testing.assert_allclose(again @ reducer.components, acts, atol=2e-2)
    assert "components" in dir(reducer)


def test_channel_reducer_pca_matches_numpy_svd():
    pytest.importorskip("sklearn")
    from lucid.misc.channel_reducer import ChannelReducer

    acts = np.random.RandomState(1).randn(40, 6)
    reducer = ChannelReducer(2, "PCA").fit(acts)
    _, _, vt = np.linalg.svd(acts - acts.mean(0), full_matrices=False)
    np.testing.assert_allclose(np.abs(reducer.components), np.abs(vt[:2]), atol=1e-6)
    assert reducer.transform(acts[None]).shape == (1, 40, 2)


def test_channel_reducer_errors():
    pytest.importorskip("sklearn")
    from lucid.misc.channel_reducer import ChannelReducer

    with pytest.raises(ValueError, match="n_components"):
        ChannelReducer(2.5)
    with pytest.raises(ValueError, match="Unknown reduction_alg"):
        ChannelReducer(2, "NotAnAlgorithm")
    with pytest.raises(RuntimeError, match="fit"):
        ChannelReducer(2, "PCA").transform(np.ones((4, 3)))
    with pytest.raises(AttributeError, match="not_an_attribute"):
        ChannelReducer(2, "PCA").not_an_attribute
