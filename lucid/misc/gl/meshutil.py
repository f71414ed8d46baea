"""Meshes and camera matrices, in OpenGL's conventions.

Matrices are 4x4 float32 and act on column vectors (`M @ [x, y, z, 1]`), as printed in the OpenGL manuals:
view space is right-handed with the camera at the origin looking down -z and y up. A mesh is a dict of
`position` [n, 3], `uv` [n, 2] (v up: v = 1 is the top row of a texture image), `normal` [n, 3] and `face`
[m, 3] (int32 vertex indices of triangles).
"""

import os

import numpy as np


def frustum(left, right, bottom, top, znear, zfar):
    """The projection matrix of glFrustum: view space -> clip space for a perspective view volume."""
    if right == left or top == bottom or zfar == znear:
        raise ValueError("frustum needs left != right, bottom != top and znear != zfar.")
    if znear <= 0 or zfar <= 0:
        raise ValueError("frustum needs positive znear and zfar (distances in front of the camera).")
    M = np.zeros((4, 4), np.float32)
    M[0, 0] = 2.0 * znear / (right - left)
    M[1, 1] = 2.0 * znear / (top - bottom)
    M[0, 2] = (right + left) / (right - left)
    M[1, 2] = (top + bottom) / (top - bottom)
    M[2, 2] = -(zfar + znear) / (zfar - znear)
    M[2, 3] = -2.0 * znear * zfar / (zfar - znear)
    M[3, 2] = -1.0
    return M


def perspective(fovy, aspect, znear, zfar):
    """The projection matrix of gluPerspective: vertical field of view `fovy` in degrees, aspect = w / h."""
    if not 0 < fovy < 180:
        raise ValueError("fovy is the vertical field of view in degrees, between 0 and 180; got %r." % (fovy,))
    h = np.tan(np.radians(fovy) / 2.0) * znear
    w = h * aspect
    return frustum(-w, w, -h, h, znear, zfar)


def anorm(x, axis=None, keepdims=False):
    """The Euclidean norm of `x` along `axis` (all entries when None)."""
    x = np.asarray(x)
    return np.sqrt((x * x).sum(axis=axis, keepdims=keepdims))


def normalize(v, axis=None, eps=1e-10):
    """`v` scaled to unit length along `axis`; vectors shorter than `eps` are divided by `eps` instead."""
    v = np.asarray(v)
    return v / np.maximum(anorm(v, axis=axis, keepdims=True), eps)


def lookat(eye, target=(0, 0, 0), up=(0, 1, 0)):
    """The view matrix of gluLookAt: a camera at `eye` looking at `target`, with `up` pointing up on screen."""
    eye = np.asarray(eye, np.float32)
    forward = normalize(np.asarray(target, np.float32) - eye)
    side = np.cross(forward, np.asarray(up, np.float32))
    if anorm(side) < 1e-6:
        raise ValueError("lookat: `up` %r is parallel to the viewing direction; pass another up vector." % (up,))
    side = normalize(side)
    up = np.cross(side, forward)
    M = np.eye(4, dtype=np.float32)
    M[:3, :3] = [side, up, -forward]
    M[:3, 3] = -M[:3, :3] @ eye
    return M


def sample_view(min_dist, max_dist=None):
    """A view matrix of a camera looking at the origin from a random direction, at a distance drawn
    uniformly from [min_dist, max_dist] (max_dist defaults to min_dist). Uses NumPy's global random state."""
    if max_dist is None:
        max_dist = min_dist
    if not 0 < min_dist <= max_dist:
        raise ValueError("sample_view needs 0 < min_dist <= max_dist; got %r, %r." % (min_dist, max_dist))
    dist = np.random.uniform(min_dist, max_dist)
    eye = normalize(np.random.normal(size=3)) * dist
    # A camera right above or below the origin has no defined "up" along y: look up along z there.
    up = [0, 1, 0] if abs(eye[1]) < 0.999 * dist else [0, 0, 1]
    return lookat(eye, up=up)


def homotrans(M, p):
    """Points `p` [..., 3] (or [..., 4], homogeneous) transformed by the 4x4 `M`, divided by w: [..., 3]."""
    M = np.asarray(M)
    p = np.asarray(p)
    if p.shape[-1] == M.shape[1] - 1:
        p = np.concatenate([p, np.ones_like(p[..., :1])], -1)
    p = p @ M.T
    return p[..., :-1] / p[..., -1:]


def _obj_index(token, count, line_no):
    """A 0-based index from a 1-based (or negative, counted from the end) .obj index; -1 for an empty one."""
    if not token:
        return -1
    try:
        i = int(token)
    except ValueError:
        raise ValueError("line %d: %r is not an .obj vertex index." % (line_no, token)) from None
    i = i - 1 if i > 0 else count + i
    if not 0 <= i < count or token == "0":
        raise ValueError("line %d: index %s refers to no element (%d defined so far)." % (line_no, token, count))
    return i


