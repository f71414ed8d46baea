"""ndimage_utils (resize, composite, alpha blending), show's RGBA display, ChannelReducer; expected values of the
original measured with it on the same inputs."""

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
    with pytest.raises(ValueError, match="target_size"):
        ndimage_utils.resize(np.zeros((4, 4, 3)), "big")


def test_resize_is_scipy_zoom_as_the_original():
    np.random.seed(0)
    img = np.random.rand(3, 4, 2).astype(np.float32)
    cubic = ndimage_utils.resize(img, (5, 7))
    assert cubic.dtype == np.float32 and cubic.shape == (5, 7, 2)
    np.testing.assert_allclose(
        cubic[[0, 2, 4], :, 0],
        [
            [0.548814, 0.584175, 0.602763, 0.518211, 0.423655, 0.417232, 0.437587],
            [0.963663, 0.899238, 0.791725, 0.720519, 0.568045, 0.257362, 0.071036],
            [0.020218, 0.295431, 0.778157, 1.037772, 0.978618, 0.664421, 0.461479],
        ],
        atol=1e-6,
    )
    linear = ndimage_utils.resize(img.astype(np.float64), 6, order=1)  # kwargs go to scipy.ndimage.zoom
    assert linear.dtype == np.float64 and linear.shape == (6, 6, 2)
    np.testing.assert_allclose(linear.sum(), 43.9310043527931, rtol=1e-9)
    by_ratio = ndimage_utils.resize(img, ratios=(0.5, 1.5))
    assert by_ratio.shape == (2, 6, 2) and by_ratio.dtype == np.float32
    np.testing.assert_allclose(by_ratio.sum(), 15.653635, rtol=1e-6)


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


def test_soft_alpha_blend_as_the_original():
    np.random.seed(0)
    np.random.rand(3, 4, 2)
    rgba = np.random.rand(2, 3, 4).astype(np.float32)
    blended = ndimage_utils.soft_alpha_blend(rgba)  # over a pale version of itself, not over grey
    assert blended.dtype == np.float32 and blended.shape == (2, 3, 3)
    np.testing.assert_allclose(
        blended,
        [
            [[0.216108, 0.656029, 0.230439], [0.611812, 0.534219, 0.438711], [0.625504, 0.695647, 0.43503]],
            [[0.706937, 0.710375, 0.955878], [0.76878, 0.795765, 0.888699], [0.864184, 0.865712, 0.69518]],
        ],
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="RGBA"):
        ndimage_utils.soft_alpha_blend(np.zeros((2, 2, 3)))


def test_composite_squeezes_the_foreground_to_a_square_as_the_original():
    background = np.zeros((8, 12, 3), np.float32)
    foreground = np.random.rand(2, 4, 3).astype(np.float32) + 0.1
    result = ndimage_utils.composite(background, foreground, 0.5, (1.0, 0.5))
    pasted = np.argwhere(result.sum(-1) != 0)
    assert pasted.min(0).tolist() == [2, 3] and pasted.max(0).tolist() == [7, 8]  # 6 x 6, not 3 x 6


def test_show_keeps_rgba_as_the_original():
    rgba = np.random.rand(2, 8, 8, 4).astype(np.float32)
    shown = showing.as_image(rgba)
    assert shown.shape == (8, 16, 4)
    np.testing.assert_array_equal(shown, np.hstack(rgba))


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
    reducer = ChannelReducer(2, "PCA")
    fitted = reducer.fit(acts)
    assert type(fitted).__name__ == "PCA"  # the original's fit returns the estimator's fit's value
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
