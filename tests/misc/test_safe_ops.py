"""The op allowlist: a model file that would read or write files is refused before import, whatever the path."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import tiny_conv_graph_def

from lucid.misc import safe_ops
from lucid.misc.io import save
from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_models import EfficientNetLite0
from lucid.optvis import param, render
from lucid.testing import random_inception_v1

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
METADATA = {"input_name": "input", "image_shape": [32, 32, 3], "image_value_range": [0, 1]}


def file_copying_graph_def(source, target):
    """A conv net whose `conv` node depends on WriteFile(target, ReadFile(source)): running it copies the file."""
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="input")
        write = tf.io.write_file(target, tf.io.read_file(source), name="exfiltrate")
        with tf.control_dependencies([write]):
            kernel = tf.constant(np.ones((3, 3, 3, 4), np.float32))
            tf.nn.relu(tf.nn.conv2d(x, kernel, 1, "SAME"), name="conv")
    graph_def = graph.as_graph_def()
    model_util.infuse_metadata(graph_def, METADATA)
    return graph_def


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("private")
    return path


@pytest.fixture
def bad_pb(tmp_path, secret):
    path = str(tmp_path / "bad.pb")
    save(file_copying_graph_def(str(secret), str(tmp_path / "stolen.txt")), path)
    return path


def test_model_load_refuses_file_ops_before_anything_runs(bad_pb, tmp_path, monkeypatch):
    monkeypatch.delenv(safe_ops.ENVIRONMENT_VARIABLE, raising=False)
    model = Model.load(bad_pb)
    with pytest.raises(safe_ops.UnsafeGraphError) as raised:
        render.render_vis(model, "conv:0", lambda: param.image(16), thresholds=(1,), verbose=False)
    message = str(raised.value)
    assert bad_pb in message and "ReadFile" in message and "WriteFile (node 'exfiltrate')" in message
    assert "allow_unsafe_ops=True" in message and "LUCID_ALLOW_UNSAFE_OPS=1" in message
    assert isinstance(raised.value, ValueError)
    assert not (tmp_path / "stolen.txt").exists()


@pytest.mark.parametrize("opt_in", ["argument", "environment"])
def test_opt_in_imports_the_graph(bad_pb, tmp_path, monkeypatch, opt_in):
    # The graph really copies the file when run: the check is what stops it above.
    if opt_in == "environment":
        monkeypatch.setenv(safe_ops.ENVIRONMENT_VARIABLE, "1")
    model = Model.load(bad_pb, allow_unsafe_ops=opt_in == "argument")
    render.render_vis(model, "conv:0", lambda: param.image(16), thresholds=(1,), verbose=False)
    assert (tmp_path / "stolen.txt").read_text() == "private"


def test_ops_inside_library_functions_are_checked(secret, tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3])])
    def body(x):
        tf.io.write_file(str(tmp_path / "stolen.txt"), tf.io.read_file(str(secret)))
        return x * 2.0

    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="input")
        tf.identity(body(x), name="out")
    graph_def = graph.as_graph_def()
    assert {node.op for node in graph_def.node} <= safe_ops.ALLOWED_OPS  # only the call is at the top level
    found = safe_ops.disallowed_nodes(graph_def)
    assert {"ReadFile", "WriteFile"} <= set(found)
    assert all("/" in node for nodes in found.values() for node in nodes)  # named inside their function
    with pytest.raises(safe_ops.UnsafeGraphError, match="WriteFile"):
        safe_ops.check_graph_def(graph_def, "test graph")


def test_call_of_a_function_outside_the_library_is_refused():
    graph_def = tiny_conv_graph_def()
    call = graph_def.node.add(name="call", op="PartitionedCall")
    call.attr["f"].func.name = "somewhere_else"
    assert safe_ops.disallowed_nodes(graph_def) == {"somewhere_else": ["call"]}


@pytest.mark.parametrize("op", ["PyFunc", "SaveV2", "RestoreV2", "WriteSummary", "FIFOQueueV2", "MyCustomOp"])
def test_unknown_and_stateful_ops_are_refused(op):
    graph_def = tiny_conv_graph_def()
    graph_def.node.add(name="odd", op=op)
    with pytest.raises(safe_ops.UnsafeGraphError, match="%s \\(node 'odd'\\)" % op):
        safe_ops.check_graph_def(graph_def, "test graph")


def test_duck_typed_model_is_checked_on_the_ops_it_imports(secret, tmp_path):
    graph_def = file_copying_graph_def(str(secret), str(tmp_path / "stolen.txt"))

    class Duck:
        """The original's duck-typed model: only `import_graph` (and labels)."""

        labels = []

        def import_graph(self, t_input, scope="import", forget_xy_shape=True, input_map=None):
            tf.compat.v1.import_graph_def(graph_def, {"input": t_input}, name=scope)
            return lambda name: tf.compat.v1.get_default_graph().get_tensor_by_name("%s/%s:0" % (scope, name))

    with pytest.raises(safe_ops.UnsafeGraphError, match="WriteFile"):
        render.render_vis(Duck(), "conv:0", lambda: param.image(16), thresholds=(1,), verbose=False)
    assert not (tmp_path / "stolen.txt").exists()
    duck = Duck()
    duck.allow_unsafe_ops = True  # the same opt-in as on a Model: the graph really copies the file
    render.render_vis(duck, "conv:0", lambda: param.image(16), thresholds=(1,), verbose=False)
    assert (tmp_path / "stolen.txt").read_text() == "private"


