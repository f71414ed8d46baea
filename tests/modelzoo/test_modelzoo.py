"""Tests of lucid.modelzoo: Model/Layer, importing, saving and loading, InceptionV1 stand-in, EfficientNetLite0."""

import json
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow as tf

import lucid.modelzoo.vision_models as vision_models
from lucid.misc.io import reading
from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR, FrozenGraphModel, Layer, Model, _layers_from_list_of_dicts
from lucid.testing import inception_v1_graph_def, random_inception_v1

MIXED_LAYERS = ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"]


def tiny_graph_def():
    """input -> scaled (times the 'scale' input, default 1) -> relu 'act' -> spatial mean 'pooled' -> softmax."""
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="input")
        scale = tf.compat.v1.placeholder_with_default(1.0, [], name="scale")
        t = tf.nn.relu(tf.multiply(x, scale, name="scaled"), name="act")
        t = tf.reduce_mean(t, axis=[1, 2], name="pooled")
        tf.nn.softmax(t, name="probs")
    return graph.as_graph_def()


class TinyModel(Model):
    model_path = "memory://tiny.pb"
    input_name = "input"
    image_shape = [4, 4, 3]
    image_value_range = (-1, 1)


TinyModel.layers = _layers_from_list_of_dicts(
    TinyModel(),
    [
        {"name": "act", "depth": 3, "tags": ["conv"]},
        {"name": "pooled", "depth": 3, "tags": ["dense"]},
    ],
)


@pytest.fixture
def tiny():
    model = TinyModel()
    model._graph_def = tiny_graph_def()
    return model


@pytest.fixture(scope="module")
def inception_graph_def():
    return inception_v1_graph_def(seed=0)


# --- Layer and Model attributes -------------------------------------------------------------------------------


def test_layer_attributes():
    layer = TinyModel.layers[0]
    assert (layer.name, layer.depth, layer.tags) == ("act", 3, {"conv"})
    assert layer.model_class is TinyModel and layer.model_name == "TinyModel"
    assert layer["name"] == "act" and layer["depth"] == 3
    assert repr(layer) == "Layer (belonging to TinyModel) <act: 3> ([{'conv'}])"
    assert layer.to_json() == "act"
    with pytest.warns(DeprecationWarning):
        assert layer["type"] == "conv"
    with pytest.warns(DeprecationWarning):
        assert layer.size == 3
    with pytest.raises(AttributeError, match="no attribute 'colour'"):
        layer["colour"]
    assert Layer.width is None and Layer.shape is None


def test_model_attributes(tiny):
    assert Model.image_value_range == (-1, 1) and Model.image_shape == (None, None, 3) and Model.layers == ()
    assert tiny.name == str(tiny) == tiny.to_json() == "TinyModel"
    assert tiny == TinyModel() and hash(tiny) == hash("memory://tiny.pb") and tiny != "memory://tiny.pb"
    with pytest.raises(RuntimeError, match="labels_path"):
        tiny.labels
    with pytest.warns(DeprecationWarning):
        assert tiny.load_graphdef() is None
    with pytest.raises(ValueError, match="model_path"):
        Model().graph_def
    restored = pickle.loads(pickle.dumps(tiny))
    assert restored._graph_def is None and restored.model_path == tiny.model_path
    np.testing.assert_allclose(IMAGENET_MEAN_BGR, [103.939, 116.779, 123.68])


def test_zoo_model_attributes():
    model = vision_models.InceptionV1()
    assert model.model_path == "gs://modelzoo/vision/other_models/InceptionV1.pb"
    assert model.labels_path == "gs://modelzoo/labels/ImageNet_alternate.txt"
    assert (model.image_shape, model.image_value_range, model.input_name) == ([224, 224, 3], (-117, 138), "input")
    names = [layer.name for layer in model.layers]
    assert len(names) == 19 and names[5] == "mixed4a" and names[7] == "mixed4c" and names[-1] == "softmax2"
    assert model.get_layer("mixed4a").depth == 508 and model.get_layer("nn1").tags == {"dense"}
    adv = vision_models.InceptionV1_adv_finetuned()
    assert adv.layers is model.layers and adv.layers[0].model_class is vision_models.InceptionV1
    assert adv != model


