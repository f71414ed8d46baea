"""lucid.misc.gl.meshutil: camera matrices against hand-computed values, .obj loading, normalization."""

import io

import numpy as np
import pytest

from lucid.misc.gl import meshutil


def test_perspective_matches_the_glu_matrix_written_out_by_hand():
    # fovy 90 degrees: f = 1 / tan(45) = 1; znear 1, zfar 3: (f + n) / (n - f) = -2, 2fn / (n - f) = -3.
    expected = [[0.5, 0, 0, 0], [0, 1, 0, 0], [0, 0, -2, -3], [0, 0, -1, 0]]
    np.testing.assert_allclose(meshutil.perspective(90, 2.0, 1.0, 3.0), expected, atol=1e-6)


def test_frustum_maps_its_corners_to_the_clip_cube():
    M = meshutil.frustum(-1, 3, -2, 2, 1, 10)
    np.testing.assert_allclose(M[0], [0.5, 0, 0.5, 0], atol=1e-7)  # 2n/(r-l), (r+l)/(r-l)
    # Near-plane corners go to the near face of the cube, the far-plane corner (scaled by 10) to the far face.
    np.testing.assert_allclose(meshutil.homotrans(M, [3, 2, -1]), [1, 1, -1], atol=1e-6)
    np.testing.assert_allclose(meshutil.homotrans(M, [-1, -2, -1]), [-1, -1, -1], atol=1e-6)
    np.testing.assert_allclose(meshutil.homotrans(M, [30, 20, -10]), [1, 1, 1], atol=1e-5)


def test_lookat_from_the_x_axis_written_out_by_hand():
    # Camera at (5, 0, 0) looking at the origin: screen right is -z, up is +y, the camera looks down its -z.
    expected = [[0, 0, -1, 0], [0, 1, 0, 0], [1, 0, 0, -5], [0, 0, 0, 1]]
    np.testing.assert_allclose(meshutil.lookat([5, 0, 0]), expected, atol=1e-6)
    np.testing.assert_allclose(meshutil.homotrans(meshutil.lookat([5, 0, 0]), [0, 0, 0]), [0, 0, -5], atol=1e-6)


def test_lookat_rejects_an_up_vector_along_the_view():
    with pytest.raises(ValueError, match="parallel"):
        meshutil.lookat([0, 3, 0])


def test_sample_view_looks_at_the_origin_from_the_asked_distances():
    for _ in range(50):
        M = meshutil.sample_view(10.0, 12.0)
        np.testing.assert_allclose(M[:3, :3] @ M[:3, :3].T, np.eye(3), atol=1e-5)  # a rotation...
        assert np.linalg.det(M[:3, :3]) == pytest.approx(1.0, abs=1e-5)  # ...right-handed
        origin = meshutil.homotrans(M, [0, 0, 0])
        np.testing.assert_allclose(origin[:2], 0, atol=1e-5)  # the origin is straight ahead, on -z
        assert -12.0 - 1e-4 <= origin[2] <= -10.0 + 1e-4
    assert meshutil.homotrans(meshutil.sample_view(4.0), [0, 0, 0])[2] == pytest.approx(-4.0)


