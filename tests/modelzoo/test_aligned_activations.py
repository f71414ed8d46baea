"""Layer.activations (the zoo's aligned activations, read here from a local file:// mirror) and Model.synsets."""

import importlib.util

import numpy as np
import pytest

from lucid.modelzoo import aligned_activations
from lucid.modelzoo.vision_models import InceptionV1


@pytest.fixture
def mirror(tmp_path, monkeypatch, cache_dir):
    """A LUCID_MODELZOO_URL mirror holding 10 pages of 10 samples of InceptionV1's first layer (64 channels)."""
    folder = tmp_path / "mirror" / "modelzoo" / "aligned-activations" / "InceptionV1"
    folder.mkdir(parents=True)
    pages = [np.random.rand(10, 64).astype(np.float32) for _ in range(aligned_activations.NUMBER_OF_PAGES)]
    for i, page in enumerate(pages):
        np.save(folder / ("conv2d0-%05d-of-01000.npy" % i), page)
    monkeypatch.setenv("LUCID_MODELZOO_URL", (tmp_path / "mirror").as_uri())
    _forget_cached_activations()
    yield np.vstack(pages)
    _forget_cached_activations()


def _forget_cached_activations():
    InceptionV1().layers[0]._activations = None  # zoo Layers are shared by the class and cache their activations
    for cached in (
        aligned_activations.get_aligned_activations,
        aligned_activations.layer_covariance,
        aligned_activations.layer_inverse_covariance,
    ):
        cached.cache_clear()


def test_layer_activations_are_the_pages_stacked(mirror):
    layer = InceptionV1().layers[0]
    np.testing.assert_array_equal(layer.activations, mirror)
    cov = aligned_activations.layer_covariance(layer)
    np.testing.assert_allclose(cov, mirror.T @ mirror / len(mirror), rtol=1e-5)


def test_push_activations_to_the_same_layer_is_the_identity(mirror):
    layer = InceptionV1().layers[0]
    acts = np.random.rand(5, 64)
    np.testing.assert_allclose(aligned_activations.push_activations(acts, layer, layer), acts, atol=1e-3)


def test_missing_pages_raise_a_clear_error(tmp_path, monkeypatch, cache_dir):
    monkeypatch.setenv("LUCID_MODELZOO_URL", (tmp_path / "empty").as_uri())
    _forget_cached_activations()
    with pytest.raises(FileNotFoundError, match="conv2d0-00000-of-01000.npy"):
        InceptionV1().layers[0].activations


@pytest.mark.skipif(importlib.util.find_spec("nltk") is not None, reason="nltk installed: synsets would download")
def test_synsets_without_nltk_say_how_to_get_it():
    model = InceptionV1()
    model._synset_ids = ["n01484850"]
    with pytest.raises(ImportError, match="pip install nltk"):
        model.synsets