# --- create_input ------------------------------------------------------------------------------------------------


def test_create_input_scales_to_value_range(sess):
    t_input, t_prep = TinyModel().create_input()
    assert t_input.shape.as_list() == [4, 4, 3]
    assert t_prep.shape.as_list() == [1, None, None, 3]
    image = np.random.rand(4, 4, 3).astype(np.float32)
    np.testing.assert_allclose(sess.run(t_prep, {t_input: image}), image[None] * 2 - 1, rtol=1e-6, atol=1e-6)


def test_create_input_bgr_per_channel_range(sess):
    class CaffeLike(Model):
        is_BGR = True
        image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)

    image = np.random.rand(2, 5, 6, 3).astype(np.float32)
    t_input, t_prep = CaffeLike().create_input(tf.constant(image), forget_xy_shape=False)
    assert t_prep.shape.as_list() == [2, 5, 6, 3]
    expected = image[..., ::-1] * 255 - IMAGENET_MEAN_BGR
    np.testing.assert_allclose(sess.run(t_prep), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("value_range", [(0, 1, 2), (np.zeros(2), np.ones(2)), "ab", ([[0, 0, 0]], 1)])
def test_create_input_rejects_bad_value_range(sess, value_range):
    class Bad(Model):
        image_value_range = value_range

    with pytest.raises(ValueError, match="image_value_range"):
        Bad().create_input()


def test_create_input_rejects_bad_tensors(sess):
    with pytest.raises(ValueError, match="rank 3"):
        TinyModel().create_input(tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="float"):
        TinyModel().create_input(tf.zeros([2, 3, 3, 3], tf.uint8))


# --- import_graph ------------------------------------------------------------------------------------------------


def test_import_graph_names_and_values(sess, tiny):
    t_input = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
    T = tiny.import_graph(t_input)
    assert T("act").name == "import/act:0" and T("act:0") is T("act")
    image = np.random.rand(1, 3, 5, 3).astype(np.float32)
    np.testing.assert_allclose(sess.run(T("act"), {t_input: image}), np.maximum(image * 2 - 1, 0), atol=1e-6)


def test_import_graph_scope_in_use(sess, tiny):
    tiny.import_graph()
    with pytest.raises(ValueError, match='Scope "import" already exists'):
        tiny.import_graph()
    assert tiny.import_graph(scope="second")("act").name == "second/act:0"


def test_import_graph_input_map(sess, tiny):
    t_input = tf.constant(np.full([1, 2, 2, 3], 0.75, np.float32))
    T = tiny.import_graph(t_input, input_map={"scale": tf.constant(4.0)})
    np.testing.assert_allclose(sess.run(T("scaled")), np.full([1, 2, 2, 3], 2.0), atol=1e-6)


def test_import_graph_unknown_name_suggests(sess, tiny):
    T = tiny.import_graph()
    with pytest.raises(KeyError, match="'pooled'"):
        T("pooledd")
    with pytest.raises(KeyError, match="'act'"):
        T("act:7")
    with pytest.raises(TypeError):
        T(tiny.layers[0])


def test_import_graph_missing_input_node(sess, tiny):
    class WrongInput(TinyModel):
        input_name = "image"

    model = WrongInput()
    model._graph_def = tiny.graph_def
    with pytest.raises(ValueError, match=r"\['image'\].*\['input'\]"):
        model.import_graph()
    with pytest.raises(ValueError, match="nope"):
        tiny.import_graph(input_map={"nope:0": tf.constant(1.0)})


# --- get_layer ---------------------------------------------------------------------------------------------------


def test_get_layer(caplog):
    model = TinyModel()
    assert model.get_layer("pooled") is TinyModel.layers[1]
    assert model.get_layer("POOL") is TinyModel.layers[1]
    assert "fuzzy matching" in caplog.text
    with pytest.raises(KeyError, match=r"Could not find layer with name 'acts'!.*\['act'\].*\['act', 'pooled'\]"):
        model.get_layer("acts")


# --- InceptionV1 stand-in and post_import ------------------------------------------------------------------------


def test_random_inception_v1_builds_with_about_one_copy_of_its_weights():
    """The builder's peak memory stays near one copy of the weights (it held two while putting the nodes in the
    original file's order: 2.2x the GraphDef's size, against 1.4x), so memory benchmarks on it measure lucid."""
    code = (
        "import tensorflow\n"
        "from lucid.testing import inception_v1_graph_def\n"
        "def mb(key): return float([l.split()[1] for l in open('/proc/self/status') if l.startswith(key)][0]) / 1024\n"
        "before = mb('VmRSS')\n"
        "graph_def = inception_v1_graph_def()\n"
        "print((mb('VmHWM') - before) / (graph_def.ByteSize() / 2**20))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert float(out.stdout.split()[-1]) < 1.7


def test_random_inception_v1_structure(inception_graph_def):
    nodes = {node.name: node for node in inception_graph_def.node}
    assert nodes["input"].op == "Placeholder" and not nodes["input"].attr["shape"].shape.dim
    assert nodes["input"].attr["shape"].shape.unknown_rank
    assert [nodes[n].op for n in ("conv2d0_pre_relu/conv", "conv2d0_pre_relu", "conv2d0", "conv2d0_w")] == [
        "Conv2D",
        "BiasAdd",
        "Relu",
        "Const",
    ]
    for name in MIXED_LAYERS:
        assert nodes[name].op == "Concat" and nodes[name].input[0] == name + "/concat_dim"
    assert nodes["mixed4e_pool_reduce"].input[0] == "2"
    for name in (
        "maxpool0",
        "maxpool1",
        "maxpool4",
        "maxpool10",
        "localresponsenorm0",
        "localresponsenorm1",
        "avgpool0",
        "softmax0",
        "softmax1",
        "softmax2",
        "nn0",
        "nn1",
        "head0_bottleneck",
    ):
        assert name in nodes
    again = inception_v1_graph_def(seed=0)
    assert again == inception_graph_def
    other = {node.name: node for node in inception_v1_graph_def(seed=1).node}
    assert other["conv2d0_w"].attr["value"] != nodes["conv2d0_w"].attr["value"]


def test_random_inception_v1_forward_224(sess, inception_graph_def):
    model = random_inception_v1()
    model._graph_def = inception_graph_def
    T = model.import_graph()
    fetches = [T(layer.name) for layer in model.layers]
    values = sess.run(fetches, {"Placeholder:0": np.random.rand(224, 224, 3)})
    for layer, value in zip(model.layers, values):
        assert value.shape[-1] == layer.depth and np.all(np.isfinite(value)), layer.name
        assert 0.05 < np.mean(value > 0) <= 1 and np.std(value) > 1e-3, layer.name
    np.testing.assert_allclose(values[-1].sum(), 1.0, rtol=1e-4)


def test_inception_post_import_pre_relu(sess, inception_graph_def):
    model = vision_models.InceptionV1()
    model._graph_def = inception_graph_def
    t_input = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3])
    T = model.import_graph(t_input)
    fetches = {}
    for name in MIXED_LAYERS:
        pool_bias_add = "2" if name == "mixed4e" else name + "_pool_reduce_pre_relu"
        branches = [name + "_1x1_pre_relu", name + "_3x3_pre_relu", name + "_5x5_pre_relu", pool_bias_add]
        fetches[name] = (T(name + "_pre_relu"), T(name), [T(branch) for branch in branches])
    values = sess.run(fetches, {t_input: np.random.rand(1, 96, 96, 3)})
    for name, (pre_relu, relu, branches) in values.items():
        assert pre_relu.shape[-1] == model.get_layer(name).depth
        np.testing.assert_array_equal(pre_relu, np.concatenate(branches, axis=-1))
        np.testing.assert_array_equal(np.maximum(pre_relu, 0), relu)
        assert (pre_relu < 0).any()


