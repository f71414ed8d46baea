"""Which sizes a graph accepts (issue 13): a converted model's minimum is a size where it computes something; zoo
GraphDefs are fitted to their native size only where they would otherwise fail."""

import numpy as np
import pytest
import tensorflow as tf

from lucid.modelzoo.input_sizes import SizeSupport
from lucid.modelzoo.vision_base import Model
from lucid.optvis import param, render, transform
from lucid.testing import random_inception_v1


@pytest.fixture(scope="module")
def inception():
    return random_inception_v1()


def test_fixed_size_aux_head_renders_at_other_sizes(inception):
    """nn0 (an auxiliary head with a fixed reshape) only runs at 224 px: it is fitted there."""
    (image,) = render.render_vis(inception, "nn0:3", param_f=lambda: param.image(128), thresholds=(1,), verbose=False)
    assert image.shape == (1, 128, 128, 3) and np.isfinite(image).all()


@pytest.mark.slow
def test_renders_that_ran_before_keep_their_images(inception):
    """InceptionV1's logits at 224 px with the standard transforms: the same image as with fitting switched off."""
    unfitted = random_inception_v1()
    unfitted._size_support = SizeSupport(True, 1, (224, 224))

    def run(model):
        return render.render_vis(
            model,
            "softmax2_pre_activation:3",
            param_f=lambda: param.image(224),
            thresholds=(3,),
            verbose=False,
            use_fixed_seed=True,
        )[-1]

    np.testing.assert_array_equal(run(inception), run(unfitted))


def test_minimum_is_a_size_where_no_tensor_is_empty():
    """A 3-pixel crop per side imports at any size, but below 7 x 7 it leaves nothing and the mean of nothing is NaN:
    the minimum is 7, and the model computes finite logits there."""
    weights = tf.constant(np.random.RandomState(0).randn(3, 5).astype(np.float32))
    model = Model.from_function(
        lambda x: {"logits": tf.reduce_mean(x[:, 3:-3, 3:-3, :], axis=[1, 2]) @ weights},
        tf.TensorSpec([None, 16, 16, 3]),
        image_value_range=(0, 1),
    )
    assert model.size_support == (True, 7, (16, 16))
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [1, 7, 7, 3])
        logits = sess.run(model.import_graph(t_input)("logits"), {t_input: np.full([1, 7, 7, 3], 0.5, np.float32)})
    assert logits.shape == (1, 5) and np.isfinite(logits).all()
    with pytest.raises(ValueError, match="at least 7 x 7"):
        render.render_vis(model, "logits:1", param_f=lambda: param.image(6), thresholds=(1,), verbose=False)
    # An image of the minimum size that the transforms shrink below it is enlarged at the model's input, not refused.
    shrunk = dict(param_f=lambda: param.image(7), transforms=[transform.jitter(4)], thresholds=(1,), verbose=False)
    (image,) = render.render_vis(model, "logits:1", **shrunk)
    assert image.shape == (1, 7, 7, 3) and np.isfinite(image).all()
