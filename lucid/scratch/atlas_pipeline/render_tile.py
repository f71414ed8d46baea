"""Rendering and aggregating one tile: the user's functions are called once per cell, as
f(cell, params, metadata, layout, summary), cell being {"gi": point indices, "i", "j"} (see grid.tile_cells)."""

import math

from PIL import Image


def _density(cell, metadata):
    return len(cell["gi"])


def render_tile(cells, ti, tj, render, params, metadata, layout, summary):
    """The tile's RGB PIL image, params["cell_size"] * params["n_tile"] pixels square on white: each cell's image
    from `render` pasted at the cell's place in the tile. With params["scale_density"], each cell's image is shrunk
    (params["scale_type"] resampling, default nearest) to the log of its density (params["density_function"],
    default its number of points) over the log of the highest density."""
    cell_size, n_tile = params["cell_size"], params["n_tile"]
    tile = Image.new("RGB", (cell_size * n_tile, cell_size * n_tile), (255, 255, 255))
    density = params.get("density_function", _density)
    for i, (key, cell) in enumerate(cells.items()):
        print("cell", i + 1, "/", len(cells), end="\r")
        image = render(cell, params, metadata, layout, summary)
        left, top = (key[0] % n_tile) * cell_size, (key[1] % n_tile) * cell_size
        box = [left, top, left + cell_size, top + cell_size]
        if params.get("scale_density", False):
            scale = math.log(density(cell, metadata)) / (math.log(summary["user_max_density"]) or 1)
            width = max(int(round(cell_size * scale)), 1)
            before = int(round((cell_size - width) / 2))
            after = cell_size - width - before
            box = [left + before, top + before, left + cell_size - after, top + cell_size - after]
            image = image.resize(size=(width, width), resample=params.get("scale_type", Image.NEAREST))
        tile.paste(image, box)
    print("\n")
    return tile


def aggregate_tile(cells, ti, tj, aggregate, params, metadata, layout, summary):
    """[{"aggregate": aggregate(cell, ...), "i": column, "j": row}] for the tile's cells, a JSON-able list."""
    tile = []
    for i, (key, cell) in enumerate(cells.items()):
        print("cell", i + 1, "/", len(cells), end="\r")
        value = aggregate(cell, params, metadata, layout, summary)
        tile.append({"aggregate": value, "i": int(key[0]), "j": int(key[1])})
    return tile
