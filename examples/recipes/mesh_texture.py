"""3D feature visualization: optimize the texture of a mesh, seen from random views, for a channel of
EfficientNet-Lite0 (offline), then write the texture, a few rendered views and an interactive viewer page.

    python examples/recipes/mesh_texture.py out/torus --mesh torus --steps 256
    python examples/recipes/mesh_texture.py out/bunny --mesh bunny.obj --objective block4:10

--mesh is "sphere", "torus" (procedural, with UVs) or the path of a Wavefront .obj file with texture
coordinates. Rendering uses headless OpenGL when available (`pip install -e '.[gl]'` and Mesa's EGL),
otherwise the slower NumPy rasterizer.
"""

import argparse
import os
import time

import _common

from lucid.misc.gl import meshutil
from lucid.misc.gl.glrenderer import MeshRenderer
from lucid.misc.gl.viewer import textured_mesh_html
from lucid.recipes import mesh_texture


def load_mesh(name):
    """A procedural mesh by name, or a mesh loaded from an .obj path (which must have texture coordinates),
    centred and scaled into [-1, 1]^3 (where the viewer's camera looks)."""
    if name in ("sphere", "torus"):
        return getattr(meshutil, name)()
    mesh = meshutil.load_obj(name)
    if "uv" not in mesh:
        raise SystemExit("%s has no texture coordinates (vt lines); a texture cannot be put on it." % name)
    return meshutil.normalize_mesh(mesh)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="folder for the texture, the views and mesh.html")
    parser.add_argument("--mesh", default="torus", help='"sphere", "torus" or an .obj path')
    parser.add_argument("--objective", default="block5:17", help="an objective of EfficientNet-Lite0")
    parser.add_argument("--steps", type=int, default=256, help="optimization steps")
    parser.add_argument("--size", type=int, default=256, help="rendered view size in pixels")
    parser.add_argument("--texture-size", type=int, default=512, help="texture size in pixels")
    parser.add_argument("--backend", choices=["gl", "numpy"], help="renderer (default: OpenGL if available)")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    mesh = load_mesh(args.mesh)
    renderer = MeshRenderer(args.size, backend=args.backend)
    print("rendering with", "OpenGL" if renderer.backend == "gl" else "the NumPy rasterizer")
    times = []

    def report(step, loss):
        times.append(time.perf_counter())
        if step % 32 == 0 or step == args.steps - 1:
            print("step %4d  objective %.3f" % (step, loss))

    texture, _ = mesh_texture.optimize_texture(
        _common.model(),
        args.objective,
        mesh,
        steps=args.steps,
        texture_size=args.texture_size,
        renderer=renderer,
        on_step=report,
    )
    if len(times) > 1:  # the first step also builds the graph
        print("%.3f s per step after the first" % ((times[-1] - times[0]) / (len(times) - 1)))
    _common.write(texture, args.out_dir, "texture")
    eyes = [[0, 4, 10], [10, 2, 0], [0, -4, -10], [-7, 7, 4]]
    views = [meshutil.lookat(meshutil.normalize(eye) * mesh_texture.VIEW_DISTANCE[1]) for eye in eyes]
    views = mesh_texture.render_views(mesh, texture, views, renderer=renderer)
    for i, view in enumerate(views):
        _common.write(view, args.out_dir, "view_%d" % i)
    path = os.path.join(args.out_dir, "mesh.html")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><html><body>%s</body></html>" % textured_mesh_html(mesh, texture))
    os.replace(path + ".tmp", path)
    print("wrote", path)


if __name__ == "__main__":
    main()
