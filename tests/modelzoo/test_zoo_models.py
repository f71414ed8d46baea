"""The model zoo by name: the 31 models of the original Lucid zoo with the attributes it declares (SPEC), nets_factory,
module hygiene, the CLI."""

import io

import numpy as np
import pytest

import lucid.modelzoo.caffe_models as caffe_models
import lucid.modelzoo.other_models as other_models
import lucid.modelzoo.slim_models as slim_models
import lucid.modelzoo.vision_models as vision_models
from lucid.modelzoo.__main__ import main
from lucid.modelzoo.nets_factory import get_model, models_map
from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR, Model

GS = "gs://modelzoo/vision/"
LABELS = "gs://modelzoo/labels/"
STD, STD_SYN = "ImageNet_standard.txt", "ImageNet_standard_synsets.txt"
DUMMY, DUMMY_SYN = "ImageNet_standard_with_dummy.txt", "ImageNet_standard_with_dummy_synsets.txt"
CAFFE = "caffe"  # image_value_range (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR), BGR

# The original Lucid zoo's declarations: class -> (model_path, labels, synsets, dataset, input size, value range,
# input_name, BGR, number of layers, last layer, its depth).
SPEC = {
    "AlexNet_caffe_Places365": (
        "caffe_models/AlexNet_places365.pb",
        "Places365.txt",
        None,
        "Places365",
        227,
        CAFFE,
        "input",
        True,
        5,
        "prob",
        365,
    ),
    "InceptionV1_caffe": (
        "caffe_models/InceptionV1.pb",
        STD,
        STD_SYN,
        "ImageNet",
        224,
        CAFFE,
        "data",
        True,
        13,
        "prob",
        1000,
    ),
    "InceptionV1_caffe_Places205": (
        "caffe_models/InceptionV1_places205.pb",
        "Places205.txt",
        None,
        "Places205",
        224,
        CAFFE,
        "data",
        True,
        13,
        "prob",
        205,
    ),
    "InceptionV1_caffe_Places365": (
        "caffe_models/InceptionV1_places365.pb",
        "Places365.txt",
        None,
        "Places365",
        224,
        CAFFE,
        "data",
        True,
        13,
        "prob",
        365,
    ),
    "CaffeNet_caffe": ("caffe_models/CaffeNet.pb", STD, STD_SYN, "ImageNet", 227, CAFFE, "data", True, 5, "prob", 1000),
    "VGG16_caffe": ("caffe_models/VGG16.pb", STD, STD_SYN, "ImageNet", 224, CAFFE, "input", True, 16, "prob", 1000),
    "VGG19_caffe": ("caffe_models/VGG19.pb", STD, STD_SYN, "ImageNet", 224, CAFFE, "input", True, 19, "prob", 1000),
    "AlexNet": (
        "other_models/AlexNet.pb",
        STD,
        STD_SYN,
        "ImageNet",
        227,
        CAFFE,
        "Placeholder",
        True,
        11,
        "Softmax",
        1000,
    ),
    "Clip_ResNet50_4x": (
        "other_models/Clip_ResNet50_4x.pb",
        None,
        None,
        None,
        288,
        (0, 255),
        "input_image",
        False,
        0,
        None,
        None,
    ),
    "InceptionV1": (
        "other_models/InceptionV1.pb",
        "ImageNet_alternate.txt",
        "ImageNet_alternate_synsets.txt",
        "ImageNet",
        224,
        (-117, 138),
        "input",
        False,
        19,
        "softmax2",
        1008,
    ),
    "InceptionV1_adv_finetuned": (
        "other_models/InceptionV1_adv_finetuned.pb",
        "ImageNet_alternate.txt",
        "ImageNet_alternate_synsets.txt",
        "ImageNet",
        224,
        (-117, 138),
        "input",
        False,
        19,
        "softmax2",
        1008,
    ),
    "InceptionV1_slim": (
        "slim_models/InceptionV1.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        13,
        "InceptionV1/Logits/Predictions/Softmax",
        1001,
    ),
    "InceptionV2_slim": (
        "slim_models/InceptionV2.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        14,
        "InceptionV2/Predictions/Softmax",
        1001,
    ),
    "InceptionV3_slim": (
        "slim_models/InceptionV3.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        299,
        (-1, 1),
        "input",
        False,
        17,
        "InceptionV3/Predictions/Softmax",
        1001,
    ),
    "InceptionV4_slim": (
        "slim_models/InceptionV4.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        299,
        (-1, 1),
        "input",
        False,
        23,
        "InceptionV4/Logits/Predictions",
        1001,
    ),
    "InceptionResnetV2_slim": (
        "slim_models/InceptionResnetV2.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        299,
        (-1, 1),
        "input",
        False,
        89,
        "InceptionResnetV2/Logits/Predictions",
        1001,
    ),
    "MobilenetV1_slim": (
        "slim_models/MobilenetV1.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        15,
        "MobilenetV1/Predictions/Softmax",
        1001,
    ),
    "MobilenetV1_050_slim": (
        "slim_models/MobilenetV1050.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        15,
        "MobilenetV1/Predictions/Softmax",
        1001,
    ),
    "MobilenetV1_025_slim": (
        "slim_models/MobilenetV1025.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        15,
        "MobilenetV1/Predictions/Softmax",
        1001,
    ),
    "MobilenetV2_10_slim": (
        "slim_models/MobilenetV2_10.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        11,
        "MobilenetV2/Predictions/Softmax",
        1001,
    ),
    "MobilenetV2_14_slim": (
        "slim_models/MobilenetV2_14.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        11,
        "MobilenetV2/Predictions/Softmax",
        1001,
    ),
    "ResnetV1_50_slim": (
        "slim_models/ResnetV1_50.pb",
        STD,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-117, 138),
        "input",
        False,
        18,
        "resnet_v1_50/predictions/Softmax",
        1000,
    ),
    "ResnetV1_101_slim": (
        "slim_models/ResnetV1_101.pb",
        STD,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-117, 138),
        "input",
        False,
        35,
        "resnet_v1_101/predictions/Softmax",
        1000,
    ),
    "ResnetV1_152_slim": (
        "slim_models/ResnetV1_152.pb",
        STD,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-117, 138),
        "input",
        False,
        52,
        "resnet_v1_152/predictions/Softmax",
        1000,
    ),
    "ResnetV2_50_slim": (
        "slim_models/ResnetV2_50.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        22,
        "resnet_v2_50/predictions/Softmax",
        1001,
    ),
    "ResnetV2_101_slim": (
        "slim_models/ResnetV2_101.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        39,
        "resnet_v2_101/predictions/Softmax",
        1001,
    ),
    "ResnetV2_152_slim": (
        "slim_models/ResnetV2_152.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        56,
        "resnet_v2_152/predictions/Softmax",
        1001,
    ),
    "NasnetMobile_slim": (
        "slim_models/NasnetMobile.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        18,
        "final_layer/predictions",
        1001,
    ),
    "NasnetLarge_slim": (
        "slim_models/NasnetLarge.pb",
        DUMMY,
        None,
        "ImageNet",
        331,
        (-1, 1),
        "input",
        False,
        24,
        "final_layer/predictions",
        1001,
    ),
    "PnasnetMobile_slim": (
        "slim_models/PnasnetMobile.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        224,
        (-1, 1),
        "input",
        False,
        13,
        "final_layer/predictions",
        1001,
    ),
    "PnasnetLarge_slim": (
        "slim_models/PnasnetLarge.pb",
        DUMMY,
        DUMMY_SYN,
        "ImageNet",
        331,
        (-1, 1),
        "input",
        False,
        16,
        "final_layer/predictions",
        1001,
    ),
}


