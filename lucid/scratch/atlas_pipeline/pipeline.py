"""The whole atlas: for each grid resolution params["n_cells"], grid the layout, then aggregate and render every
tile and write them to params["directory"] as "{name}-tile_{n_layer}_{n_tile}_{ti}_{tj}" .json and .png."""

import json

import numpy as np
import tensorflow as tf

from lucid.misc.io.writing import write_handle
from lucid.scratch.atlas_pipeline import grid, render_tile


def run(render, aggregate, params, metadata, layout):
    """Write every tile of every resolution in params["n_cells"] (params["n_layer"] is set to each in turn):
    `aggregate` and `render` are called for each cell (see render_tile)."""
    tf.io.gfile.makedirs(params["directory"])
    for n_layer in params["n_cells"]:
        params["n_layer"] = n_layer
        tiles = grid.grid(metadata, layout, params)
        summary = summarize(tiles, params, layout, metadata)
        print("summary", summary)
        tile_list = grid.enumerate_tiles(tiles)
        for i, (ti, tj, tile) in enumerate(tile_list):
            cells = grid.tile_cells(tile)
            filename = "{directory}/{name}-tile_{n_layer}_{n_tile}_{ti}_{tj}".format(ti=ti, tj=tj, **params)
            print("aggregate tile", i + 1, "/", len(tile_list))
            tile_json = render_tile.aggregate_tile(cells, ti, tj, aggregate, params, metadata, layout, summary)
            print("saving", filename + ".json")
            with write_handle(filename + ".json", "w") as handle:
                json.dump(tile_json, handle)
            print("render tile", i + 1, "/", len(tile_list))
            image = render_tile.render_tile(cells, ti, tj, render, params, metadata, layout, summary)
            print("saving", filename + ".png")
            with write_handle(filename + ".png", "wb") as handle:
                image.save(handle, format="PNG")


def summarize(tiles, params, layout, metadata):
    """Facts the render and aggregate functions may use: the layout's bounds ("x_min", "x_max", "y_min", "y_max"),
    a cell's size in layout units ("x_bin", "y_bin"), the number of cells with points ("num_cells"), and the
    lowest, highest and total number of points per cell ("min_density", "max_density", "total_count"), also by
    params["density_function"] if given ("user_min_density", ...)."""
    x, y = layout["x"], layout["y"]
    summary = {"x_min": np.min(x), "x_max": np.max(x), "y_min": np.min(y), "y_max": np.max(y)}
    summary["x_bin"] = abs(summary["x_max"] - summary["x_min"]) / params["n_layer"]
    summary["y_bin"] = abs(summary["y_max"] - summary["y_min"]) / params["n_layer"]
    user_density = params.get("density_function", render_tile._density)
    counts, user_counts = [], []
    for _, _, tile in grid.enumerate_tiles(tiles):
        for cell in grid.tile_cells(tile).values():
            counts.append(render_tile._density(cell, metadata))
            user_counts.append(user_density(cell, metadata))
    summary.update(
        max_density=max(counts, default=0),
        min_density=min(counts, default=float("inf")),
        total_count=sum(counts),
        user_max_density=max(user_counts + [0]),
        user_min_density=min(user_counts + [float("inf")]),
        user_total_count=sum(user_counts),
        num_cells=len(counts),
    )
    return summary
