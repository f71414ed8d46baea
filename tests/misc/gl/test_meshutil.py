"""lucid.misc.gl.meshutil: camera matrices against hand-computed values, .obj loading, normalization."""

import io

import numpy as np
import pytest

from lucid.misc.gl import meshutil


def test_perspective_in_the_originals_row_vector_layout():
    # Measured on the original: gluPerspective's matrix transposed, so that M[2, 3] = -1.
    expected = [[0.5, 0, 0, 0], [0, 1, 0, 0], [0, 0, -2, -1], [0, 0, -3, 0]]
    np.testing.assert_allclose(meshutil.perspective(90, 2.0, 1.0, 3.0), expected, atol=1e-6)


def test_frustum_in_the_originals_row_vector_layout():
    M = meshutil.frustum(-1, 3, -2, 2, 1, 10)
    expected = [[0.5, 0, 0, 0], [0, 0.5, 0, 0], [0.5, 0, -1.2222222, -1], [0, 0, -2.2222223, 0]]
    np.testing.assert_allclose(M, expected, atol=1e-6)
    assert M.dtype == np.float32
    # Row vectors: the near-plane corner goes to the near face of the clip cube.
    clip = np.float32([3, 2, -1, 1]) @ M
    np.testing.assert_allclose(clip[:3] / clip[3], [1, 1, -1], atol=1e-6)


def test_lookat_from_the_x_axis_written_out_by_hand():
    # Camera at (5, 0, 0) looking at the origin: screen right is -z, up is +y, the camera looks down its -z.
    expected = [[0, 0, -1, 0], [0, 1, 0, 0], [1, 0, 0, -5], [0, 0, 0, 1]]
    np.testing.assert_allclose(meshutil.lookat([5, 0, 0]), expected, atol=1e-6)
    np.testing.assert_allclose(meshutil.homotrans(meshutil.lookat([5, 0, 0]), [0, 0, 0]), [0, 0, -5], atol=1e-6)


def test_lookat_along_up_gives_the_originals_degenerate_matrix():
    expected = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, -3], [0, 0, 0, 1]]
    np.testing.assert_array_equal(meshutil.lookat([0, 3, 0]), expected)


def test_sample_view_draws_as_the_original():
    np.random.seed(0)
    expected = [
        [-0.9504925, 0, -0.31074753, 0],
        [-0.16948448, 0.8381701, 0.5184071, 0],
        [0.26045927, 0.54540896, -0.7966744, -3.902373],
        [0, 0, 0, 1],
    ]
    np.testing.assert_allclose(meshutil.sample_view(5.0, 3.0), expected, rtol=1e-5, atol=1e-6)


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
    lines += ["f " + " ".join("%d/%d/%d" % (i + 1, i + 1, i + 1) for i in f) for f in mesh["face"].reshape(-1, 3)]
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


def test_load_obj_returns_what_the_original_returns():
    text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0.5 1.5 0\nv 0 1 0\nvt 0 0\nvt 1 1\nf 1 2 3 4 5\nf 1/1 2/2 3/2\n"
    mesh = meshutil.load_obj(io.StringIO(text))
    assert list(mesh) == ["face", "position", "uv"]  # no normal: no face vertex has one
    assert mesh["face"].dtype == np.int32
    np.testing.assert_array_equal(mesh["face"], [0, 1, 2, 0, 2, 3, 0, 3, 4, 5, 6, 7])
    corners = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0.5, 1.5, 0], [0, 1, 0], [0, 0, 0], [1, 0, 0], [1, 1, 0]]
    np.testing.assert_array_equal(mesh["position"], corners)
    np.testing.assert_array_equal(mesh["uv"], [[0, 0]] * 6 + [[1, 1]] * 2)


def test_load_obj_keeps_extra_columns_and_accepts_later_elements():
    text = "f 1/1 2/2 3/2\nv 0 0 0 1 0 0\nv 1 0 0 0 1 0\nv 0 1 0 0 0 1\nvt 0 0\nvt 1 1\n"
    mesh = meshutil.load_obj(io.StringIO(text))
    assert list(mesh) == ["face", "position", "uv"]
    np.testing.assert_array_equal(mesh["position"], [[0, 0, 0, 1, 0, 0], [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]])
    np.testing.assert_array_equal(mesh["uv"], [[0, 0], [1, 1], [1, 1]])
    normals = meshutil.load_obj(io.StringIO("v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//1 2//1 3//1\n"))
    assert list(normals) == ["face", "position", "normal"]


def test_load_obj_negative_indices_count_back_from_the_face():
    # The .obj rule (the original counted from the end of the file instead; docs/differences.md).
    mesh = meshutil.load_obj(io.StringIO("v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\nv 5 5 5\nf -1 -2 -3\n"))
    np.testing.assert_array_equal(mesh["face"], [0, 1, 2, 3, 2, 1])
    np.testing.assert_array_equal(mesh["position"], [[0, 0, 0], [1, 0, 0], [0, 1, 0], [5, 5, 5]])


@pytest.mark.parametrize(
    "text, match",
    [
        ("v 0 0 0\nf 1 2 3\n", "refers to v 3, but the file has 1"),
        ("v 0 0 0\nf -1 -2 -3\n", "refers back past"),
        ("v 0 0 0\nf 1/x 1 1\n", "not an .obj face vertex"),
        ("v 0 0 0\n", "no faces"),
    ],
)
def test_load_obj_names_the_problem(text, match):
    with pytest.raises(ValueError, match=match):
        meshutil.load_obj(io.StringIO(text))


def test_normalize_mesh_keeps_a_float64_position():
    mesh = meshutil.normalize_mesh({"position": np.float64([[0, 0, 0, 9], [2, 4, 6, 9], [1, 1, 1, 9]])})
    assert mesh["position"].dtype == np.float64
    np.testing.assert_allclose(mesh["position"], [[-1 / 3, -2 / 3, -1], [1 / 3, 2 / 3, 1], [0, -1 / 3, -2 / 3]])


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
        uv = mesh["uv"][mesh["face"].reshape(-1, 3)]
        assert uv.min() == 0 and uv.max() == 1
        assert np.abs(uv - uv[:, :1]).max() < 0.1  # no triangle spans the seam
        assert np.all(mesh["face"] < len(mesh["position"]))
