"""Every zoo model class by name: `import lucid.modelzoo.vision_models as models; models.InceptionV1()`."""

from lucid.modelzoo.vision_base import Model, Layer
from lucid.modelzoo.caffe_models import *
from lucid.modelzoo.slim_models import *
from lucid.modelzoo.other_models import *

__all__ = ["Layer"] + [_name for _name, _obj in globals().items() if isinstance(_obj, type) and issubclass(_obj, Model)]
