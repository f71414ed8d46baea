"""Matplotlib figures as image arrays (to show or save them with lucid.misc.io). Needs matplotlib."""

import io

import numpy as np

from lucid.misc.io.image_files import open_image

__all__ = [
    "matplotlib_to_numpy",
]


def matplotlib_to_numpy(plt):
    """The current figure of `plt` (the pyplot module) or the Figure `plt`, as a float32 [h, w, 3] array in [0, 1]."""
    figure = plt.gcf() if hasattr(plt, "gcf") else plt
    if not hasattr(figure, "savefig"):
        raise TypeError("matplotlib_to_numpy takes matplotlib.pyplot or a Figure, got %s." % type(plt).__name__)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    return np.asarray(open_image(buffer).convert("RGB"), dtype=np.float32) / 255.0