def test_post_import_handles_concat_v2(sess):
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, 2, 2, 3], name="input")
        tf.concat([tf.nn.relu(x - 0.5, name="a"), tf.nn.relu(0.5 - x, name="b")], axis=3, name="block")
    model = vision_models.InceptionV1()
    model._graph_def = graph.as_graph_def()
    assert model._graph_def.node[-1].op == "ConcatV2"
    image = np.random.rand(1, 2, 2, 3).astype(np.float32)
    T = model.import_graph(tf.constant(image), forget_xy_shape=False)
    x = image * 255 - 117
    np.testing.assert_allclose(sess.run(T("block_pre_relu")), np.concatenate([x - 0.5, 0.5 - x], axis=-1), rtol=1e-5)


# --- save / load -------------------------------------------------------------------------------------------------


def _build_trainable_graph():
    x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3], name="input")
    w = tf.compat.v1.get_variable("w", initializer=np.random.randn(3, 3, 3, 4).astype(np.float32))
    t = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME"), name="conv")
    logits = tf.reduce_mean(t, axis=[1, 2], name="logits")
    tf.nn.softmax(logits, name="softmax")
    return x


def test_save_load_round_trip(sess, tmp_path):
    x = _build_trainable_graph()
    sess.run(tf.compat.v1.global_variables_initializer())
    image = np.random.rand(1, 8, 8, 3).astype(np.float32)
    expected = sess.run("conv:0", {x: image})
    path = str(tmp_path / "tiny.pb")
    Model.save(path, "input", ["softmax"], [8, 8, 3], (0, 1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.pb"]

    saved = tf.compat.v1.GraphDef.FromString(open(path, "rb").read())
    assert model_util.metadata_node_name == "lucid_metadata_json"
    assert [n.op for n in saved.node if n.name == "lucid_metadata_json"] == ["Const"]
    assert not [n for n in saved.node if n.op in ("VariableV2", "VarHandleOp")]

    model = Model.load(path)
    assert type(model).__name__ == "DynamicModel" and isinstance(model, Model)
    assert (model.model_path, model.input_name, model.image_shape, model.image_value_range) == (
        path,
        "input",
        [8, 8, 3],
        [0, 1],
    )
    with tf.Graph().as_default(), tf.compat.v1.Session() as new_sess:
        t_input = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3])
        T = model.import_graph(t_input)
        np.testing.assert_allclose(new_sess.run(T("conv"), {t_input: image}), expected, rtol=1e-5, atol=1e-6)


