"""Scale-out rendering on Dask: every channel of whole layers or models, resumable, and a Microscope site.

    from lucid.scale import render_units, microscope
    render_units("EfficientNetLite0", ["block5"], "out")      # out/index.json, out/index.html, out/units/...
    microscope("EfficientNetLite0", "site", layers=["block4"], images="photos/", units=16)  # site/index.html

Needs the `scale` extra (`pip install 'lucid[scale]'`: dask[distributed] and fsspec). The command lines are
`lucid-render-sweep` and `lucid-microscope` (lucid.scale.cli, started from lucid.cli).
"""

from lucid.scale.microscope import microscope
from lucid.scale.sweep import render_units

__all__ = ["microscope", "render_units"]
