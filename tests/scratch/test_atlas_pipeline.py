"""lucid.scratch.atlas_pipeline against the original Lucid 0.3.10 (its source, run with the same inputs): the
expected values were measured there."""

import json

import numpy as np
import pytest
from PIL import Image

from lucid.scratch.atlas_pipeline import grid, pipeline, render_tile

X = np.array([0.0, 0.1, 0.5, 0.9, 1.0, 0.3, 0.7, 0.2, 0.95, 0.45])
Y = np.array([0.0, 0.9, 0.5, 0.1, 1.0, 0.3, 0.8, 0.25, 0.6, 0.55])
LAYOUT = {"x": X, "y": Y}
METADATA = {"label": np.arange(10) % 3}
PARAMS = {"n_layer": 4, "n_tile": 2, "cell_size": 2, "name": "a"}


def _render(cell, params, metadata, layout, summary):
    colour = (len(cell["gi"]) * 50, int(cell["i"]) * 60, int(cell["j"]) * 60)
    return Image.new("RGB", (params["cell_size"],) * 2, colour)


@pytest.fixture
def tiles():
    return grid.grid(METADATA, LAYOUT, dict(PARAMS))


def test_grid_bins_points_into_tiles(tiles):
    assert list(tiles) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert tiles[(1, 1)] == {
        "x": [0.5, 1.0, 0.7, 0.95],
        "y": [0.5, 1.0, 0.8, 0.6],
        "ci": [2, 3, 2, 2],
        "cj": [2, 3, 2, 2],
        "gi": [2, 4, 6, 8],
    }
    assert [tiles[key]["gi"] for key in tiles] == [[0, 5, 7], [1, 9], [3], [2, 4, 6, 8]]
    keep_label_0 = dict(PARAMS, filter=lambda i, metadata: metadata["label"][i] == 0)
    assert [tile["gi"] for tile in grid.grid(METADATA, LAYOUT, keep_label_0).values()] == [[0], [9], [3], [6]]
    assert grid.enumerate_tiles(tiles)[2] == (1, 0, tiles[(1, 0)])
    assert grid.tile_cells(tiles[(1, 1)]) == {
        (2, 2): {"gi": [2, 6, 8], "i": 2, "j": 2},
        (3, 3): {"gi": [4], "i": 3, "j": 3},
    }
    with pytest.raises(ValueError, match="must divide"):  # the original: KeyError (2, 2)
        grid.grid(METADATA, LAYOUT, dict(PARAMS, n_layer=5))


def test_summarize(tiles):
    summary = pipeline.summarize(tiles, PARAMS, LAYOUT, METADATA)
    assert summary == {
        "x_min": 0.0,
        "x_max": 1.0,
        "y_min": 0.0,
        "y_max": 1.0,
        "x_bin": 0.25,
        "y_bin": 0.25,
        "max_density": 3,
        "min_density": 1,
        "total_count": 10,
        "user_max_density": 3,
        "user_min_density": 1,
        "user_total_count": 10,
        "num_cells": 5,
    }


def test_render_and_aggregate_tile(tiles):
    cells = grid.tile_cells(tiles[(1, 1)])
    summary = pipeline.summarize(tiles, PARAMS, LAYOUT, METADATA)
    image = render_tile.render_tile(cells, 1, 1, _render, PARAMS, METADATA, LAYOUT, summary)
    assert isinstance(image, Image.Image) and (image.mode, image.size) == ("RGB", (4, 4))
    white, three, one = [255, 255, 255], [150, 120, 120], [50, 180, 180]
    expected = [[three, three, white, white]] * 2 + [[white, white, one, one]] * 2
    assert np.asarray(image).tolist() == expected
    scaled = render_tile.render_tile(
        cells, 1, 1, _render, dict(PARAMS, cell_size=4, scale_density=True), {}, {}, summary
    )
    red = np.asarray(scaled)[..., 0]
    assert red[:4, :4].tolist() == [[150] * 4] * 4 and red[6, 6] == 50 and (red == 50).sum() == 1
    aggregated = render_tile.aggregate_tile(cells, 1, 1, lambda cell, *_: len(cell["gi"]), PARAMS, {}, {}, summary)
    assert aggregated == [{"aggregate": 3, "i": 2, "j": 2}, {"aggregate": 1, "i": 3, "j": 3}]


def test_run_writes_every_tile_of_every_resolution(tmp_path):
    params = dict(PARAMS, n_cells=[2, 4], directory=str(tmp_path / "atlas"))
    pipeline.run(_render, lambda cell, *_: len(cell["gi"]), params, METADATA, LAYOUT)
    assert params["n_layer"] == 4  # the original leaves the last resolution in params
    names = sorted(path.name for path in (tmp_path / "atlas").iterdir())
    assert names == ["a-tile_2_2_0_0.json", "a-tile_2_2_0_0.png"] + [
        "a-tile_4_2_%d_%d.%s" % (ti, tj, ext) for ti in range(2) for tj in range(2) for ext in ("json", "png")
    ]
    assert json.loads((tmp_path / "atlas" / "a-tile_4_2_1_1.json").read_text()) == [
        {"aggregate": 3, "i": 2, "j": 2},
        {"aggregate": 1, "i": 3, "j": 3},
    ]
    assert np.asarray(Image.open(tmp_path / "atlas" / "a-tile_4_2_1_1.png"))[0, 0].tolist() == [150, 120, 120]
