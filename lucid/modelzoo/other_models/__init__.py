"""Zoo models that are neither caffe nor slim conversions; `__all__` lists their Model classes."""

from lucid.modelzoo.other_models.AlexNet import *
from lucid.modelzoo.other_models.Clip import *
from lucid.modelzoo.other_models.EfficientNet import *
from lucid.modelzoo.other_models.InceptionV1 import *
from lucid.modelzoo.vision_base import Model as _Model

__all__ = [
    _name
    for _name, _obj in globals().items()
    if not _name.startswith("_") and isinstance(_obj, type) and issubclass(_obj, _Model)
]

del _Model
