"""lucid.recipes.mesh_texture: gradients reach the texture through the UV map, the objective rises."""

import numpy as np
import pytest
import tensorflow as tf

import lucid.modelzoo.vision_models as models
from lucid.misc.gl import glrenderer, meshutil
from lucid.optvis import style
from lucid.optvis.param.spatial import bilinearly_sampled_image
from lucid.recipes import mesh_texture


def _half_quad():
    """A square that fills the view from distance 10 and wears only the left half of the texture (u < 0.5)."""
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32)
    return {
        "position": np.concatenate([corners, np.zeros((4, 1), np.float32)], 1),
        "uv": np.stack([(corners[:, 0] + 1) / 4, (corners[:, 1] + 1) / 2], 1),
        "face": np.array([[0, 1, 2], [0, 2, 3]], np.int32),
    }


def test_texture_receives_gradients_exactly_where_the_mesh_shows_it(backend, sess):
    mesh = _half_quad()
    frame = glrenderer.MeshRenderer(64, backend=backend).render_mesh(
        mesh["position"], mesh["uv"], mesh["face"], modelview=meshutil.lookat([0, 0, 10.0])
    )
    assert frame[..., 3].all()
    texture = tf.Variable(np.random.uniform(size=(16, 16, 3)).astype(np.float32))
    image = bilinearly_sampled_image(texture, tf.constant(frame[..., :2]))
    (grad,) = tf.compat.v1.gradients(tf.reduce_sum(image), [texture])
    sess.run(tf.compat.v1.global_variables_initializer())
    per_column = np.abs(sess.run(grad)).sum((0, 2))
    assert np.all(per_column[1:7] > 0)  # texels of u in (0, 0.5) are seen...
    assert np.all(per_column[9:15] == 0)  # ...the right half never is


@pytest.mark.parametrize("make_mesh", [meshutil.torus, meshutil.sphere])
def test_objective_rises_on_efficientnet(make_mesh, backend):
    renderer = glrenderer.MeshRenderer(128, backend=backend)
    steps = []
    texture, losses = mesh_texture.optimize_texture(
        models.EfficientNetLite0(),
        "block5:17",
        make_mesh(),
        steps=24,
        texture_size=128,
        renderer=renderer,
        on_step=lambda step, loss: steps.append(step),
    )
    assert texture.shape == (128, 128, 3) and texture.dtype == np.float32
    assert 0 <= texture.min() and texture.max() <= 1
    assert steps == list(range(24)) and len(losses) == 24 and np.all(np.isfinite(losses))
    assert np.mean(losses[-6:]) > np.mean(losses[:6]) + 0.5


def test_render_views_puts_the_texture_on_the_mesh_over_the_background(backend):
    texture = np.zeros((8, 8, 3), np.float32)
    texture[:4, :, 0] = 1.0  # the top rows (v > 0.5: the sphere's upper half) red, the others black
    views = [meshutil.lookat([0, 0, 10.0]), meshutil.lookat([10.0, 0, 0])]
    images = mesh_texture.render_views(meshutil.sphere(), texture, views, size=64, background=[0, 0, 1])
    assert images.shape == (2, 64, 64, 3)
    np.testing.assert_allclose(images[:, 16, 32], [[1, 0, 0]] * 2, atol=1e-6)  # above the equator: red
    np.testing.assert_allclose(images[:, 48, 32], [[0, 0, 0]] * 2, atol=1e-6)  # below it: black
    np.testing.assert_allclose(images[:, 0, 0], [[0, 0, 1]] * 2, atol=1e-6)  # the background, in a corner


def test_optimize_texture_names_a_bad_mesh():
    with pytest.raises(KeyError, match="uv"):
        mesh_texture.optimize_texture(models.EfficientNetLite0(), "block5:17", {"position": np.zeros((3, 3))}, steps=1)


def test_a_style_loss_falls_on_a_textured_sphere():
    """Any objective works, e.g. matching the Gram matrices of a style image (here: random noise)."""
    model = models.EfficientNetLite0()
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        t_style = tf.constant(np.random.uniform(size=(1, 128, 128, 3)).astype(np.float32))
        target = sess.run(style.gram_style(model.import_graph(t_style, scope="style")("block2")))

    def style_objective(T):
        return -style.mean_l1_loss(style.gram_style(T("block2")), target)

    _, losses = mesh_texture.optimize_texture(
        model, style_objective, meshutil.sphere(), steps=24, texture_size=128, render_size=128
    )
    assert np.mean(losses[-6:]) > np.mean(losses[:6]) + 1.0
