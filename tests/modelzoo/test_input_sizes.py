"""Zoo GraphDefs are fitted to their native size only where they would otherwise fail (issue 13)."""

import numpy as np
import pytest

from lucid.modelzoo.input_sizes import SizeSupport
from lucid.optvis import param, render
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
