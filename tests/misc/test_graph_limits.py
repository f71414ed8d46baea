"""The caps of lucid.misc.limits on a GraphDef (issue 23 rows 3, 13, 14): call cycles, nesting and library size, and
tensors the graph states to be huge, refused with a clear error before TensorFlow sees the graph."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf
from tiny_models import tiny_conv_graph_def

from lucid import cli
from lucid.misc import limits, safe_ops
from lucid.modelzoo import util as model_util

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def add_function(graph_def, name, calls=()):
    """A library function `name` of one float argument that passes it through each function of `calls` in turn."""
    function = graph_def.library.function.add()
    function.signature.name = name
    function.signature.input_arg.add(name="x", type=tf.float32.as_datatype_enum)
    function.signature.output_arg.add(name="y", type=tf.float32.as_datatype_enum)
    previous = "x"
    for index, callee in enumerate(calls):
        function.node_def.add(name="call%d" % index, op=callee, input=[previous])
        previous = "call%d:y:0" % index
    function.ret["y"] = previous
    return function


def graph_calling(first, functions):
    """The tiny conv net plus a node calling `first`, with `functions` ({name: callees}) as its library."""
    graph_def = tiny_conv_graph_def()
    for name, calls in functions.items():
        add_function(graph_def, name, calls)
    graph_def.node.add(name="call", op=first, input=["input"])
    return graph_def


def chain(length):
    """A library of `length` functions f0 -> f1 -> ... (each calls the next)."""
    return graph_calling("f0", {"f%d" % i: (["f%d" % (i + 1)] if i + 1 < length else []) for i in range(length)})


def test_a_function_calling_itself_is_refused():
    with pytest.raises(safe_ops.UnsafeGraphError, match=r"call themselves \(F -> F\)"):
        safe_ops.check_graph_def(graph_calling("F", {"F": ["F"]}), "test graph")
    with pytest.raises(safe_ops.UnsafeGraphError, match=r"call themselves \(A -> B -> C -> A\)"):
        safe_ops.check_graph_def(graph_calling("A", {"A": ["B"], "B": ["C"], "C": ["A"]}), "test graph")


@pytest.fixture
def recursive_pb(tmp_path):
    """A ~250-byte .pb with Lucid's metadata whose only layer calls a function that calls itself."""
    graph_def = tf.compat.v1.GraphDef()
    graph_def.node.add(name="input", op="Placeholder").attr["dtype"].type = tf.float32.as_datatype_enum
    add_function(graph_def, "F", ["F"])
    graph_def.node.add(name="conv", op="F", input=["input"])
    model_util.infuse_metadata(
        graph_def, {"input_name": "input", "image_shape": [8, 8, 3], "image_value_range": [0, 1]}
    )
    path = tmp_path / "recursive.pb"
    path.write_bytes(graph_def.SerializeToString())
    assert path.stat().st_size < 400
    return str(path)


