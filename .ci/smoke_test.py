"""Run by .ci/run in a fresh virtual environment, outside the checkout: the installed wheel imports from the
environment (not the checkout) and carries its package data."""

import importlib.metadata
import pathlib
import sys

import numpy as np

import lucid
from lucid.misc.io import load
from lucid.modelzoo import vision_models
from lucid.optvis import param, render

installed = pathlib.Path(lucid.__file__).resolve()
assert pathlib.Path(sys.prefix).resolve() in installed.parents, "lucid imported from %s, not the venv" % installed
assert importlib.metadata.version("lucid-tf2") == lucid.__version__, lucid.__version__

package = installed.parent
for data in [
    "modelzoo/embedded/efficientnet_lite0.pb",
    "modelzoo/embedded/imagenet_labels.txt",
    "optvis/param/maco_spectrum.npy",
    "misc/gl/mesh_viewer.js",
]:
    assert (package / data).is_file(), "the wheel lacks " + data

model = vision_models.EfficientNetLite0()
assert len(model.labels) == 1000, len(model.labels)
images = render.render_vis(model, "block5:17", param_f=lambda: param.image(32), thresholds=(2,), verbose=False)
assert np.shape(images[-1]) == (1, 32, 32, 3) and np.isfinite(images[-1]).all()
assert load(str(package / "optvis/param/maco_spectrum.npy")).ndim >= 2
print("smoke test passed: lucid-tf2", lucid.__version__, "from", package)
