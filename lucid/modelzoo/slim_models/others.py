"""NASNet and PNASNet (mobile and large) from TF-Slim, trained on ImageNet. Layers are each cell's output. (VGG16_slim
and VGG19_slim were never published in the zoo.)
"""

import logging

# IMAGENET_MEAN is unused here but public in this module, as in the original.
from lucid.modelzoo.vision_base import IMAGENET_MEAN, Model, _layers_from_list_of_dicts  # noqa: F401

__all__ = ["Model", "NasnetMobile_slim", "NasnetLarge_slim", "PnasnetMobile_slim", "PnasnetLarge_slim"]

log = logging.getLogger(__name__)


class NasnetMobile_slim(Model):
    """NASNet-A Mobile."""

    model_path = "gs://modelzoo/vision/slim_models/NasnetMobile.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


NasnetMobile_slim.layers = _layers_from_list_of_dicts(
    NasnetMobile_slim(),
    [
        {"tags": ["conv"], "name": "conv0/Conv2D", "depth": 32},
        {"tags": ["conv"], "name": "cell_stem_0/cell_output/concat", "depth": 44},
        {"tags": ["conv"], "name": "cell_stem_1/cell_output/concat", "depth": 88},
        {"tags": ["conv"], "name": "cell_0/cell_output/concat", "depth": 264},
        {"tags": ["conv"], "name": "cell_1/cell_output/concat", "depth": 264},
        {"tags": ["conv"], "name": "cell_2/cell_output/concat", "depth": 264},
        {"tags": ["conv"], "name": "cell_3/cell_output/concat", "depth": 264},
        {"tags": ["conv"], "name": "reduction_cell_0/cell_output/concat", "depth": 352},
        {"tags": ["conv"], "name": "cell_4/cell_output/concat", "depth": 528},
        {"tags": ["conv"], "name": "cell_5/cell_output/concat", "depth": 528},
        {"tags": ["conv"], "name": "cell_6/cell_output/concat", "depth": 528},
        {"tags": ["conv"], "name": "cell_7/cell_output/concat", "depth": 528},
        {"tags": ["conv"], "name": "reduction_cell_1/cell_output/concat", "depth": 704},
        {"tags": ["conv"], "name": "cell_8/cell_output/concat", "depth": 1056},
        {"tags": ["conv"], "name": "cell_9/cell_output/concat", "depth": 1056},
        {"tags": ["conv"], "name": "cell_10/cell_output/concat", "depth": 1056},
        {"tags": ["conv"], "name": "cell_11/cell_output/concat", "depth": 1056},
        {"tags": ["dense"], "name": "final_layer/predictions", "depth": 1001},
    ],
)


class NasnetLarge_slim(Model):
    """NASNet-A Large (has no synsets_path)."""

    model_path = "gs://modelzoo/vision/slim_models/NasnetLarge.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    dataset = "ImageNet"
    image_shape = [331, 331, 3]
    image_value_range = (-1, 1)
    input_name = "input"


NasnetLarge_slim.layers = _layers_from_list_of_dicts(
    NasnetLarge_slim(),
    [
        {"tags": ["conv"], "name": "conv0/Conv2D", "depth": 96},
        {"tags": ["conv"], "name": "cell_stem_0/cell_output/concat", "depth": 168},
        {"tags": ["conv"], "name": "cell_stem_1/cell_output/concat", "depth": 336},
        {"tags": ["conv"], "name": "cell_0/cell_output/concat", "depth": 1008},
        {"tags": ["conv"], "name": "cell_1/cell_output/concat", "depth": 1008},
        {"tags": ["conv"], "name": "cell_2/cell_output/concat", "depth": 1008},
        {"tags": ["conv"], "name": "cell_3/cell_output/concat", "depth": 1008},
        {"tags": ["conv"], "name": "cell_4/cell_output/concat", "depth": 1008},
        {"tags": ["conv"], "name": "cell_5/cell_output/concat", "depth": 1008},
        {"tags": ["conv"], "name": "reduction_cell_0/cell_output/concat", "depth": 1344},
        {"tags": ["conv"], "name": "cell_6/cell_output/concat", "depth": 2016},
        {"tags": ["conv"], "name": "cell_7/cell_output/concat", "depth": 2016},
        {"tags": ["conv"], "name": "cell_8/cell_output/concat", "depth": 2016},
        {"tags": ["conv"], "name": "cell_9/cell_output/concat", "depth": 2016},
        {"tags": ["conv"], "name": "cell_10/cell_output/concat", "depth": 2016},
        {"tags": ["conv"], "name": "cell_11/cell_output/concat", "depth": 2016},
        {"tags": ["conv"], "name": "reduction_cell_1/cell_output/concat", "depth": 2688},
        {"tags": ["conv"], "name": "cell_12/cell_output/concat", "depth": 4032},
        {"tags": ["conv"], "name": "cell_13/cell_output/concat", "depth": 4032},
        {"tags": ["conv"], "name": "cell_14/cell_output/concat", "depth": 4032},
        {"tags": ["conv"], "name": "cell_15/cell_output/concat", "depth": 4032},
        {"tags": ["conv"], "name": "cell_16/cell_output/concat", "depth": 4032},
        {"tags": ["conv"], "name": "cell_17/cell_output/concat", "depth": 4032},
        {"tags": ["dense"], "name": "final_layer/predictions", "depth": 1001},
    ],
)


