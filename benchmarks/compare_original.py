"""Same calls, same inputs, under the original Lucid and under ours: how many outputs match, per module.

Runs a fixed list of calls of the modules listed in CASES with whichever `lucid` Python imports, and pickles
their outputs (arrays, types, container structures, or the exception raised); `compare` then checks two such
files: same structure, types, shapes and dtypes, float arrays within rtol 1e-5 / atol 1e-6, everything else equal.
A call that raises in the original but returns in ours is counted apart (an allowed difference, docs/differences.md).

    (source /work/orig/env.sh; python benchmarks/compare_original.py run /tmp/original.pkl)   # the original
    PYTHONPATH=$PWD python3 benchmarks/compare_original.py run /tmp/ours.pkl                    # ours
    python3 benchmarks/compare_original.py compare /tmp/original.pkl /tmp/ours.pkl

It never imports the original itself: the environment decides which library `lucid` is.
"""

import base64
import io
import os
import pickle
import re
import sys
import tempfile

import numpy as np

RTOL, ATOL = 1e-5, 1e-6


def _tf1():
    import tensorflow as tf

    return tf.compat.v1 if hasattr(tf, "compat") and hasattr(tf.compat, "v1") else tf


# ---- the calls ----------------------------------------------------------------------------------------------------


def _rand(*shape, seed=0, dtype=np.float32):
    return np.random.RandomState(seed).rand(*shape).astype(dtype)


def _saved(thing, name, **kwargs):
    """save() to a fresh temporary file, then (its result without the path, the file's bytes decoded)."""
    import PIL.Image

    from lucid.misc.io import save

    path = os.path.join(tempfile.mkdtemp(), name)
    result = save(thing, path, **kwargs)
    result = {k: v for k, v in (result or {}).items() if k in ("type", "shape")}
    if name.endswith((".png", ".jpg")):
        return result, np.asarray(PIL.Image.open(path))
    with open(path, "rb") as handle:
        return result, handle.read()


def _round_trip(thing, name, **kwargs):
    from lucid.misc.io import load, save

    path = os.path.join(tempfile.mkdtemp(), name)
    save(thing, path, **kwargs)
    return load(path)


def _shown(thing, **kwargs):
    """The images `show` displays for `thing`, decoded from the HTML it emits."""
    import PIL.Image

    from lucid.misc.io import showing

    html = []
    showing._display_html = html.append
    if hasattr(showing, "_in_ipython"):  # ours writes files outside a notebook kernel
        showing._in_ipython = lambda: True
    showing.show(thing, **kwargs)
    data = re.findall(r"base64,([A-Za-z0-9+/=]+)", "".join(html))
    return [np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(d)))) for d in data]


def _io_cases():
    from lucid.misc.io import collapse_channels, serialize_array
    from lucid.misc.io.sanitizing import sanitize

    grid = np.linspace(0.2, 0.6, 12, dtype=np.float32).reshape(2, 2, 3)
    return {
        "save png, no domain": lambda: _saved(grid, "a.png"),
        "save png, domain (0, 1)": lambda: _saved(grid, "a.png", domain=(0, 1)),
        "save png, negative floats": lambda: _saved(grid - 0.5, "a.png"),
        "save png, grayscale": lambda: _saved(_rand(4, 5), "a.png"),
        "save png, RGBA": lambda: _saved(_rand(3, 4, 4), "a.png"),
        "save png, uint8": lambda: _saved((_rand(3, 4, 3) * 255).astype(np.uint8), "a.png"),
        "save png, batch of 1": lambda: _saved(_rand(1, 3, 4, 3), "a.png"),
        "save json": lambda: _saved({"a": [1, 2.5, "x"], "b": None}, "a.json"),
        "save txt": lambda: _saved(["one", "two"], "a.txt"),
        "load npy": lambda: _round_trip(_rand(3, 4), "a.npy"),
        "load npz": lambda: dict(_round_trip({"x": _rand(2), "y": np.arange(3)}, "a.npz")),
        "load json": lambda: _round_trip({"k": [1, 2], "v": {"z": 1.5}}, "a.json"),
        "load png": lambda: _round_trip(grid, "a.png", domain=(0, 1)),
        "load txt": lambda: _round_trip("one\ntwo\n", "a.txt"),
        "show RGB": lambda: _shown(_rand(3, 4, 3)),
        "show RGBA": lambda: _shown(_rand(2, 2, 4)),
        "show grayscale": lambda: _shown(_rand(3, 4)),
        "show 6 channels": lambda: _shown(_rand(3, 4, 6)),
        "show domain None": lambda: _shown(_rand(3, 4, 3) * 3 - 1, domain=None),
        "show batch": lambda: _shown(_rand(2, 3, 4, 3)),
        "show list": lambda: _shown([_rand(3, 4, 3), _rand(3, 4, 3, seed=1)]),
        "serialize_array": lambda: serialize_array.serialize_array(_rand(3, 4, 3), fmt="png"),
        "array_to_jsbuffer": lambda: serialize_array.array_to_jsbuffer(np.arange(6, dtype=np.float32)),
        "collapse_channels 5": lambda: collapse_channels.collapse_channels(_rand(3, 4, 5)),
        "collapse_channels signed": lambda: collapse_channels.collapse_channels(_rand(3, 4, 7) - 0.5),
        "hue_to_rgb": lambda: collapse_channels.hue_to_rgb(120.0),
        "sparse_channels_to_rgb": lambda: collapse_channels.sparse_channels_to_rgb(_rand(3, 4, 5)),
        "sanitize": lambda: sanitize({"a": np.float32(1.5), "b": np.arange(3), "c": (1, 2)}),
    }