def test_save_rejects_tensor_names(sess):
    _build_trainable_graph()
    with pytest.raises(ValueError, match="op name"):
        Model.save("unused.pb", "input:0", ["softmax"], [8, 8, 3], (0, 1))
    with pytest.raises(ValueError, match="op names"):
        Model.save("unused.pb", "input", ["softmax:0"], [8, 8, 3], (0, 1))


def test_load_from_graphdef_without_metadata(tmp_path):
    path = tmp_path / "plain.pb"
    path.write_bytes(tiny_graph_def().SerializeToString())
    with pytest.raises(ValueError, match="does not contain Lucid's metadata node"):
        Model.load(str(path))


def test_load_from_manifest(tmp_path):
    (tmp_path / "model.pb").write_bytes(tiny_graph_def().SerializeToString())
    manifest = {
        "model_path": "./model.pb",
        "input_name": "input",
        "image_shape": [4, 4, 3],
        "image_value_range": [0, 1],
        "layers": [{"name": "act", "depth": 3, "tags": ["conv"]}],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    model = Model.load(str(tmp_path / "manifest.json"))
    assert isinstance(model, FrozenGraphModel)
    assert model.model_path == str(tmp_path / "model.pb") and model.layer_names == ["act"]
    assert model.get_layer("act").model_class is FrozenGraphModel
    assert [node.name for node in model.graph_def.node][0] == "input"
    del manifest["input_name"]
    with pytest.raises(ValueError, match="input_name"):
        FrozenGraphModel(str(tmp_path), manifest)
    with pytest.raises(ValueError, match="Could not find manifest.json"):
        Model.load_from_manifest(str(tmp_path / "missing" / "manifest.json"))


# --- suggest_save_args -------------------------------------------------------------------------------------------


def test_suggest_save_args_float_input(sess, capsys):
    tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3], name="images")
    tf.nn.softmax(tf.zeros([1, 10]), name="probs")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = Model.suggest_save_args()
    assert result == {
        "input_name": "images",
        "image_shape": [32, 32, 3],
        "output_names": ["probs"],
        "image_value_range": None,
    }
    assert list(result) == ["input_name", "image_shape", "output_names", "image_value_range"]
    assert capsys.readouterr().out == (
        "Inferred: input_name = images (because it was the only Placeholder in the graph_def)\n"
        "Inferred: image_shape = [32, 32, 3]\n"
        "Inferred: output_names = ['probs']  (because those are all the Softmax ops)\n"
        "# Please sanity check all inferred values before using this code.\n"
        "# Incorrect `image_value_range` is the most common cause of feature visualization bugs! "
        "Most methods will fail silently with incorrect visualizations!\n"
        "Model.save(\n"
        "    input_name='images',\n"
        "    image_shape=[32, 32, 3],\n"
        "    output_names=['probs'],\n"
        '    image_value_range=_,                   # TODO (eg. "[-1, 1], [0, 1], [0, 255], or [-117, 138]")\n'
        "  )\n"
    )