def test_anorm_and_normalize():
    v = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(meshutil.anorm(v, axis=1), [5, 0])
    assert meshutil.anorm(v, axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_allclose(meshutil.normalize(v, axis=1), [[0.6, 0.8], [0, 0]])
    np.testing.assert_allclose(meshutil.normalize([0.0, 2.0]), [0, 1])


def test_homotrans_divides_by_w():
    M = np.diag([1.0, 1.0, 1.0, 2.0])
    np.testing.assert_allclose(meshutil.homotrans(M, [[2, 4, 6]]), [[1, 2, 3]])
    np.testing.assert_allclose(meshutil.homotrans(M, [2, 4, 6, 2]), [0.5, 1, 1.5])


def _obj_text(mesh):
    """A mesh written as .obj text (1-based v/vt/vn indices)."""
    lines = ["# written by the test"]
    lines += ["v %r %r %r" % tuple(map(float, p)) for p in mesh["position"]]
    lines += ["vt %r %r" % tuple(map(float, t)) for t in mesh["uv"]]
    lines += ["vn %r %r %r" % tuple(map(float, n)) for n in mesh["normal"]]
    lines += ["f " + " ".join("%d/%d/%d" % (i + 1, i + 1, i + 1) for i in f) for f in mesh["face"]]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("make", [meshutil.sphere, meshutil.torus])
def test_load_obj_round_trips_a_procedural_mesh(make, tmp_path):
    mesh = make(n_u=12, n_v=6)
    path = tmp_path / "mesh.obj"
    path.write_text(_obj_text(mesh))
    loaded = meshutil.load_obj(str(path))
    assert loaded["face"].shape == mesh["face"].shape and loaded["face"].dtype == np.int32
    for name in ("position", "uv", "normal"):
        assert loaded[name].dtype == np.float32
        np.testing.assert_allclose(loaded[name][loaded["face"]], mesh[name][mesh["face"]], atol=1e-6)
    assert set(meshutil.load_obj(io.StringIO(_obj_text(mesh)))) == {"position", "uv", "normal", "face"}


def test_load_obj_splits_polygons_and_resolves_relative_indices():
    text = """
    v 0 0 0
    v 1 0 0
    v 1 1 0
    v 0 1 0
    v 0.5 1.5 0   # a fifth corner
    vt 0 0
    vt 1 1
    f -5 -4 -3 -2 -1
    f 1/1 2/2 3/2
    """
    mesh = meshutil.load_obj(io.StringIO(text))
    assert mesh["face"].shape == (4, 3)  # a pentagon gives 3 triangles, plus one triangle
    corners = mesh["position"][mesh["face"]]
    np.testing.assert_allclose(corners[:3, 0], [[0, 0, 0]] * 3)  # a fan around the first corner
    np.testing.assert_allclose(corners[2, 2], [0.5, 1.5, 0])
    np.testing.assert_allclose(mesh["uv"][mesh["face"][3]], [[0, 0], [1, 1], [1, 1]])
    np.testing.assert_allclose(mesh["uv"][mesh["face"][0]], 0)  # no vt given: zeros
    np.testing.assert_allclose(mesh["normal"], 0)


@pytest.mark.parametrize(
    "text, match",
    [("v 0 0 0\nf 1 2 3\n", "refers to no element"), ("v 0 0\n", "too few"), ("v 0 x 0\n", "not a number")],
)
def test_load_obj_names_the_bad_line(text, match):
    with pytest.raises(ValueError, match=match):
        meshutil.load_obj(io.StringIO(text))


def test_load_obj_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No .obj file"):
        meshutil.load_obj(str(tmp_path / "missing.obj"))


def test_normalize_mesh_centres_and_fits_the_mesh_in_the_unit_cube():
    mesh = meshutil.torus()
    moved = dict(mesh, position=mesh["position"] * [2.0, 3.0, 1.0] + [5.0, -1.0, 2.0])
    normalized = meshutil.normalize_mesh(moved)
    position = normalized["position"]
    np.testing.assert_allclose(position.max(0) + position.min(0), 0, atol=1e-5)
    assert np.abs(position).max() == pytest.approx(1.0)
    assert normalized["uv"] is moved["uv"] and moved["position"].max() > 5  # a copy; the input is unchanged


def test_procedural_meshes_have_continuous_uvs():
    for mesh in (meshutil.sphere(), meshutil.torus()):
        uv = mesh["uv"][mesh["face"]]
        assert uv.min() == 0 and uv.max() == 1
        assert np.abs(uv - uv[:, :1]).max() < 0.1  # no triangle spans the seam
        assert np.all(mesh["face"] < len(mesh["position"]))
