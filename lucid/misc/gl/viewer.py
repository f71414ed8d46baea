"""HTML for an interactive view of a textured mesh: our WebGL2 viewer (`mesh_viewer.js`) and the data inlined,
so that showing it fetches nothing. `showing.textured_mesh` displays it."""

import base64
import html
import json
import os
import uuid

import numpy as np

from lucid.misc.io.serialize_array import serialize_array

__all__ = [
    "textured_mesh_html",
]

_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mesh_viewer.js")


def _parse_colour(background):
    """RGB in [0, 1] from "0xRRGGBB", "#RRGGBB" or an int 0xRRGGBB."""
    if isinstance(background, str):
        text = background.strip().lower()
        text = text[2:] if text.startswith("0x") else text[1:] if text.startswith("#") else text
        if len(text) != 6 or any(c not in "0123456789abcdef" for c in text):
            raise ValueError('background must be a colour like "0xffffff" or "#ffffff", got %r.' % (background,))
        background = int(text, 16)
    if isinstance(background, bool) or not isinstance(background, (int, np.integer)) or not 0 <= background < 1 << 24:
        raise ValueError('background must be a colour like "0xffffff" or 0xffffff, got %r.' % (background,))
    return [((int(background) >> shift) & 255) / 255.0 for shift in (16, 8, 0)]


def _vertex_normals(position, face):
    """Unit vertex normals: the sums of the (area-weighted) normals of the triangles around each vertex."""
    corners = position[face]
    face_normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    normal = np.zeros_like(position)
    for k in range(3):
        np.add.at(normal, face[:, k], face_normal)
    return normal / np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)


def _mesh_arrays(mesh):
    if not isinstance(mesh, dict) or any(k not in mesh for k in ("position", "uv", "face")):
        raise KeyError("mesh must be a dict with position, uv and face arrays (see meshutil.load_obj).")
    position = np.asarray(mesh["position"], np.float32)[:, :3]
    uv = np.asarray(mesh["uv"], np.float32)[:, :2]
    face = np.asarray(mesh["face"])
    if position.ndim != 2 or uv.shape != (len(position), 2):
        raise ValueError("mesh position must be [n, 3] and uv [n, 2]; got %s and %s." % (position.shape, uv.shape))
    if not np.issubdtype(face.dtype, np.integer) or face.size % 3 or (face.size and not 0 <= face.min()):
        raise ValueError("mesh face must hold non-negative integer vertex indices, 3 per triangle.")
    face = face.reshape(-1, 3).astype(np.uint32)
    if face.size and face.max() >= len(position):
        raise ValueError("mesh face indexes vertex %d, but there are %d vertices." % (face.max(), len(position)))
    return position, uv, face


def textured_mesh_html(mesh, texture, background="0xffffff"):
    """A self-contained HTML snippet showing `mesh` (position, uv, face) as it is, wearing `texture` [h, w, 3]
    stretched from its own min..max to the full colour range (as the original's viewer)."""
    position, uv, face = _mesh_arrays(mesh)
    texture = np.asarray(texture)
    if texture.ndim != 3 or texture.shape[-1] not in (1, 3, 4):
        raise ValueError("texture must be an [h, w, 3] image, got shape %s." % (texture.shape,))
    jpeg = serialize_array(texture[..., :3], domain=None, fmt="jpeg", quality=90)

    def encoded(array):
        return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")

    data = {
        "position": encoded(position),
        "uv": encoded(uv),
        "normal": encoded(_vertex_normals(position, face).astype(np.float32)),
        "face": encoded(face),
        "texture": "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii"),
        "background": _parse_colour(background),
    }
    element_id = "lucid-mesh-" + uuid.uuid4().hex
    with open(_SCRIPT, encoding="utf-8") as f:
        script = f.read()
    # JSON inside <script>: "<", ">" and "&" escaped so no text can close the script element.
    data_js = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        '<div id="%s" style="display: inline-block; position: relative;">'
        '<canvas width="800" height="600" style="cursor: grab;"></canvas>'
        '<div class="lucid-mesh-message"></div>'
        '<label><input type="checkbox" name="unfold"> Unfold</label> '
        '<label><input type="checkbox" name="shade"> Shade</label>'
        "</div>"
        "<script>\n%s\nlucidMeshViewer(document.getElementById(%s), %s);\n</script>"
        % (html.escape(element_id), script, json.dumps(element_id), data_js)
    )