def test_suggest_save_args_uint8_input_divided_by_255(capsys):
    with tf.Graph().as_default() as graph:
        pixels = tf.compat.v1.placeholder(tf.uint8, [None, None, None, 3], name="pixels")
        scaled = tf.truediv(pixels, 255, name="scaled")
    assert scaled.op.type == "RealDiv"
    with pytest.warns(UserWarning) as record:
        result = Model.suggest_save_args(graph.as_graph_def())
    assert [str(w.message) for w in record] == ["Could not infer image_shape.", "Could not infer output_names."]
    assert result == {"input_name": "scaled", "image_shape": None, "output_names": None, "image_value_range": (0, 1)}
    out = capsys.readouterr().out
    assert "type: DT_UINT8" in out and "Guessed: input_name = scaled" in out
    assert "    image_shape=_,                   # TODO (eg. [224, 224, 3])\n" in out
    assert "    output_names=_,                   # TODO (eg. ['logits'])\n" in out
    assert "    image_value_range=(0, 1),\n" in out


def test_suggest_save_args_no_placeholder(capsys):
    with tf.Graph().as_default() as graph:
        tf.constant(1.0, name="c")
    with pytest.warns(UserWarning) as record:
        result = Model.suggest_save_args(graph.as_graph_def())
    assert [str(w.message) for w in record] == [
        "Could not infer input_name because there were multiple or no Placeholders.",
        "Could not infer image_shape.",
        "Could not infer output_names.",
    ]
    assert result == dict.fromkeys(["input_name", "image_shape", "output_names", "image_value_range"])
    assert "    input_name=_,                   # TODO (eg. 'input')\n" in capsys.readouterr().out


# --- util --------------------------------------------------------------------------------------------------------


def test_metadata_infuse_extract():
    graph_def = tiny_graph_def()
    assert model_util.extract_metadata(graph_def) is None
    model_util.infuse_metadata(graph_def, {"image_shape": (4, 4, 3), "range": np.array([0.0, 1.0])})
    model_util.infuse_metadata(graph_def, {"image_shape": (8, 8, 3)})
    assert [n.name for n in graph_def.node].count("lucid_metadata_json") == 1
    assert model_util.extract_metadata(graph_def) == {"image_shape": [8, 8, 3]}


