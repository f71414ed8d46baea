"""Run examples/notebooks/quickstart.ipynb top to bottom in a real Jupyter kernel and check what it displayed."""

import os
import re

import numpy as np
import PIL.Image
import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICKSTART = os.path.join(ROOT, "examples", "notebooks", "quickstart.ipynb")

# A call that displays one image (or one row of images): show(...), show.animation(...), render_vis(...) unless
# verbose=False.
SHOW_CALL = re.compile(r"\bshow(\.\w+)?\(")
DATA_IMG = re.compile(r'<img src="data:image/(PNG|GIF);base64,')


def _image_outputs(cell):
    """Outputs of `cell` that hold an image: image/png, or text/html with an <img> data URL."""
    found = []
    for output in cell.outputs:
        data = output.get("data", {})
        if "image/png" in data or DATA_IMG.search(data.get("text/html", "")):
            found.append(output)
    return found


def _expected_images(source):
    shows = len(SHOW_CALL.findall(source))
    renders = len(re.findall(r"render_vis\(", source)) - source.count("verbose=False")
    return shows + renders


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The quickstart notebook after execution, run in a scratch directory (it writes a PNG and a GIF there)."""
    workdir = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(QUICKSTART, as_version=4)
    # The kernel inherits this process's environment: make `import lucid` find this checkout.
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, previous]))
    try:
        client = nbclient.NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
        )
        client.execute()
    finally:
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous
    return notebook, workdir


def test_quickstart_runs_without_errors(executed):
    notebook, _ = executed
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert [o for o in cell.outputs if o.output_type == "error"] == [], cell.source


def test_quickstart_shows_every_image(executed):
    notebook, _ = executed
    checked = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        expected = _expected_images(cell.source)
        assert len(_image_outputs(cell)) >= expected, cell.source
        checked += expected
    assert checked >= 7


def test_quickstart_labels_and_animation(executed):
    notebook, _ = executed
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    for label in ("pixels", "fft + decorrelated", "block5:17 + block6:5"):
        assert "> %s <br/>" % label in html
    assert 'src="data:image/GIF;base64,' in html


def test_quickstart_writes_files(executed):
    _, workdir = executed
    png = np.asarray(PIL.Image.open(workdir / "block5_17.png"))
    assert png.shape == (96, 96, 3) and png.std() > 5
    gif = PIL.Image.open(workdir / "block5_17.gif")
    assert gif.n_frames > 1


def test_stored_quickstart_keeps_its_images():
    """The notebook in the repository shows its images to someone browsing it (refresh_outputs.py stores them)."""
    notebook = nbformat.read(QUICKSTART, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert len(_image_outputs(cell)) >= _expected_images(cell.source), cell.source
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