def depths(model_name):
    return [layer.depth for layer in models_map[model_name].layers]


def names(model_name):
    return [layer.name for layer in models_map[model_name].layers]


@pytest.mark.parametrize("name", sorted(SPEC))
def test_model_attributes_match_spec_table(name):
    path, labels, synsets, dataset, size, value_range, input_name, bgr, n_layers, last, last_depth = SPEC[name]
    model = get_model(name)
    assert type(model) is getattr(vision_models, name) and model._graph_def is None
    assert model.model_path == GS + path
    assert model.labels_path == (LABELS + labels if labels else None)
    assert getattr(model, "synsets_path", None) == (LABELS + synsets if synsets else None)
    assert getattr(model, "dataset", None) == dataset
    assert list(model.image_shape) == [size, size, 3]
    assert model.input_name == input_name and bool(getattr(model, "is_BGR", False)) is bgr
    if value_range == CAFFE:
        lo, hi = model.image_value_range
        np.testing.assert_allclose(lo, -IMAGENET_MEAN_BGR)
        np.testing.assert_allclose(hi, 255 - IMAGENET_MEAN_BGR)
    else:
        assert tuple(model.image_value_range) == value_range
    assert len(model.layers) == n_layers
    if n_layers:
        assert (model.layers[-1].name, model.layers[-1].depth) == (last, last_depth)
        assert model.layers[-1].tags == {"dense"}
        assert len(set(names(name))) == n_layers, "layer names must be unique"
        assert all(isinstance(depth, int) and depth > 0 for depth in depths(name))


