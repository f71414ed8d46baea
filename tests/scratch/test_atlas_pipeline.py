"""lucid.scratch.atlas_pipeline: a small activation atlas of the tiny conv net, gridded, rendered and written."""

import json

import numpy as np
import pytest
from tiny_models import layer_values

from lucid.misc.io import load
from lucid.optvis import objectives, param, render
from lucid.scratch.atlas_pipeline import grid, pipeline


@pytest.fixture
def atlas_data(model):
    images = np.random.RandomState(0).uniform(size=(40, 32, 32, 3)).astype(np.float32)
    acts = layer_values(model, "conv2", images).mean(axis=(1, 2))
    layout = acts[:, :2]  # any 2D layout; two channels stand in for UMAP here
    return {"activations": acts, "label": np.arange(40) % 3}, layout


def test_grid_bins_every_point_once(atlas_data):
    metadata, layout = atlas_data
    tiles = grid.grid(metadata, layout, {"grid_size": 4, "tile_size": 2})
    cells = [cell for _, _, tile in grid.enumerate_tiles(tiles) for cell in grid.tile_cells(tile)]
    assert sorted(np.concatenate([c["indices"] for c in cells]).tolist()) == list(range(40))
    for ti, tj, tile in grid.enumerate_tiles(tiles):
        for cell in grid.tile_cells(tile):
            assert (cell["i"] // 2, cell["j"] // 2) == (ti, tj)
            np.testing.assert_array_equal(cell["metadata"]["label"], metadata["label"][cell["indices"]])
    corner = max(cells, key=lambda c: (c["j"], -c["i"]))
    assert layout[:, 0].argmax() in [i for c in cells if c["j"] == 3 for i in c["indices"]] and corner["j"] == 3


def test_run_renders_icons_from_cell_activations_and_writes_tiles(model, atlas_data, tmp_path):
    metadata, layout = atlas_data
    params = {"grid_size": 2, "tile_size": 1, "icon_size": 32, "output_dir": str(tmp_path)}

    def render_icon(cell, params, summary):
        direction = cell["metadata"]["activations"].mean(axis=0)
        objective = objectives.direction("conv2", direction)
        return render.render_vis(model, objective, lambda: param.image(32), thresholds=(4,), verbose=False)[-1][0]

    def aggregate(cell, params, summary):
        return {"labels": np.bincount(cell["metadata"]["label"], minlength=3).tolist()}

    results, summary = pipeline.run(render_icon, aggregate, params, metadata, layout)
    assert summary["n_points"] == 40 and summary["n_tiles"] == len(results) <= 4
    for (ti, tj), result in results.items():
        assert result["image"].shape == (32, 32, 4) and result["image"][..., 3].min() == 1
        written = json.loads((tmp_path / ("tile_%d_%d.json" % (ti, tj))).read_text())
        assert written == json.loads(json.dumps(result["aggregate"]))
        assert load(str(tmp_path / ("tile_%d_%d.png" % (ti, tj)))).shape[:2] == (32, 32)
    assert sum(c["count"] for r in results.values() for c in r["aggregate"]["cells"]) == 40


def test_bad_params_and_layouts_raise(atlas_data):
    metadata, layout = atlas_data
    with pytest.raises(ValueError, match="grid_size"):
        grid.grid(metadata, layout, {"tile_size": 2})
    with pytest.raises(ValueError, match=r"\[n, 2\]"):
        grid.grid(metadata, layout[:, :1], {"grid_size": 2, "tile_size": 2})
    with pytest.raises(ValueError, match="39 entries for 40 points"):
        grid.grid({"label": metadata["label"][:39]}, layout, {"grid_size": 2, "tile_size": 2})
    with pytest.raises(ValueError, match="output_dir"):
        grid.write_grid_local({}, {})