def load_obj(fn):
    """A mesh dict from a Wavefront .obj file (a path or an open text file): `position`, `uv`, `normal`, `face`.

    Each distinct position/uv/normal triple of the faces becomes one vertex; polygons are split into triangle
    fans. Missing uvs or normals are zeros. Only v, vt, vn and f lines are read.
    """
    if isinstance(fn, (str, os.PathLike)):
        if not os.path.isfile(fn):
            raise FileNotFoundError("No .obj file at %r." % os.fspath(fn))
        with open(fn, encoding="utf-8", errors="replace") as f:
            return load_obj(f)
    elements = {"v": [], "vt": [], "vn": []}
    sizes = {"v": 3, "vt": 2, "vn": 3}
    vertex_ids = {}
    faces = []
    for line_no, line in enumerate(fn, 1):
        tokens = line.split("#", 1)[0].split()
        if not tokens:
            continue
        tag, args = tokens[0], tokens[1:]
        if tag in elements:
            try:
                values = [float(a) for a in args[: sizes[tag]]]
            except ValueError:
                raise ValueError("line %d: %r has a value that is not a number." % (line_no, line.strip())) from None
            if len(values) < sizes[tag] - (tag == "vt"):
                raise ValueError("line %d: %r has too few values." % (line_no, line.strip()))
            elements[tag].append(values + [0.0] * (sizes[tag] - len(values)))
        elif tag == "f":
            if len(args) < 3:
                raise ValueError("line %d: a face needs at least 3 vertices: %r." % (line_no, line.strip()))
            polygon = []
            for arg in args:
                parts = (arg.split("/") + ["", ""])[:3]
                key = tuple(_obj_index(t, len(elements[k]), line_no) for t, k in zip(parts, ("v", "vt", "vn")))
                if key[0] < 0:
                    raise ValueError("line %d: face vertex %r has no position index." % (line_no, arg))
                polygon.append(vertex_ids.setdefault(key, len(vertex_ids)))
            faces.extend([polygon[0], polygon[i], polygon[i + 1]] for i in range(1, len(polygon) - 1))
    keys = np.array(list(vertex_ids), np.int64).reshape(-1, 3)
    mesh = {"face": np.array(faces, np.int32).reshape(-1, 3)}
    for column, (tag, name) in enumerate([("v", "position"), ("vt", "uv"), ("vn", "normal")]):
        table = np.array(elements[tag] + [[0.0] * sizes[tag]], np.float32)  # index -1: the zero row
        mesh[name] = table[keys[:, column]]
    return mesh


def normalize_mesh(mesh):
    """A copy of `mesh` centred on its bounding box and scaled to fit in [-1, 1]^3."""
    mesh = dict(mesh)
    position = np.asarray(mesh["position"], np.float32)[:, :3]
    if len(position) == 0:
        raise ValueError("normalize_mesh: the mesh has no vertices.")
    position = position - (position.max(0) + position.min(0)) / 2.0
    extent = np.abs(position).max()
    mesh["position"] = position / extent if extent > 0 else position
    return mesh


def _grid_mesh(n_u, n_v, surface):
    """A mesh over an (n_u + 1) x (n_v + 1) grid of uv in [0, 1]^2; `surface(u, v)` gives positions and normals.

    Seam vertices are repeated, so that the uvs of every triangle are continuous.
    """
    u, v = np.meshgrid(np.linspace(0, 1, n_u + 1), np.linspace(0, 1, n_v + 1))
    position, normal = surface(u.ravel(), v.ravel())
    i = np.arange((n_u + 1) * n_v).reshape(n_v, n_u + 1)[:, :-1].ravel()
    below, right = i + n_u + 1, i + 1
    face = np.concatenate([np.stack([i, right, below + 1], 1), np.stack([i, below + 1, below], 1)])
    return {
        "position": np.float32(position),
        "uv": np.float32(np.stack([u.ravel(), v.ravel()], 1)),
        "normal": np.float32(normal),
        "face": np.int32(face),
    }


def sphere(n_u=64, n_v=32):
    """A unit sphere with longitude/latitude uvs (u around the y axis, v from the bottom pole to the top)."""

    def surface(u, v):
        phi, theta = 2 * np.pi * u, np.pi * (1 - v)
        normal = np.stack([np.sin(theta) * np.sin(phi), np.cos(theta), np.sin(theta) * np.cos(phi)], 1)
        return normal, normal

    return _grid_mesh(n_u, n_v, surface)


def torus(major_radius=0.7, minor_radius=0.3, n_u=64, n_v=32):
    """A torus around the y axis; u runs around the y axis, v around the tube."""

    def surface(u, v):
        phi, theta = 2 * np.pi * u, 2 * np.pi * v
        normal = np.stack([np.cos(theta) * np.sin(phi), np.sin(theta), np.cos(theta) * np.cos(phi)], 1)
        centre = major_radius * np.stack([np.sin(phi), np.zeros_like(phi), np.cos(phi)], 1)
        return centre + minor_radius * normal, normal

    return _grid_mesh(n_u, n_v, surface)