def test_clip_has_a_model_name_and_no_labels():
    model = vision_models.Clip_ResNet50_4x()
    assert model.name == "Clip_ResNet50_4x" and model.layers == ()
    with pytest.raises(RuntimeError, match="labels_path"):
        model.labels


def test_layer_tags():
    alexnet = vision_models.AlexNet.layers
    assert [layer.tags for layer in alexnet[:8]] == [{"pre_relu", "conv"}] * 8
    assert [layer.name for layer in alexnet if layer.tags == {"dense"}] == ["Relu", "Relu_1", "Softmax"]
    for name in ("AlexNet_caffe_Places365", "CaffeNet_caffe", "VGG16_caffe", "VGG19_caffe"):
        assert [layer.name for layer in models_map[name].layers if "dense" in layer.tags] == [
            "fc6/fc6",
            "fc7/fc7",
            "prob",
        ]
    inception = vision_models.InceptionV1.layers
    assert {layer.name for layer in inception if "dense" in layer.tags} == {
        "nn0",
        "nn1",
        "softmax0",
        "softmax1",
        "softmax2",
    }
    for name in ("InceptionV3_slim", "ResnetV2_101_slim", "PnasnetLarge_slim"):
        assert [layer.tags for layer in models_map[name].layers[:-1]] == [{"conv"}] * (len(depths(name)) - 1)
    assert vision_models.InceptionV1_adv_finetuned.layers[0].model_class is vision_models.InceptionV1


def test_caffe_layer_lists():
    assert names("InceptionV1_caffe")[:4] == [
        "conv1_7x7_s2/conv1_7x7_s2",
        "conv2_3x3_reduce/conv2_3x3_reduce",
        "conv2_3x3/conv2_3x3",
        "inception_3a_output",
    ]
    assert depths("InceptionV1_caffe") == [64, 64, 192, 256, 480, 512, 512, 512, 528, 832, 832, 1024, 1000]
    assert names("InceptionV1_caffe")[:-1] == names("InceptionV1_caffe_Places365")[:-1]
    assert names("CaffeNet_caffe") == ["conv5/concat", "conv5/conv5", "fc6/fc6", "fc7/fc7", "prob"]
    assert depths("CaffeNet_caffe") == [256, 256, 4096, 4096, 1000]
    assert names("VGG16_caffe")[:3] == ["conv1_1/conv1_1", "conv1_2/conv1_2", "conv2_1/conv2_1"]
    assert depths("VGG16_caffe") == [64] * 2 + [128] * 2 + [256] * 3 + [512] * 6 + [4096, 4096, 1000]
    vgg19 = names("VGG19_caffe")
    assert {"conv3_4/conv3_4", "conv4_4/conv4_4", "conv5_4/conv5_4"} <= set(vgg19) and vgg19[-3:-1] == [
        "fc6/fc6",
        "fc7/fc7",
    ]