def _ndimage_cases():
    from lucid.misc import ndimage_utils as nu

    img, rgba = _rand(3, 4, 2), _rand(2, 3, 4, seed=1)
    return {
        "resize to (5, 7)": lambda: nu.resize(img, (5, 7)),
        "resize to 6, order 1, float64": lambda: nu.resize(img.astype(np.float64), 6, order=1),
        "resize by ratios": lambda: nu.resize(img, ratios=(0.5, 1.5)),
        "resize batch": lambda: nu.resize(_rand(2, 4, 4, 3), (2, 2)),
        "resize no-op": lambda: nu.resize(img, (3, 4)),
        "resize nearest": lambda: nu.resize(img, (6, 8), order=0),
        "resize uint8": lambda: nu.resize((img * 255).astype(np.uint8), (5, 5)),
        "soft_alpha_blend": lambda: nu.soft_alpha_blend(rgba),
        "soft_alpha_blend, options": lambda: nu.soft_alpha_blend(rgba, 0.5, 1.0),
        "composite": lambda: nu.composite(np.zeros((8, 12, 3), np.float32), _rand(2, 4, 3), 0.5, (1.0, 0.5)),
        "composite, default": lambda: nu.composite(_rand(16, 16, 3), _rand(4, 4, 3, seed=2)),
    }


def _channel_reducer_cases():
    from lucid.misc.channel_reducer import ChannelReducer

    eye = np.zeros((10, 10, 10))
    for d in range(10):
        eye[:, :, d] = np.eye(10)

    def trivial():
        reducer = ChannelReducer(n_components=2)
        fitted = reducer.fit(eye)
        return type(fitted).__name__, reducer.transform(eye), reducer.components

    def pca():
        reducer = ChannelReducer(2, "PCA")
        return reducer(_rand(5, 4, 6, dtype=np.float64)), np.abs(reducer.components)

    return {"NMF of eyes": trivial, "PCA": pca}


def _matplotlib_cases():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lucid.misc.convert_matplotlib import matplotlib_to_numpy

    def figure():
        plt.figure(figsize=(1, 1), dpi=20, facecolor=(1, 0, 0))
        try:
            return matplotlib_to_numpy(plt)
        finally:
            plt.close("all")

    return {"red figure": figure}


