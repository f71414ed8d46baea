"""lucid.modelzoo.get_activations and lucid.misc.iter_nd_utils, on a tiny in-memory conv net."""

import numpy as np
import pytest
from tiny_models import layer_values

from lucid.misc.iter_nd_utils import batch_iter, dict_to_ndarray, recursive_enumerate_nd
from lucid.modelzoo.get_activations import get_activations, get_activations_iter
from lucid.modelzoo.vision_base import Layer


@pytest.fixture(scope="module")
def images():
    return np.random.RandomState(1).rand(5, 12, 12, 3).astype(np.float32)


# --- iter_nd_utils ----------------------------------------------------------------------------------------------


def test_recursive_enumerate_nd():
    nested = [[1, 2], [3, [4, 5]], "ab"]
    assert list(recursive_enumerate_nd(nested)) == [
        ((0, 0), 1),
        ((0, 1), 2),
        ((1, 0), 3),
        ((1, 1, 0), 4),
        ((1, 1, 1), 5),
        ((2,), "ab"),
    ]
    stop_at_lists = list(recursive_enumerate_nd(nested, stop_iter=lambda x: isinstance(x, list)))
    assert stop_at_lists == [((0,), [1, 2]), ((1,), [3, [4, 5]]), ((2,), "ab")]
    assert list(recursive_enumerate_nd([7], prefix=(3,))) == [((3, 0), 7)]
    array = np.zeros((2, 3, 4, 4, 3))
    leaves = list(recursive_enumerate_nd(array, stop_iter=lambda x: isinstance(x, np.ndarray) and x.ndim <= 3))
    assert [index for index, _ in leaves] == [(i, j) for i in range(2) for j in range(3)]
    assert all(leaf.shape == (4, 4, 3) for _, leaf in leaves)


def test_dict_to_ndarray():
    array = dict_to_ndarray({(0, 0): [1, 2], (1, 2): [3, 4]})
    assert array.shape == (2, 3, 2)
    np.testing.assert_array_equal(array[1, 2], [3, 4])
    np.testing.assert_array_equal(array[0, 1], [0, 0])
    with pytest.raises(ValueError, match="non-empty"):
        dict_to_ndarray({})
    with pytest.raises(ValueError, match="tuples of one length"):
        dict_to_ndarray({(0,): 1, (0, 1): 2})


def test_batch_iter():
    assert list(batch_iter(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batch_iter(iter([]), 3)) == []
    with pytest.raises(ValueError, match="positive int"):
        list(batch_iter(range(3), 0))


# --- get_activations --------------------------------------------------------------------------------------------


def test_activations_match_direct_evaluation_in_batches(model, images):
    expected = layer_values(model, "conv2", images)
    np.testing.assert_allclose(get_activations(model, "conv2", images, batch_size=2), expected, rtol=1e-5, atol=1e-6)
    layer = Layer(model, "conv2", 16, ["conv"])  # a Layer works as well as its name
    np.testing.assert_allclose(model.get_activations(layer, images), expected, rtol=1e-5, atol=1e-6)


def test_leading_index_axes_and_nested_lists(model, images):
    grid = np.stack([images[:2], images[2:4]])  # [2, 2, H, W, 3]
    acts = get_activations(model, "logits", grid, batch_size=3)
    expected = layer_values(model, "logits", images[:4])
    assert acts.shape == (2, 2, 10)
    np.testing.assert_allclose(acts.reshape(4, 10), expected, rtol=1e-5, atol=1e-6)
    nested = [[images[0]], [images[1], images[2]]]
    acts = get_activations(model, "logits", nested)
    assert acts.shape == (2, 2, 10)
    np.testing.assert_allclose(acts[1, 1], expected[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(acts[0, 1], 0)  # a missing slot stays zero


def test_center_only_and_dtype(model, images):
    full = layer_values(model, "conv1", images)
    acts = get_activations(model, "conv1", images, center_only=True, dtype=np.float16)
    assert acts.shape == (5, 8) and acts.dtype == np.float16
    np.testing.assert_allclose(acts, full[:, 6, 6], rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("reducer", ["mean", "max", "rms"])
def test_reducers_combine_images_with_one_index(model, images, reducer):
    acts = layer_values(model, "logits", images)
    pairs = [((0,), images[0]), ((1,), images[1]), ((0,), images[2]), ((0,), images[3])]
    result = get_activations_iter(model, "logits", iter(pairs), reducer=reducer, batch_size=3)
    reduce = {"mean": lambda a: a.mean(0), "max": lambda a: a.max(0), "rms": lambda a: np.sqrt((a**2).mean(0))}
    np.testing.assert_allclose(result[0], reduce[reducer](acts[[0, 2, 3]]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result[1], reduce[reducer](acts[[1]]), rtol=1e-5, atol=1e-6)
    assert result.shape == (2, 10)


def test_bad_arguments(model, images):
    with pytest.raises(ValueError, match="reducer"):
        get_activations_iter(model, "logits", iter([]), reducer="median")
    with pytest.raises(ValueError, match=r"image\[None\]"):
        get_activations(model, "logits", images[0])
    with pytest.raises(ValueError, match="empty"):
        get_activations(model, "logits", [])
    with pytest.raises(KeyError, match="nope"):
        get_activations(model, "nope", images)
