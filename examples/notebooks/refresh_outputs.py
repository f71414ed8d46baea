"""Re-run the example notebooks in place so that the stored copies show their images.

    python examples/notebooks/refresh_outputs.py [notebook.ipynb ...]

Each notebook runs top to bottom in a Jupyter kernel (in a scratch directory: the files it writes are not kept),
against this checkout's lucid. TensorFlow's start-up log lines on stderr are dropped from the stored outputs: they
differ from machine to machine and say nothing about the notebook.
"""

import os
import pathlib
import sys
import tempfile

import nbclient
import nbformat

HERE = pathlib.Path(__file__).resolve().parent


def refresh(path):
    notebook = nbformat.read(path, as_version=4)
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent.parent), env_path]))
    with tempfile.TemporaryDirectory() as workdir:
        client = nbclient.NotebookClient(
            notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": workdir}}
        )
        client.execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    tmp = pathlib.Path(str(path) + ".tmp")
    nbformat.write(notebook, str(tmp))
    os.replace(tmp, path)


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(HERE.glob("*.ipynb")):
        refresh(name)
        print("refreshed", name)