def _parameter_editor_cases():
    from lucid.scratch.parameter_editor import ParameterEditor

    tf1 = _tf1()

    def graph_def():
        with tf1.Graph().as_default() as graph:
            tf1.constant(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
            return graph.as_graph_def()

    def marker():
        gd = graph_def()
        editor = ParameterEditor(gd)
        ParameterEditor(gd)
        return sorted(editor.nodes), [n.name for n in gd.node], gd.node[-1].SerializeToString(deterministic=True)

    def read():
        editor = ParameterEditor(graph_def())
        return editor["w"], editor["w", 1]

    def write_index():
        editor = ParameterEditor(graph_def())
        editor["w", 0, 1] = 7
        return editor["w"]

    return {"marker node": marker, "read": read, "write an index": write_index}


def _interpolation_cases():
    from lucid.recipes.image_interpolation_params import multi_interpolation_basis

    tf1 = _tf1()

    def basis(n):
        with tf1.Graph().as_default(), tf1.Session() as sess:
            np.random.seed(0)
            t = multi_interpolation_basis(n, 3, 8, 3)
            sess.run(tf1.global_variables_initializer())
            return sess.run(t)

    return {"2 objectives": lambda: basis(2), "3 objectives": lambda: basis(3)}


CASES = {
    "misc.io": _io_cases,
    "misc.ndimage_utils": _ndimage_cases,
    "misc.channel_reducer": _channel_reducer_cases,
    "misc.convert_matplotlib": _matplotlib_cases,
    "scratch.parameter_editor": _parameter_editor_cases,
    "recipes.image_interpolation_params": _interpolation_cases,
}


# ---- recording and comparing --------------------------------------------------------------------------------------


def encode(value):
    """A plain, picklable description of `value`: type names, shapes, dtypes and contents."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value)
    if isinstance(value, np.generic):
        return ("numpy " + type(value).__name__, value.item())
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [encode(v) for v in value])
    if isinstance(value, dict):
        return ("dict", sorted(((repr(k), encode(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(repr(v) for v in value))
    return ("object " + type(value).__name__, None)


def run(path):
    import lucid

    outputs = {}
    for module, make_cases in CASES.items():
        try:
            cases = make_cases()
        except Exception as error:  # noqa: BLE001 - recorded: a module that cannot be set up counts as raising
            outputs[module + ": (set up)"] = ("raises", type(error).__name__)
            continue
        for name, call in cases.items():
            try:
                outputs[module + ": " + name] = encode(call())
            except Exception as error:  # noqa: BLE001 - an exception is an output to compare
                outputs[module + ": " + name] = ("raises", type(error).__name__)
    with open(path, "wb") as handle:
        pickle.dump({"lucid": os.path.dirname(lucid.__file__), "outputs": outputs}, handle)
    print("%d outputs of %s written to %s" % (len(outputs), os.path.dirname(lucid.__file__), path))


def same(a, b):
    """Whether two encoded outputs match: same structure and types, floats close, everything else equal."""
    if a[0] != b[0]:
        return False
    if a[0] == "ndarray":
        if a[1] != b[1] or a[2] != b[2]:
            return False
        if np.issubdtype(a[3].dtype, np.inexact):
            return np.allclose(a[3], b[3], rtol=RTOL, atol=ATOL, equal_nan=True)
        return np.array_equal(a[3], b[3])
    if a[0] in ("list", "tuple"):
        return len(a[1]) == len(b[1]) and all(same(x, y) for x, y in zip(a[1], b[1]))
    if a[0] == "dict":
        return [k for k, _ in a[1]] == [k for k, _ in b[1]] and all(same(x, y) for (_, x), (_, y) in zip(a[1], b[1]))
    if a[0] in ("float", "numpy float32", "numpy float64"):
        return bool(np.isclose(a[1], b[1], rtol=RTOL, atol=ATOL))
    return a[1] == b[1]


def compare(original_path, ours_path):
    with open(original_path, "rb") as handle:
        original = pickle.load(handle)["outputs"]
    with open(ours_path, "rb") as handle:
        ours = pickle.load(handle)["outputs"]
    per_module = {}
    for key in sorted(original):
        module = key.split(": ", 1)[0]
        counts = per_module.setdefault(module, {"compared": 0, "match": 0, "original raises": 0, "differ": []})
        counts["compared"] += 1
        if key in ours and same(original[key], ours[key]):
            counts["match"] += 1
        elif original[key][0] == "raises" and key in ours and ours[key][0] != "raises":
            counts["original raises"] += 1
        else:
            counts["differ"].append(key.split(": ", 1)[1])
    print("%-36s %8s %6s %16s" % ("module", "compared", "match", "original raises"))
    for module, counts in per_module.items():
        print("%-36s %8d %6d %16d" % (module, counts["compared"], counts["match"], counts["original raises"]))
        for name in counts["differ"]:
            print(
                "    differs: %s (original %s, ours %s)"
                % (name, original[module + ": " + name][0], ours.get(module + ": " + name, ("missing",))[0])
            )
    total = sum(c["compared"] for c in per_module.values())
    print("total: %d compared, %d match" % (total, sum(c["match"] for c in per_module.values())))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "run":
        run(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