def test_embedded_and_inception_models_pass():
    for model in (EfficientNetLite0(), random_inception_v1()):
        assert safe_ops.disallowed_nodes(model.graph_def) == {}


# The zoo's op sets as far as they are known offline: the op types of the original's InceptionV1 GraphDef (the
# "inception5h" graph, whose op set the random InceptionV1 builder reproduces), and the layers the caffe and slim
# architectures are built from (as frozen by TF1 exports: Concat or ConcatV2, FusedBatchNorm).
ZOO_OPS = {
    "InceptionV1 (inception5h)": "Placeholder Const Conv2D BiasAdd Relu MaxPool LRN Concat AvgPool Reshape MatMul "
    "Softmax",
    "caffe AlexNet, CaffeNet, InceptionV1, VGG": "Placeholder Const Identity Conv2D BiasAdd Relu MaxPool AvgPool LRN "
    "Split ConcatV2 Concat Reshape MatMul Softmax Pad",
    "slim Inception V1-V4, InceptionResnetV2": "Placeholder Const Identity Conv2D BiasAdd Relu FusedBatchNorm Mul Add "
    "MaxPool AvgPool ConcatV2 Squeeze Reshape Softmax",
    "slim MobilenetV1/V2": "Placeholder Const Identity Conv2D DepthwiseConv2dNative FusedBatchNorm Relu6 Add AvgPool "
    "Squeeze Reshape Softmax Shape StridedSlice Pack",
    "slim ResnetV1/V2": "Placeholder Const Identity Conv2D BiasAdd FusedBatchNorm Relu Add Pad MaxPool Mean Squeeze "
    "Softmax",
    "slim Nasnet/Pnasnet": "Placeholder Const Identity Conv2D DepthwiseConv2dNative FusedBatchNorm Relu Add AddN "
    "MaxPool AvgPool Pad StridedSlice ConcatV2 Mean MatMul BiasAdd Softmax",
    "Clip_ResNet50_4x": "Placeholder Const Identity Conv2D FusedBatchNormV3 Relu AvgPool AddV2 Mul Sub Reshape "
    "Transpose ConcatV2 Mean MatMul BatchMatMulV2 Softmax StridedSlice Shape Pack",
}


@pytest.mark.parametrize("family", sorted(ZOO_OPS))
def test_zoo_op_sets_are_allowed(family):
    assert set(ZOO_OPS[family].split()) - safe_ops.ALLOWED_OPS == set()


# Converted with random weights, all 16 keras.applications families (ConvNeXt, DenseNet, EfficientNet, EfficientNetV2,
# InceptionResNetV2, InceptionV3, MobileNet V1/V2/V3 small and large, NASNet, ResNet, ResNetV2, VGG16/19, Xception)
# use 38 op types, all allowed. These six families hold every one of them (and are the ones other work changes most),
# so checking them keeps the slow step to a few minutes.
KERAS_FAMILIES = [
    ("ConvNeXtTiny", 32),
    ("EfficientNetB0", 32),
    ("DenseNet121", 32),
    ("MobileNetV3Small", 32),
    ("NASNetMobile", 32),
    ("VGG16", 32),
]


@pytest.mark.slow
def test_every_keras_applications_conversion_passes():
    """Each keras.applications family, converted with random weights in a subprocess (Keras state stays there)."""
    script = (
        "import keras, sys\n"
        "from lucid.misc import safe_ops\n"
        "from lucid.modelzoo.vision_base import Model\n"
        "for name, size in %r:\n"
        "    net = getattr(keras.applications, name)(input_shape=(size, size, 3), weights=None)\n"
        "    graph_def = Model.from_keras(net, image_value_range=(0, 1)).graph_def\n"
        "    safe_ops.check_tensor_sizes(graph_def, name)  # no conversion reaches a cap\n"
        "    found = safe_ops.disallowed_nodes(graph_def)\n"
        "    print(name, sorted(found), flush=True)\n"
        "    keras.backend.clear_session()\n" % (KERAS_FAMILIES,)
    )
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=2400)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines == ["%s []" % name for name, _ in KERAS_FAMILIES]


