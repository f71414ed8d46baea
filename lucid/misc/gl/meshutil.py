"""Meshes and camera matrices, in the original Lucid's conventions.

`lookat` / `sample_view` give view matrices acting on column vectors (`M @ [x, y, z, 1]`, OpenGL's manual layout);
`frustum` / `perspective` give projection matrices acting on row vectors (`[x, y, z, 1] @ P`, so `P[2, 3] = -1`),
as the original returns them: the clip-space position of a point `p` is `np.append(p, 1) @ view.T @ P`.
A mesh is a dict with `position` [n, 3] (or more columns), `face` (int32, flat: 3 vertex indices per triangle) and,
when the file has them, `uv` [n, 2] (v up: v = 1 is the top row of a texture image) and `normal` [n, 3].
"""

import os

import numpy as np

__all__ = [
    "anorm",
    "frustum",
    "homotrans",
    "load_obj",
    "lookat",
    "normalize",
    "normalize_mesh",
    "perspective",
    "sample_view",
    "sphere",
    "torus",
]


def frustum(left, right, bottom, top, znear, zfar):
    """The projection matrix of glFrustum for row vectors (the transpose of the manual's): view -> clip space."""
    if right == left or top == bottom or zfar == znear:
        raise ValueError("frustum needs left != right, bottom != top and znear != zfar.")
    M = np.zeros((4, 4), np.float32)
    M[0, 0] = 2.0 * znear / (right - left)
    M[1, 1] = 2.0 * znear / (top - bottom)
    M[2, 0] = (right + left) / (right - left)
    M[3, 1] = (top + bottom) / (top - bottom)
    M[2, 2] = -(zfar + znear) / (zfar - znear)
    M[3, 2] = -2.0 * znear * zfar / (zfar - znear)
    M[2, 3] = -1.0
    return M


def perspective(fovy, aspect, znear, zfar):
    """The projection matrix of gluPerspective for row vectors: vertical field of view `fovy` in degrees,
    aspect = w / h."""
    h = np.tan(fovy / 360.0 * np.pi) * znear
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


def lookat(eye, target=[0, 0, 0], up=[0, 1, 0]):  # noqa: B006 -- the original's defaults; only read
    """The view matrix of gluLookAt (column vectors): a camera at `eye` looking at `target`, `up` up on screen.

    With `up` parallel to the viewing direction the side axis is undefined: its row is left zero, as in the
    original."""
    eye = np.float32(eye)
    forward = normalize(np.asarray(target) - eye)
    side = normalize(np.cross(forward, up))
    M = np.eye(4, dtype=np.float32)
    M[:3, :3] = [side, np.cross(side, forward), -forward]
    M[:3, 3] = -M[:3, :3].dot(eye)
    return M


def sample_view(min_dist, max_dist=None):
    """A view matrix of a camera looking at the origin from a random direction, at a distance drawn uniformly
    between min_dist and max_dist (default min_dist). Draws np.random.uniform, then np.random.normal(size=3)."""
    if max_dist is None:
        max_dist = min_dist
    dist = np.random.uniform(min_dist, max_dist)
    eye = normalize(np.random.normal(size=3)) * dist
    return lookat(eye)


def homotrans(M, p):
    """Points `p` [..., 3] (or [..., 4], homogeneous) transformed by the 4x4 `M` (column vectors), divided by w."""
    M = np.asarray(M)
    p = np.asarray(p)
    if p.shape[-1] == M.shape[1] - 1:
        p = np.concatenate([p, np.ones_like(p[..., :1])], -1)
    p = p @ M.T
    return p[..., :-1] / p[..., -1:]


def _numbers(text):
    """The leading whitespace-separated numbers of `text` (reading stops at the first token that is not one)."""
    values = []
    for token in text.split():
        try:
            values.append(float(token))
        except ValueError:
            break
    return values


def _table(rows):
    """float32 [len(rows), longest row] with shorter rows padded with zeros."""
    table = np.zeros((len(rows), max(map(len, rows))), np.float32)
    for i, row in enumerate(rows):
        table[i, : len(row)] = row
    return table


def load_obj(fn):
    """A mesh dict from a Wavefront .obj file (a path or an open text file).

    Each distinct position/uv/normal index triple of the faces becomes one vertex, in order of first use; polygons
    become triangle fans. Keys: `face` (int32, flat, 3 indices per triangle), then `position`, `uv` and `normal`,
    each only if some face vertex refers to one (float32, as many columns as the longest line of that kind;
    shorter lines and a missing index give zeros). Faces may refer to elements defined later in the file; a
    negative index counts back from the face's line. Only v, vt, vn and f lines are read.
    """
    if isinstance(fn, (str, os.PathLike)):
        if not os.path.isfile(fn):
            raise FileNotFoundError("No .obj file at %r." % os.fspath(fn))
        with open(fn, encoding="utf-8", errors="replace") as f:
            return load_obj(f)
    # Row 0 of each table stands for "no index given" (.obj indices start at 1).
    elements = {"v": [[0.0] * 3], "vt": [[0.0] * 2], "vn": [[0.0] * 3]}
    vertex_ids = {}
    triangles = []
    for line_no, line in enumerate(fn, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        tag, _, rest = line.partition(" ")
        if tag in elements:
            elements[tag].append(_numbers(rest))
        elif tag == "f":
            polygon = []
            for chunk in rest.split():
                parts = chunk.split("/")
                if len(parts) > 3:
                    raise ValueError("line %d: %r is not an .obj face vertex (v/vt/vn)." % (line_no, chunk))
                try:
                    raw = tuple(int(p) if p else 0 for p in parts + [""] * (3 - len(parts)))
                except ValueError:
                    raise ValueError("line %d: %r is not an .obj face vertex (v/vt/vn)." % (line_no, chunk)) from None
                # A negative index counts back from the last element defined so far (the .obj rule).
                key = tuple(i if i >= 0 else len(elements[t]) + i for i, t in zip(raw, ("v", "vt", "vn")))
                if any(r < 0 and k < 1 for r, k in zip(raw, key)):
                    raise ValueError("line %d: %r refers back past the first element." % (line_no, chunk))
                polygon.append(vertex_ids.setdefault(key, len(vertex_ids)))
            for i in range(1, len(polygon) - 1):
                triangles += [polygon[0], polygon[i], polygon[i + 1]]
    if not vertex_ids:
        raise ValueError("The .obj file has no faces (f lines): there is no mesh to load.")
    keys = np.array(list(vertex_ids), np.int64)
    mesh = {"face": np.array(triangles, np.int32)}
    for column, (tag, name) in enumerate([("v", "position"), ("vt", "uv"), ("vn", "normal")]):
        if keys[:, column].any():
            table = _table(elements[tag])
            if keys[:, column].max() >= len(table):
                raise ValueError(
                    "A face refers to %s %d, but the file has %d." % (tag, keys[:, column].max(), len(table) - 1)
                )
            mesh[name] = table[keys[:, column]]
    return mesh


def normalize_mesh(mesh):
    """A copy of `mesh` with `position` (its first 3 columns) centred on its bounding box and scaled to fit
    [-1, 1]^3. A mesh that is a single point is only centred."""
    mesh = dict(mesh)
    position = np.array(mesh["position"])[:, :3]
    if len(position) == 0:
        raise ValueError("normalize_mesh: the mesh has no vertices.")
    if not np.issubdtype(position.dtype, np.inexact):
        position = position.astype(np.float64)
    position -= (position.max(0) + position.min(0)) / 2.0
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
        "face": np.int32(face).ravel(),
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
