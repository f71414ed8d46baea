"""Base classes of the model zoo, at the original's path: `Model` and `Layer` (lucid.modelzoo.model) and the
manifest models `SerializedModel` and `FrozenGraphModel` (lucid.modelzoo.model_files). The zoo's model modules
import `_layers_from_list_of_dicts` from here too."""

from lucid.misc.io import load, save
from lucid.modelzoo.model import (
    IMAGENET_MEAN,
    IMAGENET_MEAN_BGR,
    Layer,
    Model,
    _layers_from_list_of_dicts,  # noqa: F401
)
from lucid.modelzoo.model_files import FrozenGraphModel, SerializedModel

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_MEAN_BGR",
    "FrozenGraphModel",
    "Layer",
    "Model",
    "SerializedModel",
    "load",
    "save",
]
