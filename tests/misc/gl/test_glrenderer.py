"""MeshRenderer: UV maps at known pixels, the OpenGL and NumPy renderers agreeing, the render process."""

import os

import numpy as np
import pytest

from lucid.misc.gl import glcontext, glrenderer, glworker, meshutil

# A tilted planar quad near the origin: position = ORIGIN + s * EDGE_S + t * EDGE_T has uv (s, t).
ORIGIN, EDGE_S, EDGE_T = np.array([-0.6, -0.5, 0.4]), np.array([1.3, 0.0, -0.9]), np.array([0.1, 1.0, 0.3])
QUAD = {
    "position": np.array([ORIGIN, ORIGIN + EDGE_S, ORIGIN + EDGE_S + EDGE_T, ORIGIN + EDGE_T], np.float32),
    "uv": np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32),
    "face": np.array([[0, 1, 2], [0, 2, 3]], np.int32),
}
VIEW = meshutil.lookat([1.0, 2.0, 10.0], target=[0.1, 0.0, 0.0])


def _ray_cast_quad(renderer, view):
    """(s, t) where each pixel centre's ray (rows top-down) meets the quad's plane, from the camera model."""
    w, h = renderer.size
    o, e_s, e_t = (meshutil.homotrans(view, p) for p in (ORIGIN, ORIGIN + EDGE_S, ORIGIN + EDGE_T))
    e_s, e_t = e_s - o, e_t - o
    half_h = np.tan(np.radians(renderer.fovy) / 2)
    x = ((np.arange(w) + 0.5) / w * 2 - 1) * half_h * renderer.aspect
    y = (1 - (np.arange(h) + 0.5) / h * 2) * half_h
    d = np.stack(np.broadcast_arrays(x[None, :], y[:, None], -1.0), -1)  # ray directions in view space
    A = np.stack(np.broadcast_arrays(e_s, e_t, -d), -1)  # o + s e_s + t e_t = lambda d
    return np.linalg.solve(A, np.broadcast_to(-o, d.shape)[..., None])[..., :2, 0]


def test_uv_map_at_known_pixels(backend):
    renderer = glrenderer.MeshRenderer((96, 64), backend=backend)
    frame = renderer.render_mesh(QUAD["position"], QUAD["uv"], QUAD["face"], modelview=VIEW)
    assert frame.shape == (64, 96, 4) and frame.dtype == np.float32
    st = _ray_cast_quad(renderer, VIEW)
    inside = np.all((st > 0.02) & (st < 0.98), -1)
    outside = np.any((st < -0.02) | (st > 1.02), -1)
    assert inside.sum() > 1000 and outside.sum() > 1000
    # Coverage is the uv attribute's fourth component (1), interpolated: 1 up to rounding.
    np.testing.assert_allclose(frame[inside, 3], 1, atol=1e-6)
    assert np.all(frame[outside] == 0)
    np.testing.assert_allclose(frame[inside, :2], st[inside], atol=1e-4)  # perspective-correct, rows top-down
    assert np.all(frame[inside, 2] == 0)


def test_clear_color_and_a_third_uv_component(backend):
    renderer = glrenderer.MeshRenderer(32, backend=backend)
    uvw = np.concatenate([QUAD["uv"], np.full((4, 1), 0.25, np.float32)], 1)
    frame = renderer.render_mesh(QUAD["position"], uvw, QUAD["face"], clear_color=[0.1, 0.2, 0.3, 0], modelview=VIEW)
    covered = frame[..., 3] > 0.5
    assert 0 < covered.mean() < 1
    np.testing.assert_allclose(frame[~covered], [[0.1, 0.2, 0.3, 0]] * (~covered).sum(), atol=1e-7)
    np.testing.assert_allclose(frame[covered, 2], 0.25, atol=1e-6)


def _ground(size=50.0):
    """A big square in the y = 0 plane, which a camera above it cuts with its near plane."""
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32)
    return {
        "position": np.stack([corners[:, 0] * size, np.zeros(4), corners[:, 1] * size], 1).astype(np.float32),
        "uv": (corners + 1) / 2,
        "face": np.array([[0, 1, 2], [0, 2, 3]], np.int32),
    }


