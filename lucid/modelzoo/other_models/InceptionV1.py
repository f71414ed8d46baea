"""InceptionV1 (GoogLeNet) as trained by Google for the original DeepDream: the "inception5h" graph."""

import logging

import tensorflow as tf

from lucid.modelzoo.vision_base import Model, _layers_from_list_of_dicts

__all__ = ["Model", "InceptionV1", "InceptionV1_adv_finetuned"]

log = logging.getLogger(__name__)


def _populate_inception_bottlenecks(scope):
    """Add `scope/<mixed>_pre_relu`: each mixed layer's concat redone over its branches' pre-ReLU tensors.

    The graph only has the concat of the ReLU outputs; visualizations often want the values before the ReLU.
    """
    graph = tf.compat.v1.get_default_graph()
    for op in graph.get_operations():
        if not op.name.startswith(scope + "/") or op.type not in ("Concat", "ConcatV2"):
            continue
        if op.type == "Concat":  # the old op: inputs are (axis, *values)
            axis, values = op.inputs[0], op.inputs[1:]
        else:  # inputs are (*values, axis)
            axis, values = op.inputs[-1], op.inputs[:-1]
        pre_relus = [value.op.inputs[0] if value.op.type == "Relu" else value for value in values]
        name = op.name[len(scope) + 1 :].split("/")[0]
        with graph.name_scope(scope + "/"):
            tf.concat(pre_relus, axis, name=name + "_pre_relu")


class InceptionV1(Model):
    """InceptionV1 trained on ImageNet (1008 classes; the first label is "dummy"). Input range (-117, 138)."""

    model_path = "gs://modelzoo/vision/other_models/InceptionV1.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_alternate.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_alternate_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-117, 138)
    input_name = "input"

    def post_import(self, scope):
        _populate_inception_bottlenecks(scope)


InceptionV1.layers = _layers_from_list_of_dicts(
    InceptionV1(),
    [
        {"tags": ["conv"], "name": "conv2d0", "depth": 64},
        {"tags": ["conv"], "name": "conv2d1", "depth": 64},
        {"tags": ["conv"], "name": "conv2d2", "depth": 192},
        {"tags": ["conv"], "name": "mixed3a", "depth": 256},
        {"tags": ["conv"], "name": "mixed3b", "depth": 480},
        {"tags": ["conv"], "name": "mixed4a", "depth": 508},
        {"tags": ["conv"], "name": "mixed4b", "depth": 512},
        {"tags": ["conv"], "name": "mixed4c", "depth": 512},
        {"tags": ["conv"], "name": "mixed4d", "depth": 528},
        {"tags": ["conv"], "name": "mixed4e", "depth": 832},
        {"tags": ["conv"], "name": "mixed5a", "depth": 832},
        {"tags": ["conv"], "name": "mixed5b", "depth": 1024},
        {"tags": ["conv"], "name": "head0_bottleneck", "depth": 128},
        {"tags": ["dense"], "name": "nn0", "depth": 1024},
        {"tags": ["dense"], "name": "softmax0", "depth": 1008},
        {"tags": ["conv"], "name": "head1_bottleneck", "depth": 128},
        {"tags": ["dense"], "name": "nn1", "depth": 1024},
        {"tags": ["dense"], "name": "softmax1", "depth": 1008},
        {"tags": ["dense"], "name": "softmax2", "depth": 1008},
    ],
)


class InceptionV1_adv_finetuned(InceptionV1):
    """InceptionV1 fine-tuned with adversarial training; same layers and input as InceptionV1."""

    model_path = "gs://modelzoo/vision/other_models/InceptionV1_adv_finetuned.pb"
