"""The whole atlas: grid the layout, then render and aggregate every tile (and write them if asked)."""

import numpy as np

from lucid.scratch.atlas_pipeline.grid import enumerate_tiles, grid, tile_cells, write_grid_local
from lucid.scratch.atlas_pipeline.render_tile import aggregate_tile, render_tile


def summarize(tiles, params, layout, metadata):
    """Facts every tile's render and aggregate may need: counts, grid geometry and layout bounds."""
    layout = np.asarray(layout, dtype=np.float64)
    counts = [len(cell["indices"]) for _, _, tile in enumerate_tiles(tiles) for cell in tile_cells(tile)]
    return {
        "n_points": len(layout),
        "grid_size": params["grid_size"],
        "tile_size": params["tile_size"],
        "n_tiles": len(tiles),
        "n_cells": len(counts),
        "max_count": max(counts, default=0),
        "layout_min": layout.min(axis=0).tolist(),
        "layout_max": layout.max(axis=0).tolist(),
    }


def run(render, aggregate, params, metadata, layout):
    """Render and aggregate every tile: returns ({(ti, tj): {"image", "aggregate"}}, summary). With
    params["output_dir"], the tiles are also written there (write_grid_local). `render` and `aggregate` are called
    as f(cell, params, summary) for each non-empty cell (see render_tile)."""
    tiles = grid(metadata, layout, params)
    summary = summarize(tiles, params, layout, metadata)
    results = {}
    for ti, tj, tile in enumerate_tiles(tiles):
        cells = tile_cells(tile)
        results[ti, tj] = {
            "image": render_tile(cells, ti, tj, render, params, metadata, layout, summary),
            "aggregate": aggregate_tile(cells, ti, tj, aggregate, params, metadata, layout, summary),
        }
    if params.get("output_dir"):
        write_grid_local(results, params)
    return results, summary