def test_lucid_render_on_a_self_recursive_pb_says_so(recursive_pb, tmp_path, capsys):
    """Issue 23 row 3: lucid-render segfaulted (exit 139, no message) on this file (on the old code this test takes
    the test process down with it; the slow test below runs the command in its own process)."""
    with pytest.raises(SystemExit) as exited:
        cli.main([recursive_pb, "conv:0", "-o", str(tmp_path / "o.png"), "--steps", "2", "-q"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "lucid-render: error: Refusing to import the graph of" in error and "call themselves (F -> F)" in error


@pytest.mark.slow  # a fresh Python importing TensorFlow: ~10 s, over 30 s on a loaded machine
def test_lucid_render_command_on_a_self_recursive_pb_exits_with_a_message(recursive_pb, tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="2")
    command = [sys.executable, "-m", "lucid.cli", recursive_pb, "conv:0", "-o", str(tmp_path / "o.png"), "--steps", "2"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "lucid-render: error: Refusing to import the graph of" in result.stderr
    assert "call themselves (F -> F)" in result.stderr


def test_call_depth_and_library_size_are_capped(monkeypatch):
    safe_ops.check_graph_def(chain(32), "test graph")
    with pytest.raises(safe_ops.UnsafeGraphError, match="nests calls 33 deep, more than 32.*MAX_CALL_DEPTH"):
        safe_ops.check_graph_def(chain(33), "test graph")
    monkeypatch.setenv("LUCID_MAX_CALL_DEPTH", "40")
    safe_ops.check_graph_def(chain(40), "test graph")
    monkeypatch.setattr(limits, "MAX_FUNCTIONS", 40)
    with pytest.raises(safe_ops.UnsafeGraphError, match="holds 41 functions, more than 40.*LUCID_MAX_FUNCTIONS"):
        safe_ops.check_graph_def(chain(41), "test graph")


def test_ten_thousand_functions_by_default():
    wide = {"f%d" % i: [] for i in range(10_001)}
    assert limits.MAX_FUNCTIONS == 10_000
    with pytest.raises(safe_ops.UnsafeGraphError, match="holds 10001 functions, more than 10000"):
        safe_ops.check_graph_def(graph_calling("f0", wide), "test graph")
    del wide["f10000"]
    safe_ops.check_graph_def(graph_calling("f0", wide), "test graph")


def test_call_check_walks_each_function_once(monkeypatch):
    """3,000 functions, each calling the next two: 2^3000 call paths, but each function body is read once (counted,
    not timed; the time is printed for the record)."""
    monkeypatch.setattr(limits, "MAX_CALL_DEPTH", 10_000)
    length = 3000
    graph_def = graph_calling(
        "f0", {"f%d" % i: ["f%d" % j for j in (i + 1, i + 2) if j < length] for i in range(length)}
    )
    read = []
    original = safe_ops._function_references
    monkeypatch.setattr(safe_ops, "_function_references", lambda node: read.append(node.name) or original(node))
    start = time.perf_counter()
    safe_ops.check_calls(graph_def, "test graph")
    print("call check of %d functions: %.3f s" % (length, time.perf_counter() - start))
    assert len(read) == sum(len(f.node_def) for f in graph_def.library.function) == 2 * length - 3  # once each


def test_function_valued_attributes_are_checked_inside():
    """Issue 23 row 14: `f=Outer{g=WriteFile}` and lists of functions; only the outer name used to be looked at."""
    graph_def = tiny_conv_graph_def()
    add_function(graph_def, "Outer")
    call = graph_def.node.add(name="call", op="PartitionedCall", input=["input"])
    call.attr["f"].func.name = "Outer"
    call.attr["f"].func.attr["g"].func.name = "WriteFile"
    case = graph_def.node.add(name="case", op="PartitionedCall", input=["input"])
    case.attr["f"].func.name = "Outer"
    case.attr["branches"].list.func.add(name="Outer")
    case.attr["branches"].list.func.add(name="ReadFile")
    assert safe_ops.disallowed_nodes(graph_def) == {"WriteFile": ["call"], "ReadFile": ["case"]}
    with pytest.raises(safe_ops.UnsafeGraphError, match="ReadFile.*WriteFile"):
        safe_ops.check_graph_def(graph_def, "test graph")


def test_a_cycle_through_a_bound_function_is_refused():
    graph_def = graph_calling("A", {"A": [], "B": []})
    inner = graph_def.library.function[0].node_def.add(name="bound", op="PartitionedCall", input=["x"])
    inner.attr["f"].func.name = "B"
    inner.attr["f"].func.attr["g"].func.name = "A"
    with pytest.raises(safe_ops.UnsafeGraphError, match=r"call themselves \(A -> A\)"):
        safe_ops.check_graph_def(graph_def, "test graph")


def _shape_const(graph_def, name, values, dtype=np.int32):
    graph_def.node.add(name=name, op="Const").attr["value"].tensor.CopyFrom(
        tf.make_tensor_proto(np.array(values, dtype))
    )


def _huge(op):
    """The tiny conv net plus one node `op` that states a tensor of 30000 x 30000 elements (900M) or more."""
    graph_def = tiny_conv_graph_def()
    node = graph_def.node.add(name="huge", op=op)
    if op == "Const":
        tensor = tf.make_tensor_proto(1.0, tf.float32, [30000, 30000])  # a few bytes: one value, broadcast
        node.attr["value"].tensor.CopyFrom(tensor)
    elif op == "Range":
        for name, value in (("start", 0), ("limit", 9e8), ("delta", 1)):
            _shape_const(graph_def, name, value, np.float32)
            node.input.append(name)
    else:
        _shape_const(graph_def, "value", 1.0, np.float32)
        _shape_const(
            graph_def, "shape", [30000, 30000] if "Pad" not in op else [[0, 0], [15000, 15000], [15000, 15000], [0, 0]]
        )
        node.input.extend(["input", "shape"] if op != "Fill" else ["shape", "value"])
    return graph_def


@pytest.mark.parametrize(
    "op",
    ["Const", "Fill", "BroadcastTo", "Tile", "Range", "ResizeBilinear", "ResizeNearestNeighbor", "Pad", "MirrorPad"],
)
def test_stated_tensor_sizes_are_capped(op, monkeypatch):
    """Issue 23 row 13: a 467-byte .pb with Fill of 30000x30000 took 4.2 GB when run."""
    graph_def = _huge(op)
    assert len(graph_def.SerializeToString()) - len(tiny_conv_graph_def().SerializeToString()) < 300
    with pytest.raises(
        safe_ops.UnsafeGraphError, match=r"node 'huge' \(%s\) makes a tensor of \d+ elements, more than 268435456" % op
    ):
        safe_ops.check_graph_def(graph_def, "test graph", allow_unsafe_ops=True)  # a cap, not an op check
    monkeypatch.setenv("LUCID_MAX_TENSOR_ELEMENTS", str(2**31))
    safe_ops.check_tensor_sizes(graph_def, "test graph")


def test_tensor_size_cap_reaches_into_functions_and_lets_vgg16_through():
    graph_def = tiny_conv_graph_def()
    function = add_function(graph_def, "F")
    fill = function.node_def.add(name="fill", op="Fill", input=["dims:output:0", "x"])
    function.node_def.add(name="dims", op="Const").attr["value"].tensor.CopyFrom(tf.make_tensor_proto([30000, 30000]))
    assert fill.op == "Fill"
    with pytest.raises(safe_ops.UnsafeGraphError, match=r"node 'F/fill' \(Fill\)"):
        safe_ops.check_tensor_sizes(graph_def, "test graph")
    vgg16 = tiny_conv_graph_def()  # VGG16's fc6 weights: 25088 x 4096 = 102.8M elements
    vgg16.node.add(name="fc6/kernel", op="Const").attr["value"].tensor.CopyFrom(
        tf.make_tensor_proto(0.0, tf.float32, [25088, 4096])
    )
    safe_ops.check_graph_def(vgg16, "test graph")
