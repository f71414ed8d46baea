"""lucid.misc.convert_matplotlib: a figure becomes an image array."""

import numpy as np
import pytest

from lucid.misc.convert_matplotlib import matplotlib_to_numpy


def test_figure_to_numpy():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(2, 1), dpi=50, facecolor=(1, 0, 0))
    try:
        image = matplotlib_to_numpy(plt)
        # The original's array: RGBA, float64 (PNG bytes / 255).
        assert image.shape == (50, 100, 4) and image.dtype == np.float64
        np.testing.assert_array_equal(image[0, 0], [1, 0, 0, 1])
        np.testing.assert_array_equal(matplotlib_to_numpy(figure), image)
    finally:
        plt.close(figure)
    with pytest.raises(TypeError, match="pyplot or a Figure"):
        matplotlib_to_numpy(np)
