"""Binning laid-out points into grid cells, organized into tiles.

`layout` is {"x": array, "y": array} (one entry per point); `params` holds "n_layer" (cells per side of the grid),
"n_tile" (cells per side of a tile, dividing n_layer) and optionally "filter", a function (i, metadata=...) ->
whether point i is kept. `metadata` is anything the user's functions need; it is passed to them as is.
"""

import csv
import io
import math

import numpy as np

from lucid.misc.io.writing import write_handle

_TILE_KEYS = ("x", "y", "ci", "cj", "gi")  # layout coordinates, cell column and row, point index


def grid(metadata, layout, params):
    """Every tile of the grid, {(ti, tj): {"x": [...], "y": [...], "ci": [...], "cj": [...], "gi": [...]}}, holding
    the kept points whose cell (ci, cj) lies in it. A point's cell numbers come from binning x and y into
    n_layer - 1 even bins between their minimum and maximum (np.digitize: 1 to n_layer - 1)."""
    x, y = layout["x"], layout["y"]
    cell_i = np.digitize(x, np.linspace(np.min(x), np.max(x), params["n_layer"] - 1))
    cell_j = np.digitize(y, np.linspace(np.min(y), np.max(y), params["n_layer"] - 1))
    num_tiles = int(params["n_layer"] / params["n_tile"])
    print("num tiles", num_tiles)
    tiles = {(ti, tj): {key: [] for key in _TILE_KEYS} for ti in range(num_tiles) for tj in range(num_tiles)}
    keep = params.get("filter", lambda i, metadata: True)
    for i, xi in enumerate(x):
        if i % 1000 == 0 or i + 1 == len(x):
            print("point", i + 1, "/", len(x), end="\r")
        ci, cj = cell_i[i], cell_j[i]
        if not keep(i, metadata=metadata):
            continue
        key = (math.floor(ci / params["n_tile"]), math.floor(cj / params["n_tile"]))
        if key not in tiles:
            raise ValueError(
                "Point %d falls in tile %s, outside the %d x %d tiles: params['n_tile'] (%d) must divide "
                "params['n_layer'] (%d)." % (i, key, num_tiles, num_tiles, params["n_tile"], params["n_layer"])
            )
        for name, value in zip(_TILE_KEYS, (xi, y[i], ci, cj, i)):
            tiles[key][name].append(value)
    return tiles


def write_grid_local(tiles, params):
    """Write each tile as "{directory}/{name}/tile_{n_layer}_{n_tile}_{ti}_{tj}" .npz and .csv (a column per
    key), from `params`."""
    for ti, tj, tile in enumerate_tiles(tiles):
        filename = "{directory}/{name}/tile_{n_layer}_{n_tile}_{ti}_{tj}".format(ti=ti, tj=tj, **params)
        print("saving", filename + ".npz")
        with write_handle(filename + ".npz", "wb") as handle:
            np.savez_compressed(handle, **tile)
        print("saving", filename + ".csv")
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(tile.keys())
        writer.writerows(zip(*tile.values()))
        with write_handle(filename + ".csv", "w") as handle:
            handle.write(text.getvalue())


def enumerate_tiles(tiles):
    """[(ti, tj, tile)] in the order of `tiles`."""
    return [(key[0], key[1], tile) for key, tile in tiles.items()]


def tile_cells(tile):
    """The tile's points grouped by cell: {(ci, cj): {"gi": [point indices], "i": ci, "j": cj}}."""
    cells = {}
    for gi, ci, cj in zip(tile["gi"], tile["ci"], tile["cj"]):
        cells.setdefault((ci, cj), {"gi": [], "i": ci, "j": cj})["gi"].append(gi)
    return cells
