"""A NumPy rasterizer that draws frames like `glrenderer.MeshRenderer` does with OpenGL, on any machine.

It follows OpenGL's rules where they matter for UV maps: clipping at the near plane, pixel centres at
half-integers, perspective-correct interpolation of the attribute, the nearest fragment kept (depth in normalized
device coordinates, discarded outside [-1, 1]). Triangles are processed in vectorized chunks of candidate pixels.
"""

import numpy as np

__all__ = [
    "rasterize",
]

_CHUNK = 1 << 21  # candidate pixels per vectorized chunk: bounds the temporary arrays to ~100 MB


def rasterize(position, attribute, face, mvp, size, clear_color=(0, 0, 0, 0)):
    """An [h, w, 4] float32 frame, rows top-down: `attribute` [n, 4] interpolated where the triangles `face`
    [m, 3] of `position` [n, 4] (transformed by the column-vector matrix `mvp`) cover a pixel, `clear_color`
    elsewhere."""
    width, height = size
    clip = np.asarray(position, np.float64) @ np.asarray(mvp, np.float64).T
    tri_clip, tri_attr = _clip_near(clip[face], np.asarray(attribute, np.float64)[face])
    inv_w = 1.0 / tri_clip[..., 3]
    ndc = tri_clip[..., :3] * inv_w[..., None]
    x = (ndc[..., 0] + 1.0) * (width / 2.0)
    y = (1.0 - ndc[..., 1]) * (height / 2.0)  # top-down rows: row r has its centre at y = r + 0.5
    depth = np.full(height * width, np.inf)
    value = np.empty((height * width, 4))
    counts, x0, y0, box_w = _boxes(x, y, width, height)
    visible = np.flatnonzero(counts)
    total = np.cumsum(counts[visible])
    bounds = np.unique(np.searchsorted(total, np.arange(_CHUNK, total[-1] if len(total) else 0, _CHUNK)))
    for tris in np.split(visible, bounds):
        _draw(tris, counts, x0, y0, box_w, x, y, ndc[..., 2], inv_w, tri_attr, width, depth, value)
    frame = np.empty((height * width, 4), np.float32)
    frame[:] = clear_color
    covered = np.isfinite(depth)
    frame[covered] = value[covered]
    return frame.reshape(height, width, 4)


def _boxes(x, y, width, height):
    """Per triangle: the number of pixel centres in its bounding box (0 if none), its corner and width."""
    x0 = np.clip(np.ceil(x.min(1) - 0.5), 0, width).astype(np.int64)
    x1 = np.clip(np.floor(x.max(1) - 0.5), -1, width - 1).astype(np.int64)
    y0 = np.clip(np.ceil(y.min(1) - 0.5), 0, height).astype(np.int64)
    y1 = np.clip(np.floor(y.max(1) - 0.5), -1, height - 1).astype(np.int64)
    box_w, box_h = np.maximum(x1 - x0 + 1, 0), np.maximum(y1 - y0 + 1, 0)
    return box_w * box_h, x0, y0, box_w


def _draw(tris, counts, x0, y0, box_w, x, y, z, inv_w, attr, width, depth, value):
    """Rasterize the triangles `tris` into the flat `depth` and `value` buffers (nearest fragment wins)."""
    n = counts[tris]
    tri = np.repeat(tris, n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    px = x0[tri] + offset % box_w[tri] + 0.5
    py = y0[tri] + offset // box_w[tri] + 0.5
    xs, ys = x[tri], y[tri]
    # Barycentric coordinates from edge functions, divided by the signed area so either winding is inside.
    area = (xs[:, 1] - xs[:, 0]) * (ys[:, 2] - ys[:, 0]) - (xs[:, 2] - xs[:, 0]) * (ys[:, 1] - ys[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.stack([_edge(xs, ys, 1, 2, px, py), _edge(xs, ys, 2, 0, px, py), _edge(xs, ys, 0, 1, px, py)], 1)
        b /= area[:, None]
        frag_z = (b * z[tri]).sum(1)
    keep = np.all(b >= 0, 1) & (area != 0) & (np.abs(frag_z) <= 1)
    tri, b, frag_z = tri[keep], b[keep], frag_z[keep]
    pixel = (py[keep] - 0.5).astype(np.int64) * width + (px[keep] - 0.5).astype(np.int64)
    # The nearest fragment of each pixel within this chunk, then against what earlier chunks drew.
    order = np.lexsort((frag_z, pixel))
    first = order[np.unique(pixel[order], return_index=True)[1]]
    first = first[frag_z[first] < depth[pixel[first]]]
    q = b[first] * inv_w[tri[first]]  # perspective correction: interpolate attr / w and 1 / w linearly
    depth[pixel[first]] = frag_z[first]
    value[pixel[first]] = np.einsum("fi,fij->fj", q, attr[tri[first]]) / q.sum(1, keepdims=True)


def _edge(xs, ys, i, j, px, py):
    """Twice the signed area of the triangle (vertex i, vertex j, pixel centre)."""
    return (xs[:, j] - xs[:, i]) * (py - ys[:, i]) - (ys[:, j] - ys[:, i]) * (px - xs[:, i])


def _clip_near(tri_clip, tri_attr):
    """Triangles [m, 3, 4] in clip space (and their attributes) cut at the near plane z = -w."""
    inside = tri_clip[..., 2] + tri_clip[..., 3] >= 0
    crossing = inside.any(1) & ~inside.all(1)
    kept_clip, kept_attr = [tri_clip[inside.all(1)]], [tri_attr[inside.all(1)]]
    for c, a in zip(tri_clip[crossing], tri_attr[crossing]):
        polygon = []
        for i in range(3):
            j = (i + 1) % 3
            di, dj = c[i, 2] + c[i, 3], c[j, 2] + c[j, 3]
            if di >= 0:
                polygon.append((c[i], a[i]))
            if (di >= 0) != (dj >= 0):
                t = di / (di - dj)
                polygon.append((c[i] + t * (c[j] - c[i]), a[i] + t * (a[j] - a[i])))
        for k in range(1, len(polygon) - 1):
            kept_clip.append(np.stack([polygon[0][0], polygon[k][0], polygon[k + 1][0]])[None])
            kept_attr.append(np.stack([polygon[0][1], polygon[k][1], polygon[k + 1][1]])[None])
    return np.concatenate(kept_clip), np.concatenate(kept_attr)