@pytest.mark.parametrize(
    "mesh, views",
    [
        (meshutil.sphere(), [meshutil.sample_view(10.0, 12.0) for _ in range(3)]),
        (meshutil.torus(), [meshutil.sample_view(10.0, 12.0) for _ in range(3)]),
        (_ground(), [meshutil.lookat([0.0, 1.0, 3.0], target=[0.0, 0.0, -10.0])]),
    ],
    ids=["sphere", "torus", "ground-through-near-plane"],
)
def test_opengl_and_numpy_renderers_agree(mesh, views, opengl):
    gl, numpy = glrenderer.MeshRenderer(256, backend="gl"), glrenderer.MeshRenderer(256, backend="numpy")
    for view in views:
        a, b = (r.render_mesh(mesh["position"], mesh["uv"], mesh["face"], modelview=view) for r in (gl, numpy))
        both = (a[..., 3] > 0.5) & (b[..., 3] > 0.5)
        assert both.sum() > 5000
        assert ((a[..., 3] > 0.5) != (b[..., 3] > 0.5)).sum() <= 0.01 * both.sum()
        close = np.abs(a[both, :2] - b[both, :2]).max(-1) < 1e-3
        assert close.mean() >= 0.99, close.mean()


def test_meshrenderer_falls_back_to_numpy_without_opengl(monkeypatch, caplog):
    def no_opengl(*args):
        raise RuntimeError("no EGL display")

    monkeypatch.setattr(glcontext, "create_opengl_context", no_opengl)
    renderer = glrenderer.MeshRenderer(32)
    assert renderer.backend == "numpy" and "no EGL display" in caplog.text
    assert renderer.render_mesh(QUAD["position"], QUAD["uv"], QUAD["face"], modelview=VIEW)[..., 3].any()
    with pytest.raises(RuntimeError, match="no EGL display"):
        glrenderer.MeshRenderer(32, backend="gl")


def test_render_process_sets_the_platform_only_in_its_own_environment(monkeypatch, opengl):
    monkeypatch.delenv("PYOPENGL_PLATFORM", raising=False)
    worker = glworker.Worker()
    try:
        assert worker.call("context", (8, 8)) == "egl"
        with pytest.raises(RuntimeError, match="KeyError"):
            worker.call("no such request")
    finally:
        worker.close()
    assert "PYOPENGL_PLATFORM" not in os.environ
    assert worker.process.returncode == 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(face=[[0, 1, 4]]), "outside"),
        (dict(face=[0.0, 1.0, 2.0]), "integer"),
        (dict(uv=np.zeros((3, 2))), "uv must have shape"),
        (dict(position=np.zeros((4, 2))), "position must have shape"),
        (dict(modelview=np.eye(3)), "modelview"),
    ],
)
def test_render_mesh_rejects_bad_input(kwargs, match):
    args = dict(position=QUAD["position"], uv=QUAD["uv"], face=QUAD["face"])
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        glrenderer.MeshRenderer(16, backend="numpy").render_mesh(**args)


@pytest.mark.parametrize("size", [0, (16,), (16, 0), 2.5, "64"])
def test_meshrenderer_rejects_bad_sizes(size):
    with pytest.raises(ValueError, match="size"):
        glrenderer.MeshRenderer(size, backend="numpy")


def test_a_four_component_uv_fills_all_four_channels_as_the_originals(backend):
    # Expected values measured with the original's MeshRenderer (OpenGL) on the same quad and view.
    position = np.float32([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]])
    uv = np.float32([[0, 0, 0.2, 0.5], [1, 0, 0.4, 0.5], [1, 1, 0.6, 0.25], [0, 1, 0.8, 0.25]])
    view = meshutil.lookat([1.0, 2.0, 10.0], target=[0.1, 0.0, 0.0])
    frame = glrenderer.MeshRenderer(32, backend=backend).render_mesh(position, uv, [0, 1, 2, 0, 2, 3], modelview=view)
    expected = {
        (0, 14): [0.017028969, 0.86921167, 0.71812117, 0.28269702],
        (6, 26): [0.68109161, 0.54429621, 0.44507757, 0.36392596],
        (13, 20): [0.35167474, 0.14648603, 0.29963216, 0.46337858],
        (16, 16): [0, 0, 0, 0],
    }
    for pixel, value in expected.items():
        np.testing.assert_allclose(frame[pixel], value, atol=2e-3)
    assert ((frame[..., 3] > 0).sum(), frame[..., 3].sum()) == pytest.approx((288, 111.1122), abs=1.5)


def test_projection_matrix_is_the_originals_and_glrenderer_reexports_perspective():
    renderer = glrenderer.MeshRenderer((48, 32), backend="numpy")
    expected = [[7.6200347, 0, 0, 0], [0, 11.430053, 0, 0], [0, 0, -1.00020003, -1], [0, 0, -0.020002, 0]]
    np.testing.assert_allclose(renderer.proj_matrix(), expected, rtol=1e-6)
    assert glrenderer.perspective is meshutil.perspective