class PnasnetMobile_slim(Model):
    """PNASNet-5 Mobile."""

    model_path = "gs://modelzoo/vision/slim_models/PnasnetMobile.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


PnasnetMobile_slim.layers = _layers_from_list_of_dicts(
    PnasnetMobile_slim(),
    [
        {"tags": ["conv"], "name": "conv0/Conv2D", "depth": 32},
        {"tags": ["conv"], "name": "cell_stem_0/cell_output/concat", "depth": 65},
        {"tags": ["conv"], "name": "cell_stem_1/cell_output/concat", "depth": 135},
        {"tags": ["conv"], "name": "cell_0/cell_output/concat", "depth": 270},
        {"tags": ["conv"], "name": "cell_1/cell_output/concat", "depth": 270},
        {"tags": ["conv"], "name": "cell_2/cell_output/concat", "depth": 270},
        {"tags": ["conv"], "name": "cell_3/cell_output/concat", "depth": 540},
        {"tags": ["conv"], "name": "cell_4/cell_output/concat", "depth": 540},
        {"tags": ["conv"], "name": "cell_5/cell_output/concat", "depth": 540},
        {"tags": ["conv"], "name": "cell_6/cell_output/concat", "depth": 1080},
        {"tags": ["conv"], "name": "cell_7/cell_output/concat", "depth": 1080},
        {"tags": ["conv"], "name": "cell_8/cell_output/concat", "depth": 1080},
        {"tags": ["dense"], "name": "final_layer/predictions", "depth": 1001},
    ],
)


class PnasnetLarge_slim(Model):
    """PNASNet-5 Large."""

    model_path = "gs://modelzoo/vision/slim_models/PnasnetLarge.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [331, 331, 3]
    image_value_range = (-1, 1)
    input_name = "input"


PnasnetLarge_slim.layers = _layers_from_list_of_dicts(
    PnasnetLarge_slim(),
    [
        {"tags": ["conv"], "name": "conv0/Conv2D", "depth": 96},
        {"tags": ["conv"], "name": "cell_stem_0/cell_output/concat", "depth": 270},
        {"tags": ["conv"], "name": "cell_stem_1/cell_output/concat", "depth": 540},
        {"tags": ["conv"], "name": "cell_0/cell_output/concat", "depth": 1080},
        {"tags": ["conv"], "name": "cell_1/cell_output/concat", "depth": 1080},
        {"tags": ["conv"], "name": "cell_2/cell_output/concat", "depth": 1080},
        {"tags": ["conv"], "name": "cell_3/cell_output/concat", "depth": 1080},
        {"tags": ["conv"], "name": "cell_4/cell_output/concat", "depth": 2160},
        {"tags": ["conv"], "name": "cell_5/cell_output/concat", "depth": 2160},
        {"tags": ["conv"], "name": "cell_6/cell_output/concat", "depth": 2160},
        {"tags": ["conv"], "name": "cell_7/cell_output/concat", "depth": 2160},
        {"tags": ["conv"], "name": "cell_8/cell_output/concat", "depth": 4320},
        {"tags": ["conv"], "name": "cell_9/cell_output/concat", "depth": 4320},
        {"tags": ["conv"], "name": "cell_10/cell_output/concat", "depth": 4320},
        {"tags": ["conv"], "name": "cell_11/cell_output/concat", "depth": 4320},
        {"tags": ["dense"], "name": "final_layer/predictions", "depth": 1001},
    ],
)
