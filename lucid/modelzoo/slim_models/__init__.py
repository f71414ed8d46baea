"""Zoo models exported from TF-Slim checkpoints; `__all__` lists their Model classes."""

from lucid.modelzoo.slim_models.Inception import *
from lucid.modelzoo.slim_models.MobilenetV1 import *
from lucid.modelzoo.slim_models.MobilenetV2 import *
from lucid.modelzoo.slim_models.ResNetV1 import *
from lucid.modelzoo.slim_models.ResNetV2 import *
from lucid.modelzoo.slim_models.others import *
from lucid.modelzoo.vision_base import Model

__all__ = ["Model"] + [
    _name
    for _name, _obj in globals().items()
    if not _name.startswith("_") and isinstance(_obj, type) and issubclass(_obj, Model) and _obj is not Model
]
