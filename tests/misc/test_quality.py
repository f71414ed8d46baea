"""lucid.misc.quality: robust accuracy under unseen crops/rescales, activation ratios, and the benchmark."""

import numpy as np
import pytest
from tiny_models import layer_values

from lucid.misc import quality
from lucid.optvis import param


def test_random_views_are_rescaled_crops():
    image = np.random.rand(40, 60, 3).astype(np.float32)
    views = quality.random_views(
        image, 12, crop_range=(0.5, 0.5), scale_range=(0.5, 1.0), size=32, rng=np.random.RandomState(1)
    )
    assert len(views) == 12
    sizes = {view.shape for view in views}
    assert all(16 <= h == w <= 32 and c == 3 for h, w, c in sizes) and len(sizes) > 1
    for view in quality.random_views(np.full((20, 20, 3), 0.3, np.float32), 3, size=10):
        np.testing.assert_allclose(view, 0.3, atol=1e-6)


def test_robust_accuracy_counts_views_classified_as_the_target(model):
    # Constant colours: every crop and rescale looks the same, so the class never changes.
    images = np.stack([np.full((32, 32, 3), c, np.float32) for c in ([0.9, 0.1, 0.1], [0.1, 0.2, 0.9])])
    predicted = layer_values(model, "logits", images).argmax(-1)
    np.testing.assert_array_equal(quality.robust_accuracy(model, images, predicted, n_views=4), [1, 1])
    np.testing.assert_array_equal(quality.robust_accuracy(model, images, (predicted + 1) % 10, n_views=4), [0, 0])
    noise = np.random.rand(1, 32, 32, 3).astype(np.float32)
    fraction = quality.robust_accuracy(model, noise, [3], n_views=6)
    assert fraction.shape == (1,) and fraction[0] in np.arange(7) / 6
    with pytest.raises(ValueError, match="one class index per image"):
        quality.robust_accuracy(model, images, [1])


def test_channel_activations_and_ratio_match_numpy(model):
    images = np.random.rand(3, 32, 32, 3).astype(np.float32)
    natural = np.random.rand(5, 32, 32, 3).astype(np.float32)
    means = layer_values(model, "conv2", images).mean((1, 2))
    np.testing.assert_allclose(
        quality.channel_activations(model, images, "conv2", batch_size=2), means, rtol=1e-4, atol=1e-6
    )
    natural_best = layer_values(model, "logits", natural).max(0)
    logits = layer_values(model, "logits", images)
    channels = np.argsort(-natural_best)[:3]  # units with positive natural maxima
    ratios = quality.activation_ratio(model, images, "logits", channels, natural)
    np.testing.assert_allclose(ratios, logits[np.arange(3), channels] / natural_best[channels], rtol=1e-4)
    with pytest.raises(ValueError, match="never activate positively"):
        quality.activation_ratio(model, images, "logits", np.argmin(natural_best), natural)


def test_natural_crops():
    photos = [np.random.rand(30, 50, 3), np.random.rand(40, 40, 3)]
    crops = quality.natural_crops(photos, n_crops=5, size=16)
    assert crops.shape == (5, 16, 16, 3) and crops.dtype == np.float32


def test_benchmark_renders_and_measures_each_setup(model):
    natural = np.random.rand(4, 32, 32, 3).astype(np.float32)
    setups = quality.parameterizations(image_size=32, maco_size=32)
    assert sorted(setups) == ["default", "maco", "pixel"]
    small = {
        "default": setups["default"],
        "maco": (
            lambda batch: param.maco(32, batch=batch),
            param.maco_transforms(32, box_size=(0.8, 1.0)),
            setups["maco"][2],
        ),
    }
    classes = np.argsort(-layer_values(model, "logits", natural).max(0))[:2]  # positive on the natural images
    results = quality.benchmark(model, classes, natural, setups=small, steps=30, n_views=4)
    for name in small:
        result = results[name]
        images = result["images"]
        assert images.shape == (2, 32, 32, 3)
        # The figures are the measures of this module applied to the returned renders (views are seeded).
        accuracy = quality.robust_accuracy(model, images, classes, n_views=4)
        np.testing.assert_array_equal(result["per_class_accuracy"], accuracy)
        assert result["accuracy"] == pytest.approx(accuracy.mean())
        ratio = quality.activation_ratio(model, images, "logits", classes, natural)
        np.testing.assert_allclose(result["per_class_ratio"], ratio, rtol=1e-6)
        assert result["ratio"] == pytest.approx(ratio.mean()) and result["seconds"] > 0
    # Each render raises its own class logit more than the other render does.
    logits = layer_values(model, "logits", results["default"]["images"])
    a, b = classes
    assert logits[0, a] > logits[1, a] and logits[1, b] > logits[0, b]
