"""Tiled activation atlases: points laid out in 2D (e.g. UMAP of activations) are binned into a grid of cells,
cut into tiles of cells, and each tile is rendered (one icon per cell) and aggregated (one value per cell).

`pipeline.run(render, aggregate, params, metadata, layout)` does it all; `grid`, `render_tile` hold the steps.
"""
