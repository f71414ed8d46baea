"""lucid.recipes.class_visualization: the library's class recipe (its quality: benchmarks/bench_class_recipe.py)."""

import numpy as np
import pytest
import tensorflow as tf

import lucid.modelzoo.vision_models as models
from lucid.recipes import quality
from lucid.recipes.class_visualization import class_objective, class_transforms, class_visualization

DAISY = 985


@pytest.fixture(scope="module")
def efficientnet():
    return models.EfficientNetLite0()


def test_class_by_name_or_index_gives_the_same_render(efficientnet):
    by_name = class_visualization(efficientnet, "daisy", size=32, steps=2, use_fixed_seed=True)
    by_index = class_visualization(efficientnet, DAISY, size=32, steps=2, use_fixed_seed=True)
    assert by_name.shape == (32, 32, 3) and 0 <= by_name.min() and by_name.max() <= 1
    np.testing.assert_array_equal(by_name, by_index)
    batch = class_visualization(efficientnet, [DAISY, "goldfish"], size=24, steps=2, views=2)
    assert batch.shape == (2, 24, 24, 3)


def test_class_objective_sums_each_images_log_softmax_over_copies():
    logits = np.random.RandomState(0).randn(4, 5).astype(np.float32)  # 2 images, 2 views each
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        lookup = {"logits": tf.constant(logits)}.get
        value, raw = sess.run([class_objective([1, 3], log_softmax=True)(lookup), class_objective([1, 3])(lookup)])
    np.testing.assert_allclose(value, log_softmax[[0, 1, 2, 3], [1, 3, 1, 3]].sum(), rtol=1e-5)
    np.testing.assert_allclose(raw, logits[[0, 1, 2, 3], [1, 3, 1, 3]].sum(), rtol=1e-5)


def test_class_transforms_mirror_each_copy_at_random_in_one_batched_op():
    image = np.random.RandomState(0).rand(1, 8, 8, 3).astype(np.float32)
    with tf.Graph().as_default() as graph, tf.compat.v1.Session() as sess:
        tf.compat.v1.set_random_seed(0)
        t = tf.constant(image)
        for transform in class_transforms(views=64, box_size=(1, 1), noise=0):  # whole-image crops: only the flip
            t = transform(t)
        copies = sess.run(t)
        loops = [op.type for op in graph.get_operations() if "While" in op.type]
    mirrored = [np.array_equal(copy, image[0, :, ::-1]) for copy in copies]
    unchanged = [np.array_equal(copy, image[0]) for copy in copies]
    assert all(m != u for m, u in zip(mirrored, unchanged)), "each copy is the image or its exact mirror"
    assert 0 < sum(mirrored) < len(copies), "both outcomes occur over 64 copies"
    assert not loops, "the flip is one batched op, not a per-image loop (%s)" % loops


@pytest.mark.parametrize(
    "labels, error, message",
    [
        ([], ValueError, "at least one label"),
        (1000, ValueError, "out of range"),
        ("not a flower", KeyError, "not a"),
        (9.5, TypeError, "int index or a label name"),
    ],
)
def test_bad_labels_are_named(efficientnet, labels, error, message):
    with pytest.raises(error, match=message):
        class_visualization(efficientnet, labels, size=16, steps=1)


@pytest.mark.slow
def test_the_target_class_wins_most_unseen_views(efficientnet):
    image = class_visualization(efficientnet, "daisy", size=128, steps=96, use_fixed_seed=True)
    assert quality.robust_accuracy(efficientnet, image[None], [DAISY], n_views=8)[0] >= 0.5
