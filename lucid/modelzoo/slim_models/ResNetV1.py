"""ResNet V1 50, 101 and 152 from TF-Slim, trained on ImageNet (1000 classes, no background class). Layers are each
bottleneck unit's output.
"""

import logging

# IMAGENET_MEAN is unused here but public in this module, as in the original.
from lucid.modelzoo.vision_base import IMAGENET_MEAN, Model, _layers_from_list_of_dicts  # noqa: F401

__all__ = ["Model", "ResnetV1_50_slim", "ResnetV1_101_slim", "ResnetV1_152_slim"]

log = logging.getLogger(__name__)


class ResnetV1_50_slim(Model):
    """ResNet V1 50."""

    model_path = "gs://modelzoo/vision/slim_models/ResnetV1_50.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-117, 138)
    input_name = "input"


ResnetV1_50_slim.layers = _layers_from_list_of_dicts(
    ResnetV1_50_slim(),
    [
        {"tags": ["conv"], "name": "resnet_v1_50/conv1/Relu", "depth": 64},
        {"tags": ["conv"], "name": "resnet_v1_50/block1/unit_1/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_50/block1/unit_2/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_50/block1/unit_3/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_50/block2/unit_1/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_50/block2/unit_2/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_50/block2/unit_3/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_50/block2/unit_4/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_50/block3/unit_1/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_50/block3/unit_2/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_50/block3/unit_3/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_50/block3/unit_4/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_50/block3/unit_5/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_50/block3/unit_6/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_50/block4/unit_1/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["conv"], "name": "resnet_v1_50/block4/unit_2/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["conv"], "name": "resnet_v1_50/block4/unit_3/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["dense"], "name": "resnet_v1_50/predictions/Softmax", "depth": 1000},
    ],
)


class ResnetV1_101_slim(Model):
    """ResNet V1 101."""

    model_path = "gs://modelzoo/vision/slim_models/ResnetV1_101.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-117, 138)
    input_name = "input"


ResnetV1_101_slim.layers = _layers_from_list_of_dicts(
    ResnetV1_101_slim(),
    [
        {"tags": ["conv"], "name": "resnet_v1_101/conv1/Relu", "depth": 64},
        {"tags": ["conv"], "name": "resnet_v1_101/block1/unit_1/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_101/block1/unit_2/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_101/block1/unit_3/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_101/block2/unit_1/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_101/block2/unit_2/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_101/block2/unit_3/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_101/block2/unit_4/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_1/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_2/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_3/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_4/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_5/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_6/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_7/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_8/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_9/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_10/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_11/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_12/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_13/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_14/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_15/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_16/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_17/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_18/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_19/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_20/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_21/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_22/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block3/unit_23/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_101/block4/unit_1/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["conv"], "name": "resnet_v1_101/block4/unit_2/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["conv"], "name": "resnet_v1_101/block4/unit_3/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["dense"], "name": "resnet_v1_101/predictions/Softmax", "depth": 1000},
    ],
)


class ResnetV1_152_slim(Model):
    """ResNet V1 152."""

    model_path = "gs://modelzoo/vision/slim_models/ResnetV1_152.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-117, 138)
    input_name = "input"


ResnetV1_152_slim.layers = _layers_from_list_of_dicts(
    ResnetV1_152_slim(),
    [
        {"tags": ["conv"], "name": "resnet_v1_152/conv1/Relu", "depth": 64},
        {"tags": ["conv"], "name": "resnet_v1_152/block1/unit_1/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_152/block1/unit_2/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_152/block1/unit_3/bottleneck_v1/Relu", "depth": 256},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_1/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_2/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_3/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_4/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_5/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_6/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_7/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block2/unit_8/bottleneck_v1/Relu", "depth": 512},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_1/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_2/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_3/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_4/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_5/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_6/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_7/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_8/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_9/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_10/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_11/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_12/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_13/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_14/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_15/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_16/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_17/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_18/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_19/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_20/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_21/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_22/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_23/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_24/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_25/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_26/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_27/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_28/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_29/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_30/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_31/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_32/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_33/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_34/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_35/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block3/unit_36/bottleneck_v1/Relu", "depth": 1024},
        {"tags": ["conv"], "name": "resnet_v1_152/block4/unit_1/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["conv"], "name": "resnet_v1_152/block4/unit_2/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["conv"], "name": "resnet_v1_152/block4/unit_3/bottleneck_v1/Relu", "depth": 2048},
        {"tags": ["dense"], "name": "resnet_v1_152/predictions/Softmax", "depth": 1000},
    ],
)