def test_slim_inception_layer_lists():
    assert names("InceptionV1_slim")[0] == "InceptionV1/InceptionV1/Conv2d_1a_7x7/Relu"
    assert names("InceptionV1_slim")[3] == "InceptionV1/InceptionV1/Mixed_3b/concat"
    assert depths("InceptionV1_slim") == [64, 64, 192, 256, 480, 512, 512, 512, 528, 832, 832, 1024, 1001]
    assert depths("InceptionV2_slim") == [64, 64, 192, 256, 320] + [576] * 5 + [1024] * 3 + [1001]
    assert depths("InceptionV3_slim") == [32, 32, 64, 80, 192, 256, 288, 288] + [768] * 5 + [1280, 2048, 2048, 1001]
    assert depths("InceptionV4_slim") == [32, 32, 64, 160, 192] + [384] * 5 + [1024] * 8 + [1536] * 4 + [1001]
    irv2 = names("InceptionResnetV2_slim")
    prefix = "InceptionResnetV2/InceptionResnetV2/"
    assert irv2[5:8] == [prefix + "Mixed_5b/concat", prefix + "Repeat/block35_1/add", prefix + "Repeat/block35_1/Relu"]
    assert sum("block35_" in name for name in irv2) == 20 and sum("block17_" in name for name in irv2) == 40
    assert sum("block8_" in name for name in irv2) == 18
    assert irv2[-3:-1] == [prefix + "Block8/add", prefix + "Conv2d_7b_1x1/Relu"]
    assert depths("InceptionResnetV2_slim")[:6] == [32, 32, 64, 80, 192, 320]


