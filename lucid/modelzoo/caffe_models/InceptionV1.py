"""InceptionV1 (GoogLeNet) trained on ImageNet, Places205 and Places365, converted from Caffe."""

import logging

from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR, Model, _layers_from_list_of_dicts

__all__ = ["Model", "InceptionV1_caffe", "InceptionV1_caffe_Places205", "InceptionV1_caffe_Places365"]

log = logging.getLogger(__name__)

# The three trainings share the architecture; only the number of classes in `prob` differs.
_CONV_LAYERS = [
    {"tags": ["conv"], "name": "conv1_7x7_s2/conv1_7x7_s2", "depth": 64},
    {"tags": ["conv"], "name": "conv2_3x3_reduce/conv2_3x3_reduce", "depth": 64},
    {"tags": ["conv"], "name": "conv2_3x3/conv2_3x3", "depth": 192},
    {"tags": ["conv"], "name": "inception_3a_output", "depth": 256},
    {"tags": ["conv"], "name": "inception_3b_output", "depth": 480},
    {"tags": ["conv"], "name": "inception_4a_output", "depth": 512},
    {"tags": ["conv"], "name": "inception_4b_output", "depth": 512},
    {"tags": ["conv"], "name": "inception_4c_output", "depth": 512},
    {"tags": ["conv"], "name": "inception_4d_output", "depth": 528},
    {"tags": ["conv"], "name": "inception_4e_output", "depth": 832},
    {"tags": ["conv"], "name": "inception_5a_output", "depth": 832},
    {"tags": ["conv"], "name": "inception_5b_output", "depth": 1024},
]


class InceptionV1_caffe(Model):
    """InceptionV1 trained on ImageNet (1000 classes) by BVLC, from the Caffe model zoo."""

    model_path = "gs://modelzoo/vision/caffe_models/InceptionV1.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    is_BGR = True
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "data"


InceptionV1_caffe.layers = _layers_from_list_of_dicts(
    InceptionV1_caffe(),
    _CONV_LAYERS
    + [
        {"tags": ["dense"], "name": "prob", "depth": 1000},
    ],
)


class InceptionV1_caffe_Places205(Model):
    """InceptionV1 trained on Places205 (205 scene classes), from the Caffe model zoo."""

    model_path = "gs://modelzoo/vision/caffe_models/InceptionV1_places205.pb"
    labels_path = "gs://modelzoo/labels/Places205.txt"
    dataset = "Places205"
    image_shape = [224, 224, 3]
    is_BGR = True
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "data"


InceptionV1_caffe_Places205.layers = _layers_from_list_of_dicts(
    InceptionV1_caffe_Places205(),
    _CONV_LAYERS
    + [
        {"tags": ["dense"], "name": "prob", "depth": 205},
    ],
)


class InceptionV1_caffe_Places365(Model):
    """InceptionV1 trained on Places365 (365 scene classes), from the Caffe model zoo."""

    model_path = "gs://modelzoo/vision/caffe_models/InceptionV1_places365.pb"
    labels_path = "gs://modelzoo/labels/Places365.txt"
    dataset = "Places365"
    image_shape = [224, 224, 3]
    is_BGR = True
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "data"


InceptionV1_caffe_Places365.layers = _layers_from_list_of_dicts(
    InceptionV1_caffe_Places365(),
    _CONV_LAYERS
    + [
        {"tags": ["dense"], "name": "prob", "depth": 365},
    ],
)
