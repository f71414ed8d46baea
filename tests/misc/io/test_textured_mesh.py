"""showing.textured_mesh: a self-contained WebGL viewer (nothing fetched), escaped, drawn by headless Chromium."""

import base64
import io
import json
import os
import re
import subprocess

import numpy as np
import PIL.Image
import pytest
from chromium import chromium_or_skip

from lucid.misc.gl import meshutil
from lucid.misc.gl.viewer import textured_mesh_html
from lucid.misc.io import showing


def _two_colour_texture():
    """Red in the top half (v > 0.5), blue in the bottom half."""
    texture = np.zeros((16, 16, 3), np.float32)
    texture[:8, :, 0] = 1.0
    texture[8:, :, 2] = 1.0
    return texture


def _data(page):
    return json.loads(re.search(r"lucidMeshViewer\(document\.getElementById\([^)]*\), (\{.*\})\);", page).group(1))


def test_page_inlines_everything_it_needs():
    mesh = meshutil.torus(n_u=8, n_v=4)
    page = textured_mesh_html(mesh, _two_colour_texture())
    assert "http" not in page.lower() and "<script src" not in page and "<link" not in page
    data = _data(page)
    face = np.frombuffer(base64.b64decode(data["face"]), np.uint32)
    np.testing.assert_array_equal(face, mesh["face"])
    uv = np.frombuffer(base64.b64decode(data["uv"]), np.float32).reshape(-1, 2)
    np.testing.assert_array_equal(uv, mesh["uv"])
    assert data["texture"].startswith("data:image/jpeg;base64,")
    assert data["background"] == [1.0, 1.0, 1.0]


def test_script_data_cannot_close_the_script_element():
    page = textured_mesh_html(meshutil.sphere(n_u=4, n_v=2), _two_colour_texture())
    script = page[page.index("<script>") + len("<script>") :]
    assert script.count("</script") == 1 and script.rstrip().endswith("</script>")


@pytest.mark.parametrize("background", ["0xfffff", "</script><script>alert(1)", "#gggggg", 1 << 24, True])
def test_bad_background_is_refused(background):
    with pytest.raises(ValueError, match="background"):
        textured_mesh_html(meshutil.sphere(n_u=4, n_v=2), _two_colour_texture(), background=background)


def test_bad_mesh_and_texture_are_refused():
    with pytest.raises(KeyError, match="uv"):
        textured_mesh_html({"position": np.zeros((3, 3)), "face": [0, 1, 2]}, _two_colour_texture())
    mesh = dict(meshutil.sphere(n_u=4, n_v=2), face=np.array([[0, 1, 99]]))
    with pytest.raises(ValueError, match="99"):
        textured_mesh_html(mesh, _two_colour_texture())
    with pytest.raises(ValueError, match="texture"):
        textured_mesh_html(meshutil.sphere(n_u=4, n_v=2), np.zeros((4, 4)))


def test_textured_mesh_displays_once_in_a_notebook_and_writes_a_page_elsewhere(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(showing, "_in_ipython", lambda: True)
    monkeypatch.setattr(showing.IPython.display, "display", shown.append)
    showing.show.textured_mesh(meshutil.sphere(n_u=4, n_v=2), _two_colour_texture())
    assert len(shown) == 1 and "lucidMeshViewer" in shown[0].data
    monkeypatch.setattr(showing, "_in_ipython", lambda: False)
    showing.textured_mesh(meshutil.sphere(n_u=4, n_v=2), _two_colour_texture())
    path = re.search(r"saved to (\S+\.html)", capsys.readouterr().out).group(1)
    with open(path, encoding="utf-8") as f:
        assert "lucidMeshViewer" in f.read()
    os.remove(path)


def test_the_mesh_is_shown_as_it_is_and_the_texture_stretched():
    # As the original: no centring or scaling of the mesh, the texture mapped from its own min..max to 0..255.
    mesh = dict(meshutil.sphere(n_u=4, n_v=2))
    mesh["position"] = mesh["position"] * 5 + [1, 2, 3]
    texture = np.full((16, 16, 3), 0.25, np.float32)
    texture[:8] = 0.5
    page = textured_mesh_html(mesh, texture)
    data = _data(page)
    position = np.frombuffer(base64.b64decode(data["position"]), np.float32).reshape(-1, 3)
    np.testing.assert_allclose(position, mesh["position"], rtol=1e-6)
    jpeg = base64.b64decode(data["texture"].split(",", 1)[1])
    pixels = np.asarray(PIL.Image.open(io.BytesIO(jpeg)).convert("RGB")).astype(int)
    assert pixels[2, 2].min() > 245 and pixels[13, 13].max() < 10
    assert '<input type="checkbox" name="shade">' in page  # shading off at first


def test_headless_chromium_draws_the_textured_mesh_as_the_original(tmp_path):
    chromium = chromium_or_skip()
    page = tmp_path / "mesh.html"
    mesh = dict(meshutil.sphere(), position=meshutil.sphere()["position"] * 0.5)
    body = textured_mesh_html(mesh, _two_colour_texture(), background="0x00ff00")
    page.write_text('<!DOCTYPE html><html><body style="margin: 0">%s</body></html>' % body)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
        + ["--window-size=800,640", "--screenshot=%s" % shot, "file://%s" % page],
        capture_output=True,
        timeout=120,
        check=True,
    )
    image = np.asarray(PIL.Image.open(shot).convert("RGB")).astype(int)
    # The original's camera (3.3 from the origin, 42 degree field of view) sees the half-size sphere with a
    # radius of about 120 of the canvas' 600 pixel rows, centred at (400, 300), the way up.
    assert np.abs(image[5, 5] - [0, 255, 0]).max() < 8  # the background colour
    assert np.abs(image[200, 400] - [255, 0, 0]).max() < 60  # the top of the sphere: v > 0.5, red
    assert np.abs(image[400, 400] - [0, 0, 255]).max() < 60  # its bottom: blue
    assert np.abs(image[150, 400] - [0, 255, 0]).max() < 8  # above it: background (no rescaling of the mesh)
