"""Utilities of the "Understanding RL Vision" notebook: `from lucid.scratch.rl_util import *` gives them all, with
numpy as np, tensorflow as tf, lucid's Model, ChannelReducer, param, objectives, render, transform, show and save.

`all_()` is the list of those names; `reload(globals())` reloads this module and rebinds them in a notebook.
"""

import importlib

import numpy as np
import tensorflow as tf

import lucid.optvis.objectives as objectives
import lucid.optvis.param as param
import lucid.optvis.render as render
import lucid.optvis.transform as transform
from lucid.misc.channel_reducer import ChannelReducer
from lucid.misc.io import save, show
from lucid.misc.io.showing import _display_html, _image_url
from lucid.modelzoo.vision_base import Model

try:
    import lucid.scratch.web.svelte as lucid_svelte
except ImportError:  # the Svelte compiler's Python side is optional
    lucid_svelte = None

from .attribution import (
    get_acts,
    get_attr,
    get_grad,
    get_grad_or_attr,
    get_multi_path_attr,
    get_paths,
    gradient_override_map,
    maxpool_override,
)
from .joblib_wrapper import load_joblib, save_joblib
from .nmf import LayerNMF, argmax_nd, rescale_opacity
from .util import (
    brightness_to_opacity,
    channels_to_rgb,
    concatenate_horizontally,
    conv2d,
    get_shape,
    get_var,
    hue_to_rgb,
    norm_filter,
    zoom_to,
)


def all_():
    """The names `from lucid.scratch.rl_util import *` gives (this module's `__all__`)."""
    return __all__


def reload(globals_dict):
    """Reload this module and rebind all_()'s names in `globals_dict` (a notebook's globals())."""
    module = importlib.reload(importlib.import_module(__name__))
    globals_dict.update({name: getattr(module, name) for name in module.__all__})


__all__ = [
    "np",
    "tf",
    "Model",
    "ChannelReducer",
    "param",
    "objectives",
    "render",
    "transform",
    "show",
    "save",
    "_image_url",
    "_display_html",
    "lucid_svelte",
    "load_joblib",
    "save_joblib",
    "zoom_to",
    "get_var",
    "get_shape",
    "concatenate_horizontally",
    "hue_to_rgb",
    "channels_to_rgb",
    "conv2d",
    "norm_filter",
    "brightness_to_opacity",
    "gradient_override_map",
    "maxpool_override",
    "get_acts",
    "get_grad_or_attr",
    "get_attr",
    "get_grad",
    "get_paths",
    "get_multi_path_attr",
    "argmax_nd",
    "LayerNMF",
    "rescale_opacity",
    "all_",
    "reload",
]
