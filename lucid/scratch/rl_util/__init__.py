"""Utilities of the "Understanding RL Vision" notebook: `from lucid.scratch.rl_util import *` gives them all, with
numpy as np, tensorflow as tf and lucid's render, objectives, param, transform, show, save and load.

`reload(globals())` reloads these modules after editing them and rebinds their names in the notebook.
"""

import importlib

from lucid.scratch.rl_util import arch, attribution, joblib_wrapper, nmf, util

_MODULES = [util, attribution, nmf, arch, joblib_wrapper]


def all_():
    """Every name `import *` gives: the submodules' public names and the usual notebook imports."""
    import numpy as np
    import tensorflow as tf

    from lucid.misc.io import load, save, show
    from lucid.optvis import objectives, param, render, transform

    names = {"np": np, "tf": tf, "render": render, "objectives": objectives, "param": param, "transform": transform}
    names.update(show=show, save=save, load=load)
    for module in _MODULES:
        defined_here = {k: v for k, v in vars(module).items() if getattr(v, "__module__", None) == module.__name__}
        names.update({k: v for k, v in defined_here.items() if not k.startswith("_")})
    return names


def reload(globals_dict):
    """Reload the submodules (after editing them); rebind all_()'s names in `globals_dict` (a notebook's globals())."""
    for module in _MODULES:
        importlib.reload(module)
    globals_dict.update(all_())


globals().update(all_())
__all__ = sorted(all_()) + ["all_", "reload"]
