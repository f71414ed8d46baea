"""AlexNet trained on Places365, converted from Caffe (BGR input, ImageNet mean subtracted)."""

import logging

from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR, Model, _layers_from_list_of_dicts

__all__ = ["Model", "AlexNet_caffe_Places365"]

log = logging.getLogger(__name__)


class AlexNet_caffe_Places365(Model):
    """AlexNet trained on Places365 (365 scene classes), from the Caffe model zoo."""

    model_path = "gs://modelzoo/vision/caffe_models/AlexNet_places365.pb"
    labels_path = "gs://modelzoo/labels/Places365.txt"
    dataset = "Places365"
    image_shape = [227, 227, 3]
    is_BGR = True
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "input"


AlexNet_caffe_Places365.layers = _layers_from_list_of_dicts(
    AlexNet_caffe_Places365(),
    [
        {"tags": ["conv"], "name": "conv5/concat", "depth": 256},
        {"tags": ["conv"], "name": "conv5/conv5", "depth": 256},
        {"tags": ["dense"], "name": "fc6/fc6", "depth": 4096},
        {"tags": ["dense"], "name": "fc7/fc7", "depth": 4096},
        {"tags": ["dense"], "name": "prob", "depth": 365},
    ],
)
