"""Binning laid-out points into grid cells and tiles, and writing finished tiles to a local folder.

`params`: "grid_size" (cells per side of the atlas), "tile_size" (cells per side of a tile), "output_dir" (where
write_grid_local writes), "icon_size" (pixels per cell, for render_tile). `metadata`: a dict of arrays (or lists)
with one entry per point, e.g. {"activations": [n, c], "labels": [n]}; `layout`: [n, 2] point positions.
"""

import os

import numpy as np

from lucid.misc.io import save


def _check(params, layout, metadata):
    for key in ("grid_size", "tile_size"):
        if not isinstance(params.get(key), int) or params[key] < 1:
            raise ValueError("params[%r] must be a positive int, got %r." % (key, params.get(key)))
    layout = np.asarray(layout, dtype=np.float64)
    if layout.ndim != 2 or layout.shape[1] != 2 or not np.isfinite(layout).all():
        raise ValueError("layout must be finite [n, 2] positions, got shape %s." % (layout.shape,))
    for key, values in metadata.items():
        if len(values) != len(layout):
            raise ValueError("metadata[%r] has %d entries for %d points." % (key, len(values), len(layout)))
    return layout


def grid(metadata, layout, params):
    """The points binned into cells: {(ti, tj): {(i, j): cell}}, tiles keyed by tile row and column, cells by
    their row and column in the whole grid; a cell is {"i", "j", "indices": point indices, "metadata": {key:
    the entries of its points}}. The layout is scaled to fill the grid; empty cells and tiles are left out."""
    layout = _check(params, layout, metadata)
    size = params["grid_size"]
    low, high = layout.min(axis=0), layout.max(axis=0)
    scaled = (layout - low) / np.where(high > low, high - low, 1.0)
    cells_ij = np.minimum((scaled * size).astype(int), size - 1)  # columns: x -> j, y -> i
    tiles = {}
    for i, j in sorted(set(map(tuple, cells_ij[:, ::-1]))):
        indices = np.flatnonzero((cells_ij[:, 1] == i) & (cells_ij[:, 0] == j))
        i, j = int(i), int(j)
        cell = {"i": i, "j": j, "indices": indices}
        cell["metadata"] = {key: np.asarray(values)[indices] for key, values in metadata.items()}
        tile_key = (i // params["tile_size"], j // params["tile_size"])
        tiles.setdefault(tile_key, {})[(i, j)] = cell
    return tiles


def enumerate_tiles(tiles):
    """(ti, tj, tile) for each tile, in row-major order."""
    for (ti, tj), tile in sorted(tiles.items()):
        yield ti, tj, tile


def tile_cells(tile):
    """The cells of a tile, in row-major order."""
    return [cell for _, cell in sorted(tile.items())]


def write_grid_local(tiles, params):
    """Write each finished tile {(ti, tj): {"image": array, "aggregate": json-able}} to params["output_dir"] as
    tile_TI_TJ.png and tile_TI_TJ.json; return the paths written."""
    output_dir = params.get("output_dir")
    if not output_dir:
        raise ValueError("params['output_dir'] must name the folder to write the tiles to.")
    paths = []
    for ti, tj, result in enumerate_tiles(tiles):
        base = os.path.join(output_dir, "tile_%d_%d" % (ti, tj))
        if "image" in result:
            save(result["image"], base + ".png")
            paths.append(base + ".png")
        if "aggregate" in result:
            save(result["aggregate"], base + ".json")
            paths.append(base + ".json")
    return paths
