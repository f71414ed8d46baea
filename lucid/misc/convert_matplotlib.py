"""Matplotlib figures as image arrays (to show or save them with lucid.misc.io). Needs matplotlib."""

import io

import numpy as np

from lucid.misc.io.image_files import open_image

__all__ = [
    "matplotlib_to_numpy",
]


def matplotlib_to_numpy(plt):
    """What `plt.savefig` (the pyplot module or a Figure) draws, as a float64 [h, w, 4] RGBA array in [0, 1], as
    the original returns it."""
    if not hasattr(plt, "savefig"):
        raise TypeError("matplotlib_to_numpy takes matplotlib.pyplot or a Figure, got %s." % type(plt).__name__)
    buffer = io.BytesIO()
    plt.savefig(buffer, format="png")
    buffer.seek(0)
    return np.array(open_image(buffer)) / 255.0
