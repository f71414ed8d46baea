"""Zoo models converted from Caffe (BGR input, ImageNet mean subtracted); `__all__` lists their Model classes."""

from lucid.modelzoo.caffe_models.AlexNet import *
from lucid.modelzoo.caffe_models.InceptionV1 import *
from lucid.modelzoo.caffe_models.others import *
from lucid.modelzoo.vision_base import Model

__all__ = ["Model"] + [
    _name
    for _name, _obj in globals().items()
    if not _name.startswith("_") and isinstance(_obj, type) and issubclass(_obj, Model) and _obj is not Model
]
