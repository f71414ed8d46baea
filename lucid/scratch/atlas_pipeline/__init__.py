"""Tiled activation atlases: points laid out in 2D (e.g. a UMAP of activations) are binned into a grid of cells,
the grid cut into tiles of cells, and each tile rendered (one image per cell) and aggregated (one JSON value per
cell), for each grid resolution asked for.

`pipeline.run(render, aggregate, params, metadata, layout)` does it all; `grid` and `render_tile` hold the steps.
"""
