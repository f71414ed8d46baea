"""EfficientNet-Lite0 (ImageNet), shipped inside the package so it works without a network."""

import logging
import os

from lucid.modelzoo.vision_base import Model, _layers_from_list_of_dicts

__all__ = ["EfficientNetLite0"]

log = logging.getLogger(__name__)

_EMBEDDED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "embedded")


class EfficientNetLite0(Model):
    """EfficientNet-Lite0 trained on ImageNet (1000 classes), RGB input in [0, 1]; see embedded/README.md.

    `block1`..`block7` are the stages' linear bottleneck outputs (no ReLU, so they can be negative).
    """

    model_path = os.path.join(_EMBEDDED_DIR, "efficientnet_lite0.pb")
    labels_path = os.path.join(_EMBEDDED_DIR, "imagenet_labels.txt")
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (0, 1)
    input_name = "input"
    is_BGR = False


EfficientNetLite0.layers = _layers_from_list_of_dicts(
    EfficientNetLite0(),
    [
        {"tags": ["conv"], "name": "stem", "depth": 32},
        {"tags": ["conv"], "name": "block1", "depth": 16},
        {"tags": ["conv"], "name": "block2", "depth": 24},
        {"tags": ["conv"], "name": "block3", "depth": 40},
        {"tags": ["conv"], "name": "block4", "depth": 80},
        {"tags": ["conv"], "name": "block5", "depth": 112},
        {"tags": ["conv"], "name": "block6", "depth": 192},
        {"tags": ["conv"], "name": "block7", "depth": 320},
        {"tags": ["conv"], "name": "head", "depth": 1280},
        {"tags": ["dense"], "name": "logits", "depth": 1000},
        {"tags": ["dense"], "name": "softmax", "depth": 1000},
    ],
)
