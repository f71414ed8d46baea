"""Zoo models by class name: `get_model("InceptionV1")`."""

from __future__ import annotations

import difflib
import inspect
import logging

from lucid.modelzoo import vision_models
from lucid.modelzoo.model import Model

__all__ = [
    "get_model",
    "models_map",
]

log = logging.getLogger(__name__)

models_map = {
    name: cls
    for name, cls in inspect.getmembers(vision_models, inspect.isclass)
    if issubclass(cls, Model) and cls is not Model
}


def get_model(name: str) -> Model:
    """A new instance of the zoo model class called `name` (nothing is downloaded yet)."""
    if name not in models_map:
        candidates = [key for key in models_map if name.lower() in key.lower()]
        candidates = candidates or difflib.get_close_matches(name, list(models_map)) or sorted(models_map)
        raise ValueError("No network named {}. Did you mean one of {}?".format(name, ", ".join(candidates)))
    return models_map[name]()
