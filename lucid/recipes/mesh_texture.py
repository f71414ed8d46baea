"""3D feature visualization: optimize the texture of a mesh so that its renderings, from random views, maximize
an objective (as in the Differentiable Image Parameterizations article).

Each step renders the mesh into a UV map (`glrenderer.MeshRenderer`), looks the texture up through it in
TensorFlow (`param.spatial.bilinearly_sampled_image`) over a random background colour, and applies one
optimizer step of `render.make_vis_T`'s graph, whose gradient flows into the texture's parameterization.
"""

import numpy as np
import tensorflow as tf

from lucid.misc.gl import meshutil
from lucid.misc.gl.glrenderer import MeshRenderer
from lucid.optvis import param, render
from lucid.optvis.checks import validate_size
from lucid.optvis.param.spatial import bilinearly_sampled_image
from lucid.optvis.session import graph_and_session, initialize_variables
from lucid.optvis.steps import run_steps

__all__ = [
    "optimize_texture",
    "render_views",
    "VIEW_DISTANCE",
]

VIEW_DISTANCE = (10.0, 12.0)  # camera distances that frame a normalized mesh in MeshRenderer's 10 degree view


def optimize_texture(
    model,
    objective,
    mesh,
    steps=256,
    texture_size=512,
    render_size=256,
    fft=True,
    decorrelate=True,
    optimizer=None,
    transforms=None,
    renderer=None,
    on_step=None,
):
    """Optimize a [texture_size, texture_size, 3] texture of `mesh` for `objective` on `model`.

    mesh: a dict with `position`, `uv` and `face` (e.g. `meshutil.load_obj(path)`), normalized here to fit the
    views. objective: anything `render.make_vis_T` takes ("layer:n", an Objective, a function of T), computed
    on the rendered view [1, render_size, render_size, 3]. fft / decorrelate: the texture's parameterization,
    as in `param.image`. transforms: applied to each view (default none: random views already vary it).
    optimizer defaults to Adam(0.05). renderer: a `MeshRenderer` to reuse (its size wins over render_size).
    on_step(step, loss) is called after every step.

    Returns `(texture, losses)`: a float32 array in [0, 1] and the objective's value at each step. As render_vis,
    it stops at a non-finite loss (a StoppedEarly carrying the last finite texture) and returns the current
    texture on Ctrl-C.
    """
    steps = validate_size(steps, "steps")
    texture_size = validate_size(texture_size, "texture_size")
    renderer = renderer or MeshRenderer(validate_size(render_size, "render_size"))
    mesh = meshutil.normalize_mesh(_checked_mesh(mesh))
    w, h = renderer.size
    losses = []
    with graph_and_session() as (_, sess):
        texture = param.image(texture_size, fft=fft, decorrelate=decorrelate)[0]
        t_frame = tf.compat.v1.placeholder(tf.float32, [h, w, 4], name="uv_frame")
        t_background = tf.compat.v1.placeholder(tf.float32, [3], name="background")

        def rendered_view():
            coverage = t_frame[..., 3:]
            view = bilinearly_sampled_image(texture, t_frame[..., :2]) * coverage + t_background * (1 - coverage)
            return view[None]

        T = render.make_vis_T(model, objective, param_f=rendered_view, optimizer=optimizer, transforms=transforms or [])
        initialize_variables(sess)

        def random_view(step):
            view = meshutil.sample_view(*VIEW_DISTANCE)
            frame = renderer.render_mesh(mesh["position"], mesh["uv"], mesh["face"], modelview=view)
            return {t_frame: frame, t_background: np.random.uniform(size=3)}

        # render's step loop: a non-finite loss stops with the last finite texture, Ctrl-C returns the current one.
        lookup = {"loss": T("loss"), "vis_op": T("vis_op"), "input": texture}.get

        def record(step, loss, image):
            losses.append(float(loss))
            if on_step is not None:
                on_step(step, losses[-1])

        images = run_steps(sess, lookup, {steps - 1}, record, random_view, on_interrupt="return")
        return images[-1], losses


def render_views(mesh, texture, views, size=256, background=1.0, renderer=None):
    """Images [len(views), h, w, 3] of `mesh` (normalized here) wearing `texture` [th, tw, 3], seen through each
    of the view matrices `views`, over a `background` grey level or RGB colour."""
    renderer = renderer or MeshRenderer(validate_size(size, "size"))
    mesh = meshutil.normalize_mesh(_checked_mesh(mesh))
    frames = np.stack([renderer.render_mesh(mesh["position"], mesh["uv"], mesh["face"], modelview=v) for v in views])
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        colour = sess.run(bilinearly_sampled_image(np.asarray(texture, np.float32), frames[..., :2]))
    coverage = frames[..., 3:]
    return colour * coverage + np.asarray(background, np.float32) * (1 - coverage)


def _checked_mesh(mesh):
    missing = [k for k in ("position", "uv", "face") if not isinstance(mesh, dict) or k not in mesh]
    if missing:
        raise KeyError("mesh must be a dict with position, uv and face (see meshutil.load_obj); missing %s." % missing)
    return mesh
