"""Rendering and aggregating one tile of the atlas grid (see grid.py for the arguments' layout)."""

import numpy as np


def _cell_offset(cell, ti, tj, params):
    return cell["i"] - ti * params["tile_size"], cell["j"] - tj * params["tile_size"]


def render_tile(cells, ti, tj, render, params, metadata, layout, summary):
    """The RGBA image of tile (ti, tj): `render(cell, params, summary)` gives each cell's icon ([s, s, 3] or
    [s, s, 4] in [0, 1], s = params["icon_size"]), placed at the cell's position; empty cells stay transparent."""
    size, icon = params["tile_size"], params.get("icon_size", 64)
    image = np.zeros((size * icon, size * icon, 4), dtype=np.float32)
    for cell in cells:
        picture = np.asarray(render(cell, params, summary), dtype=np.float32)
        if picture.shape[:2] != (icon, icon) or picture.shape[-1] not in (3, 4):
            raise ValueError(
                "render returned an icon of shape %s; expected (%d, %d, 3 or 4)." % (picture.shape, icon, icon)
            )
        if picture.shape[-1] == 3:
            picture = np.concatenate([picture, np.ones((icon, icon, 1), np.float32)], axis=-1)
        row, column = _cell_offset(cell, ti, tj, params)
        image[row * icon : (row + 1) * icon, column * icon : (column + 1) * icon] = picture
    return image


def aggregate_tile(cells, ti, tj, aggregate, params, metadata, layout, summary):
    """The tile's data: {"ti", "tj", "cells": [{"i", "j", "count", "value": aggregate(cell, params, summary)}]}."""
    return {
        "ti": ti,
        "tj": tj,
        "cells": [
            {"i": cell["i"], "j": cell["j"], "count": len(cell["indices"]), "value": aggregate(cell, params, summary)}
            for cell in cells
        ],
    }