def test_overlay_graph_checks_a_graph_def_before_importing_it(secret, tmp_path, monkeypatch):
    from lucid.misc.graph_analysis.overlay_graph import OverlayGraph

    monkeypatch.delenv(safe_ops.ENVIRONMENT_VARIABLE, raising=False)
    graph_def = file_copying_graph_def(str(secret), str(tmp_path / "stolen.txt"))
    with pytest.raises(safe_ops.UnsafeGraphError, match="WriteFile"):
        OverlayGraph(graph_def)
    monkeypatch.setenv(safe_ops.ENVIRONMENT_VARIABLE, "1")
    assert OverlayGraph(graph_def).tf_graph.get_operation_by_name("exfiltrate").type == "WriteFile"


@pytest.mark.parametrize("value", ["0", "false", "no", ""])
def test_environment_variable_switched_off_keeps_the_check(bad_pb, tmp_path, monkeypatch, value):
    monkeypatch.setenv(safe_ops.ENVIRONMENT_VARIABLE, value)
    with pytest.raises(safe_ops.UnsafeGraphError):
        render.render_vis(Model.load(bad_pb), "conv:0", lambda: param.image(16), thresholds=(1,), verbose=False)
    assert not (tmp_path / "stolen.txt").exists()


def test_a_manifest_cannot_opt_in_to_unsafe_ops(bad_pb, tmp_path, monkeypatch):
    """Issue 23 row 1: a manifest.json with "allow_unsafe_ops": true set the opt-in on the model it describes."""
    monkeypatch.delenv(safe_ops.ENVIRONMENT_VARIABLE, raising=False)
    manifest = dict(METADATA, model_path="./bad.pb", allow_unsafe_ops=True, import_graph="replaced")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    for model in (
        Model.load_from_manifest(str(tmp_path / "manifest.json")),
        Model.load(str(tmp_path / "manifest.json")),
    ):
        assert model.allow_unsafe_ops is False and callable(model.import_graph)
        with pytest.raises(safe_ops.UnsafeGraphError, match="WriteFile"):
            render.render_vis(model, "conv:0", lambda: param.image(16), thresholds=(1,), verbose=False)
    assert not (tmp_path / "stolen.txt").exists()
    trusted = Model.load_from_manifest(str(tmp_path / "manifest.json"), allow_unsafe_ops=True)
    render.render_vis(trusted, "conv:0", lambda: param.image(16), thresholds=(1,), verbose=False)
    assert (tmp_path / "stolen.txt").read_text() == "private"


def tf1_saved_model(path, side_effect=None):
    """A TF1 SavedModel of a conv net whose main_op also writes `path`/../written.txt ("write") or runs the saver's
    save op ("save") when loaded."""
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3], name="input")
        kernel = tf.compat.v1.get_variable("kernel", initializer=tf.ones([3, 3, 3, 4]))
        conv = tf.nn.relu(tf.nn.conv2d(x, kernel, 1, "SAME"), name="conv")
        saver = tf.compat.v1.train.Saver()
        extra = []
        if side_effect == "write":
            extra.append(tf.io.write_file(str(path.parent / "written.txt"), "written"))
        elif side_effect == "save":
            extra.append(tf.compat.v1.get_default_graph().get_tensor_by_name(saver.saver_def.save_tensor_name))
        main_op = tf.group(tf.compat.v1.global_variables_initializer(), *extra)
        sess.run(tf.compat.v1.global_variables_initializer())
        builder = tf.compat.v1.saved_model.Builder(str(path))
        signature = tf.compat.v1.saved_model.predict_signature_def({"image": x}, {"conv": conv})
        builder.add_meta_graph_and_variables(
            sess, ["serve"], {"serving_default": signature}, main_op=main_op, saver=saver
        )
        builder.save()
    return str(path)


def test_saved_model_main_op_is_checked_before_it_runs(tmp_path, monkeypatch):
    """Issue 23 row 2: Model.from_saved_model ran a TF1 SavedModel's main_op (here: WriteFile) while loading."""
    monkeypatch.delenv(safe_ops.ENVIRONMENT_VARIABLE, raising=False)
    path = tf1_saved_model(tmp_path / "model", "write")
    with pytest.raises(safe_ops.UnsafeGraphError, match="WriteFile"):
        Model.from_saved_model(path, image_value_range=(0, 1))
    assert not (tmp_path / "written.txt").exists()
    model = Model.from_saved_model(path, image_value_range=(0, 1), allow_unsafe_ops=True)
    assert (tmp_path / "written.txt").read_text() == "written" and [layer.name for layer in model.layers] == ["conv"]


def test_saved_model_may_restore_but_not_save_when_loading(tmp_path, monkeypatch):
    # Every SavedModel holds its saver's save op (SaveV2): refused only when something loading runs reaches it.
    monkeypatch.delenv(safe_ops.ENVIRONMENT_VARIABLE, raising=False)
    safe_ops.check_saved_model(tf1_saved_model(tmp_path / "plain"))
    with pytest.raises(safe_ops.UnsafeGraphError, match="SaveV2"):
        safe_ops.check_saved_model(tf1_saved_model(tmp_path / "saving", "save"))
    with pytest.raises(FileNotFoundError, match="no saved_model.pb"):
        safe_ops.check_saved_model(str(tmp_path))
