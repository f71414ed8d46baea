"""Parameterizations: functions that build an image (or other tensor) from trainable variables.

`param.image(128)` is the usual choice. Submodules (`param.spatial`, `param.color`, `param.random`, ...) are
reachable as attributes, except `param.cppn`, which is the `cppn` function.
"""

from lucid.optvis.param import color, images, lowres, random, resize_bilinear_nd, spatial, unit_balls
from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.cppn import cppn
from lucid.optvis.param.images import grayscale_image_rgb, image
from lucid.optvis.param.lowres import lowres_tensor
from lucid.optvis.param.random import image_sample
from lucid.optvis.param.spatial import fft_image, laplacian_pyramid, naive
from lucid.optvis.param.maco import MACO_LEARNING_RATE, estimate_spectrum, is_maco_image, maco, maco_transforms

__all__ = [
    "color",
    "cppn",
    "estimate_spectrum",
    "fft_image",
    "grayscale_image_rgb",
    "image",
    "image_sample",
    "images",
    "is_maco_image",
    "laplacian_pyramid",
    "lowres",
    "lowres_tensor",
    "maco",
    "MACO_LEARNING_RATE",
    "maco_transforms",
    "naive",
    "random",
    "resize_bilinear_nd",
    "spatial",
    "to_valid_rgb",
    "unit_balls",
]
