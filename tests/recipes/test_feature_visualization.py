"""recipes.feature_visualization and recipes.image_activations on a tiny conv net built in the test."""

import numpy as np
import pytest
from tiny_models import TinyConvNet, layer_values

from lucid.modelzoo.vision_base import _layers_from_list_of_dicts
from lucid.recipes import feature_visualization as fv
from lucid.recipes import image_activations as ia


@pytest.fixture
def model():
    model = TinyConvNet()
    model.layers = _layers_from_list_of_dicts(
        model,
        [
            {"name": "conv1", "depth": 8, "tags": ["conv"]},
            {"name": "conv2", "depth": 16, "tags": ["conv"]},
            {"name": "logits", "depth": 10, "tags": ["dense"]},
        ],
    )
    return model


def test_channel_recipe_raises_each_channel(model):
    (img1, losses1), (img2, losses2) = fv.channel(model, "conv2_pre_relu", [3, 7], n_steps=30)
    assert img1.shape == (32, 32, 3) and losses1.shape == (30,)
    for img, losses in ((img1, losses1), (img2, losses2)):
        assert losses[-5:].mean() > losses[:5].mean() + 0.05
        assert 0 <= img.min() and img.max() <= 1
    # Each image raises its own channel more than the other image does.
    acts = layer_values(model, "conv2_pre_relu", np.stack([img1, img2])).mean((1, 2))
    assert acts[0, 3] > acts[1, 3] and acts[1, 7] > acts[0, 7]


def test_single_channel_negative_and_alpha(model):
    img, losses = fv.channel(model, model.layers[1], 3, n_steps=40, negative=True)
    assert img.shape == (1, 32, 32, 3) and losses.shape == (1, 40)
    # Losses are signed (the negated channel, which rises). Random transforms make single steps noisy: compare
    # the first and last few steps.
    assert losses[0, -5:].mean() > losses[0, :5].mean()
    img, _ = fv.neuron(model, "conv1", 2, n_steps=5, alpha=True)
    assert img.shape == (1, 32, 32, 4)


def test_recipe_argument_errors(model):
    with pytest.raises(ValueError, match="Layer"):
        fv.channel(model, 3, 0)
    with pytest.raises(NotImplementedError):
        fv.channel(model, "conv1", 0, decorrelation_matrix=np.eye(3))


def test_positive_and_negative(model):
    images = fv.positive_and_negative(model, "conv2_pre_relu", 3, image_size=32, steps=30)
    assert images.shape == (2, 32, 32, 3)
    acts = layer_values(model, "conv2_pre_relu", images)[..., 3].mean((1, 2))
    assert acts[0] > acts[1]


def _gram_dissimilarity(model, layer, images):
    """1 - the mean cosine similarity of the images' Gram matrices in `layer` (0: all alike in style)."""
    acts = layer_values(model, layer, images).astype(np.float64)
    grams = np.stack([a.T @ a for a in acts.reshape(len(acts), -1, acts.shape[-1])]).reshape(len(acts), -1)
    grams /= np.linalg.norm(grams, axis=1, keepdims=True)
    similarities = grams @ grams.T
    return 1 - (similarities.sum() - np.trace(similarities)) / len(acts) / (len(acts) - 1)


def test_diversity_makes_the_batch_more_different_than_without_its_term(model):
    """Issue 24: the recipe's images differ more from each other (in pixels and in the Gram matrices its term
    compares) than the same batch rendered from the same start with strength 0."""
    batches = []
    for strength in (0, 1e2):
        np.random.seed(0)
        # No random transforms: the two runs then differ only by the diversity term (measured: ~1400x, ~2.5x).
        images = fv.diversity(
            model, "conv2_pre_relu", 3, n_images=3, image_size=24, steps=30, strength=strength, transforms=[]
        )
        batches.append(images)
    assert batches[1].shape == (3, 24, 24, 3)
    plain, diverse = (_gram_dissimilarity(model, "conv2_pre_relu", images) for images in batches)
    assert diverse > 100 * plain
    spread = [np.mean([np.abs(b[i] - b[j]).mean() for i in range(3) for j in range(i)]) for b in batches]
    assert spread[1] > 1.5 * spread[0]
    with pytest.raises(ValueError, match="n_images"):
        fv.diversity(model, "conv2", 3, n_images=1)


def test_interaction_raises_each_unit_alone_and_both_together(model):
    """Image 0 raises unit 1 (more than image 1 does), image 1 unit 2 (more than image 0 does), and image 2 raises
    both: each above the grey start and above the image that does not ask for it."""
    units = ("conv2_pre_relu", 4), ("conv2_pre_relu", 11)
    images = fv.interaction(model, *units, image_size=24, steps=40)
    assert images.shape == (3, 24, 24, 3)
    first, second = layer_values(model, "conv2_pre_relu", images).mean((1, 2))[:, [4, 11]].T
    grey = layer_values(model, "conv2_pre_relu", np.full((1, 24, 24, 3), 0.5)).mean((0, 1, 2))[[4, 11]]
    assert first[0] > first[1] and second[1] > second[0]
    assert first[2] > max(first[1], grey[0]) and second[2] > max(second[0], grey[1])


def test_activation_difference_and_direction(model):
    bright = np.random.uniform(0.6, 1, (3, 16, 16, 3)).astype(np.float32)
    dark = np.random.uniform(0, 0.4, (4, 16, 16, 3)).astype(np.float32)
    vec = fv.activation_difference(model, "conv2_pre_relu", bright, dark, batch_size=2)
    want = layer_values(model, "conv2_pre_relu", bright).mean((0, 1, 2)) - layer_values(
        model, "conv2_pre_relu", dark
    ).mean((0, 1, 2))
    np.testing.assert_allclose(vec, want, rtol=1e-4, atol=1e-5)
    (img,) = fv.direction(model, "conv2_pre_relu", vec, image_size=24, steps=30)
    (opposite,) = fv.direction(model, "conv2_pre_relu", -vec, image_size=24, steps=30)
    along = [layer_values(model, "conv2_pre_relu", x[None]).mean((0, 1, 2)) @ vec for x in (img, opposite)]
    assert along[0] > along[1]


def test_image_activations(model):
    image = np.random.rand(40, 40, 3).astype(np.float32)
    acts = ia.image_activations(model, image)
    assert sorted(acts) == ["conv1", "conv2"]
    resized = ia.resize(image, 32)
    np.testing.assert_allclose(acts["conv2"], layer_values(model, "conv2", resized[None])[0], rtol=1e-4, atol=1e-5)
    manifest = ia.manifest_image_activations(model, image, layer_names=["logits"])
    assert manifest["type"] == "image-activations" and manifest["took"] >= 0
    (value,) = manifest["values"]
    assert value["layer_name"] == "logits" and value["shape"] == (10,)
    with pytest.raises(ValueError, match="one image"):
        ia.image_activations(model, image[None])


def test_batched_activations(model):
    images = np.random.rand(5, 12, 12, 3).astype(np.float32)
    acts = ia.activations(model, model.layers[0], images, batch_size=2)
    np.testing.assert_allclose(acts, layer_values(model, "conv1", images), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="batch"):
        ia.activations(model, "conv1", images[0])
