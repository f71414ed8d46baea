"""Scale-out rendering on Dask: every channel of whole layers or models, resumable, with an HTML index.

    from lucid.scale import render_units
    render_units("EfficientNetLite0", ["block5"], "out")   # out/EfficientNetLite0/block5/<channel>.png, out/index.html

Needs the `scale` extra (`pip install 'lucid[scale]'`, i.e. dask[distributed]). The command line is
`lucid-render-sweep` (lucid.scale.cli).
"""

from lucid.scale.sweep import render_units

__all__ = ["render_units"]
