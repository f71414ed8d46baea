"""MobileNet V1 from TF-Slim at width multipliers 1.0, 0.5 and 0.25, trained on ImageNet."""

import logging

# IMAGENET_MEAN is unused here but public in this module, as in the original.
from lucid.modelzoo.vision_base import IMAGENET_MEAN, Model, _layers_from_list_of_dicts  # noqa: F401

__all__ = ["Model", "MobilenetV1_slim", "MobilenetV1_050_slim", "MobilenetV1_025_slim"]

log = logging.getLogger(__name__)


class MobilenetV1_slim(Model):
    """MobileNet V1, width multiplier 1.0."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV1.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


MobilenetV1_slim.layers = _layers_from_list_of_dicts(
    MobilenetV1_slim(),
    [
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_0/Relu6", "depth": 32},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Relu6", "depth": 64},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_2_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_4_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_6_pointwise/Relu6", "depth": 512},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_7_pointwise/Relu6", "depth": 512},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_8_pointwise/Relu6", "depth": 512},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_9_pointwise/Relu6", "depth": 512},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_10_pointwise/Relu6", "depth": 512},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6", "depth": 512},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_12_pointwise/Relu6", "depth": 1024},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6", "depth": 1024},
        {"tags": ["dense"], "name": "MobilenetV1/Predictions/Softmax", "depth": 1001},
    ],
)


class MobilenetV1_050_slim(Model):
    """MobileNet V1, width multiplier 0.5."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV1050.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


MobilenetV1_050_slim.layers = _layers_from_list_of_dicts(
    MobilenetV1_050_slim(),
    [
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_0/Relu6", "depth": 16},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Relu6", "depth": 32},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_2_pointwise/Relu6", "depth": 64},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6", "depth": 64},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_4_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_6_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_7_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_8_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_9_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_10_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_12_pointwise/Relu6", "depth": 512},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6", "depth": 512},
        {"tags": ["dense"], "name": "MobilenetV1/Predictions/Softmax", "depth": 1001},
    ],
)


class MobilenetV1_025_slim(Model):
    """MobileNet V1, width multiplier 0.25."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV1025.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


MobilenetV1_025_slim.layers = _layers_from_list_of_dicts(
    MobilenetV1_025_slim(),
    [
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_0/Relu6", "depth": 8},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Relu6", "depth": 16},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_2_pointwise/Relu6", "depth": 32},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6", "depth": 32},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_4_pointwise/Relu6", "depth": 64},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6", "depth": 64},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_6_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_7_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_8_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_9_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_10_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6", "depth": 128},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_12_pointwise/Relu6", "depth": 256},
        {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6", "depth": 256},
        {"tags": ["dense"], "name": "MobilenetV1/Predictions/Softmax", "depth": 1001},
    ],
)
