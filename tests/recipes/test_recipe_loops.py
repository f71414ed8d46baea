"""The recipes that optimize images run render_vis's step loop: a non-finite loss stops them with the last finite
image, and Ctrl-C returns what they have."""

import logging

import numpy as np
import pytest
import tensorflow as tf

from lucid.optvis import objectives
from lucid.recipes import caricature as car
from lucid.recipes import feature_visualization as fv
from lucid.recipes.activation_atlas import render as atlas_render


def _nan_from_step(step):
    """A stand-in for a recipe's objective factory: conv1's mean, times NaN from the `step`-th run on."""

    def factory(*args, **kwargs):
        def inner(T):
            runs = tf.compat.v1.Variable(0.0, trainable=False)
            factor = tf.where(runs.assign_add(1.0) > step, np.float32(np.nan), np.float32(1.0))
            return tf.reduce_mean(T("conv1")) * factor

        return objectives.Objective(inner)

    return factory


RECIPES = {
    "caricature": (
        car,
        "dot_compare",
        lambda model: car.caricature(np.full((32, 32, 3), 0.5, np.float32), model, "conv1", n_steps=20, verbose=False),
    ),
    "feature_visualization": (fv.objectives, "channel", lambda model: fv.channel(model, "conv1", [0, 1], n_steps=20)),
    "atlas_icons": (
        atlas_render,
        "direction_neuron_S",
        lambda model: atlas_render.render_icons(
            np.eye(8, dtype=np.float32)[:2], model, "conv1", size=16, n_steps=20, cossim=False
        ),
    ),
}


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_recipe_stops_at_a_non_finite_loss_with_the_last_finite_image(model, monkeypatch, recipe):
    module, factory_name, run = RECIPES[recipe]
    monkeypatch.setattr(module, factory_name, _nan_from_step(3))
    with pytest.raises(FloatingPointError, match="step 3") as error:
        run(model)
    assert error.value.step == 3 and not error.value.interrupted
    image = error.value.images[-1]
    assert image.ndim == 4 and np.isfinite(image).all()


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_recipe_interrupted_returns_the_images_so_far(model, monkeypatch, caplog, recipe):
    real_run = tf.compat.v1.Session.run
    steps = []

    def run(self, fetches, *args, **kwargs):
        if isinstance(fetches, list) and len(fetches) == 2 and isinstance(fetches[1], tf.Operation):
            steps.append(fetches)  # [loss, vis_op]: one optimization step
            if len(steps) == 4:
                raise KeyboardInterrupt
        return real_run(self, fetches, *args, **kwargs)

    monkeypatch.setattr(tf.compat.v1.Session, "run", run)
    with caplog.at_level(logging.WARNING):
        result = RECIPES[recipe][2](model)
    assert len(steps) == 4  # no step after the interrupt, and no further attempt or batch
    assert "Interrupted optimization at step 4" in caplog.text
    # caricature: [1 + layers, h, w, 3]; icons: ([N, h, w, 3], []); feature_visualization: [(image, losses), ...]
    images = {"caricature": result, "atlas_icons": result[0], "feature_visualization": result[0][0]}[recipe]
    assert images.shape[-1] == 3 and np.isfinite(images).all()