def test_graph_def_helper_neighborhood():
    helper = model_util.GraphDefHelper(tiny_graph_def())
    assert [n.name for n in helper.by_op["Placeholder"]] == ["input"]
    assert [n.name for n in helper.by_input["scaled"]] == ["act"]

    def names(degree):
        return [n.name for n in helper.neighborhood(helper.by_name["act"], degree)]

    assert names(0) == ["act"]
    assert names(1) == ["act", "scaled", "pooled"]
    assert set(names(2)) == {"act", "scaled", "pooled", "input", "scale", "pooled/reduction_indices", "probs"}


def test_frozen_default_graph_def_errors():
    with pytest.raises(RuntimeError, match="Default session not registered"):
        model_util.frozen_default_graph_def(["input"], ["softmax"])
    with tf.Graph().as_default(), tf.compat.v1.Session().as_default():
        with pytest.raises(RuntimeError, match="Default graph is empty"):
            model_util.frozen_default_graph_def(["input"], ["softmax"])
        _build_trainable_graph()
        with pytest.raises(ValueError, match="softmaxx"):
            model_util.frozen_default_graph_def(["input"], ["softmaxx"])


def test_load_graphdef_clears_devices(tmp_path):
    graph_def = tiny_graph_def()
    graph_def.node[0].device = "/device:GPU:3"
    path = tmp_path / "pinned.pb"
    path.write_bytes(graph_def.SerializeToString())
    assert model_util.load_graphdef(str(path)).node[0].device == ""
    assert model_util.load_graphdef(str(path), reset_device=False).node[0].device == "/device:GPU:3"


# --- EfficientNetLite0 (package data) ----------------------------------------------------------------------------


def test_efficientnet_lite0_offline(sess, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("EfficientNetLite0 must not use the network")

    monkeypatch.setattr(reading.OPENER, "open", no_network)
    model = vision_models.EfficientNetLite0()
    labels = model.labels
    assert len(labels) == 1000 and labels[0] == "tench, Tinca tinca" and labels[985] == "daisy"
    T = model.import_graph(tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="image"))
    values = sess.run(
        {layer.name: T(layer.name) for layer in model.layers}, {"image:0": np.random.rand(2, 128, 128, 3)}
    )
    for layer in model.layers:
        assert values[layer.name].shape[-1] == layer.depth and np.all(np.isfinite(values[layer.name])), layer.name
    assert values["stem"].shape == (2, 64, 64, 32) and values["block7"].shape == (2, 4, 4, 320)
    np.testing.assert_allclose(values["softmax"].sum(axis=-1), [1.0, 1.0], rtol=1e-5)


# --- weightless copy ----------------------------------------------------------------------------------------------


def test_weightless_graph_def_keeps_shapes_without_the_weights():
    from lucid.modelzoo.util import weightless_graph_def
    from lucid.testing import inception_v1_graph_def

    graph_def = inception_v1_graph_def()
    light = weightless_graph_def(graph_def)
    assert light.ByteSize() < graph_def.ByteSize() / 100
    shapes = []
    for gd in (graph_def, light):
        with tf.Graph().as_default() as graph:
            image = tf.compat.v1.placeholder(tf.float32, [1, 224, 224, 3])
            tf.import_graph_def(gd, {"input": image}, name="")
            shapes.append({t.name: (str(t.shape), t.dtype) for op in graph.get_operations() for t in op.outputs})
    assert shapes[0] == shapes[1]


def test_a_pruned_copy_follows_the_metadata_set_on_its_model():
    from lucid.testing import random_inception_v1

    model = random_inception_v1()
    first = model.pruned(["conv2d0"])
    model.image_value_range, model.is_BGR = (0, 1), True
    again = model.pruned(["conv2d0"])
    assert again.graph_def is first.graph_def  # still cached
    assert (again.image_value_range, again.is_BGR) == ((0, 1), True)