def test_slim_mobilenet_layer_lists():
    full = [32, 64, 128, 128, 256, 256] + [512] * 6 + [1024, 1024]
    assert depths("MobilenetV1_slim")[:-1] == full
    assert depths("MobilenetV1_050_slim")[:-1] == [depth // 2 for depth in full]
    assert depths("MobilenetV1_025_slim")[:-1] == [depth // 4 for depth in full]
    assert names("MobilenetV1_slim")[:2] == [
        "MobilenetV1/MobilenetV1/Conv2d_0/Relu6",
        "MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Relu6",
    ]
    assert names("MobilenetV2_10_slim")[0] == "MobilenetV2/expanded_conv_2/add"
    assert [name.split("/")[1] for name in names("MobilenetV2_14_slim")[:-1]] == [
        "expanded_conv_%d" % i for i in (2, 4, 5, 7, 8, 9, 11, 12, 14, 15)
    ]
    assert depths("MobilenetV2_10_slim")[:-1] == [24, 32, 32, 64, 64, 64, 96, 96, 160, 160]
    assert depths("MobilenetV2_14_slim")[:-1] == [32, 48, 48, 88, 88, 88, 136, 136, 224, 224]


@pytest.mark.parametrize("size, units", [(50, (3, 4, 6, 3)), (101, (3, 4, 23, 3)), (152, (3, 8, 36, 3))])
def test_slim_resnet_layer_lists(size, units):
    v1 = names("ResnetV1_%d_slim" % size)
    assert v1[0] == "resnet_v1_%d/conv1/Relu" % size
    assert v1[1] == "resnet_v1_%d/block1/unit_1/bottleneck_v1/Relu" % size
    assert depths("ResnetV1_%d_slim" % size)[:-1] == [64] + sum(
        ([depth] * count for depth, count in zip((256, 512, 1024, 2048), units)), []
    )
    v2 = names("ResnetV2_%d_slim" % size)
    prefix = "resnet_v2_%d/" % size
    preacts = [name for name in v2 if name.endswith("preact/Relu")]
    assert preacts == [prefix + "block%d/unit_1/bottleneck_v2/preact/Relu" % block for block in (1, 2, 3, 4)]
    assert [get_model("ResnetV2_%d_slim" % size).get_layer(name).depth for name in preacts] == [64, 256, 512, 1024]
    assert sum(name.endswith("bottleneck_v2/add") for name in v2) == sum(units)
    assert v2[-2] == prefix + "postnorm/Relu" and depths("ResnetV2_%d_slim" % size)[-2] == 2048


def test_slim_nasnet_layer_lists():
    assert names("NasnetMobile_slim")[:3] == [
        "conv0/Conv2D",
        "cell_stem_0/cell_output/concat",
        "cell_stem_1/cell_output/concat",
    ]
    assert depths("NasnetMobile_slim") == [32, 44, 88] + [264] * 4 + [352] + [528] * 4 + [704] + [1056] * 4 + [1001]
    assert depths("NasnetLarge_slim") == [96, 168, 336] + [1008] * 6 + [1344] + [2016] * 6 + [2688] + [4032] * 6 + [
        1001
    ]
    assert names("NasnetLarge_slim")[9] == "reduction_cell_0/cell_output/concat"
    assert names("NasnetLarge_slim")[-2] == "cell_17/cell_output/concat"
    assert depths("PnasnetMobile_slim") == [32, 65, 135] + [270] * 3 + [540] * 3 + [1080] * 3 + [1001]
    assert depths("PnasnetLarge_slim") == [96, 270, 540] + [1080] * 4 + [2160] * 4 + [4320] * 4 + [1001]
    assert names("PnasnetLarge_slim")[-2] == "cell_11/cell_output/concat"


# --- nets_factory and module hygiene ----------------------------------------------------------------------------


def test_models_map_is_the_spec_table_plus_efficientnet():
    assert set(models_map) == set(SPEC) | {"EfficientNetLite0"}
    assert len(models_map) == 32  # the original's 31 and the embedded model
    assert all(issubclass(cls, Model) and cls is not Model for cls in models_map.values())


def test_get_model_suggestions():
    with pytest.raises(ValueError, match=r"No network named InceptionV2\. Did you mean one of InceptionV2_slim\?"):
        get_model("InceptionV2")
    with pytest.raises(ValueError, match="VGG16_caffe, VGG19_caffe"):
        get_model("VGG")
    with pytest.raises(ValueError, match="ResnetV1_50_slim"):
        get_model("ResnetV1_5_slm")
    with pytest.raises(ValueError, match=r"No network named Inception\. Did you mean one of .*InceptionV1, "):
        get_model("Inception")
    with pytest.raises(ValueError, match="EfficientNetLite0"):
        get_model("efficientnet")


@pytest.mark.parametrize("module", [caffe_models, slim_models, other_models, vision_models])
def test_module_hygiene(module):
    forbidden = {
        "obj",
        "name",
        "_obj",
        "_name",
        "absolute_import",
        "division",
        "print_function",
        "IMAGENET_MEAN",
        "IMAGENET_MEAN_BGR",
        "_layers_from_list_of_dicts",
    }
    assert not forbidden & set(dir(module))
    classes = [getattr(module, name) for name in module.__all__ if name != "Layer"]
    assert all(isinstance(cls, type) and issubclass(cls, Model) for cls in classes)
    # As the original's star imports did, each also exports Model (vision_models Layer too).
    assert "Model" in module.__all__ and ("Layer" in module.__all__) is (module is vision_models)


def test_vision_models_namespace_is_models_map():
    extra = set(models_map) ^ set(dir(vision_models))
    assert {name for name in extra if not name.startswith("__")} == {"Model", "Layer"}
    assert set(vision_models.__all__) == set(models_map) | {"Model", "Layer"}
    families = set(caffe_models.__all__) | set(slim_models.__all__) | set(other_models.__all__)
    assert families == set(models_map) | {"Model"}
    assert len(caffe_models.__all__) == 7 + 1 and len(slim_models.__all__) == 20 + 1


# --- python -m lucid.modelzoo -------------------------------------------------------------------------------------


def run_cli(*argv):
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_cli_list():
    status, text = run_cli("list")
    lines = text.splitlines()
    assert status == 0 and len(lines) == 1 + len(models_map)
    assert lines[0].split()[:5] == ["model", "input", "value", "range", "BGR"]
    row = next(line for line in lines if line.startswith("InceptionV1 "))
    assert row.split() == ["InceptionV1", "224x224x3", "(-117,", "138)", "19", "ImageNet"]
    caffe_row = next(line for line in lines if line.startswith("VGG19_caffe "))
    assert "[-103.9, -116.8, -123.7]" in caffe_row and " yes " in caffe_row and caffe_row.split()[-2] == "19"


def test_cli_layers(capsys):
    status, text = run_cli("layers", "InceptionV1")
    lines = text.splitlines()
    assert status == 0 and lines[0] == "InceptionV1: input 224x224x3 in (-117, 138), 19 layers"
    assert lines[1].split() == ["#", "layer", "depth", "tags"]
    assert lines[2].split() == ["0", "conv2d0", "64", "conv"] and lines[-1].split() == [
        "18",
        "softmax2",
        "1008",
        "dense",
    ]
    status, text = run_cli("layers", "Inceptionv3")
    assert status == 2 and text == "" and "InceptionV3_slim" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_cli("frobnicate")
