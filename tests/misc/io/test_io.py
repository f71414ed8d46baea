"""lucid.misc.io: load/save round trips, io scopes, atomic writes, remote reads and the download cache."""

import io
import json
import lzma
import os
import shutil
import subprocess
import threading
from unittest import mock

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf

from lucid.misc.environment import is_notebook_environment
from lucid.misc.io import CaptureSaveContext, batch_save, io_scope, load, reading, save, scope_url, writing
from lucid.misc.io.collapse_channels import collapse_channels, hue_to_rgb, sparse_channels_to_rgb
from lucid.misc.io.sanitizing import sanitize
from lucid.misc.io.saving import ClarityJSONEncoder
from lucid.misc.io.scoping import current_io_scopes, gcs_https_url, resolve_url
from lucid.misc.io.serialize_array import array_to_jsbuffer, normalize_array, serialize_array

pytestmark = pytest.mark.usefixtures("cache_dir")


def _graph_def():
    with tf.Graph().as_default() as graph:
        tf.constant([1.0, 2.0], name="c")
        tf.compat.v1.placeholder(tf.float32, [None, 3], name="input")
    return graph.as_graph_def()


# --- round trips ---------------------------------------------------------------------------------------------


def test_png_round_trip_float_image(tmp_path):
    image = np.random.rand(6, 7, 3).astype(np.float32)
    result = save(image, str(tmp_path / "a.png"), domain=(0, 1))
    assert result == {"type": "image", "shape": (7, 6, 3), "url": str(tmp_path / "a.png")}
    loaded = load(str(tmp_path / "a.png"))
    assert loaded.dtype == np.float32 and loaded.shape == (6, 7, 3)
    expected = np.floor(image * 255).astype(np.uint8) / np.float32(255)
    np.testing.assert_allclose(loaded, expected, atol=1e-6)


def test_grayscale_png_loads_as_three_channels_and_rgba_keeps_four(tmp_path):
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    PIL.Image.fromarray(gray).save(tmp_path / "g.png")
    loaded = load(str(tmp_path / "g.png"))
    assert loaded.shape == (3, 4, 3)
    np.testing.assert_allclose(loaded[..., 1], gray / 255.0, atol=1e-6)
    rgba = np.random.randint(0, 256, (2, 3, 4), dtype=np.uint8)
    PIL.Image.fromarray(rgba, "RGBA").save(tmp_path / "c.png")
    np.testing.assert_allclose(load(str(tmp_path / "c.png")), rgba / 255.0, atol=1e-6)


def test_load_image_with_size_resizes_width_then_height(tmp_path):
    save(np.random.rand(8, 10, 3), str(tmp_path / "a.png"))
    assert load(str(tmp_path / "a.png"), size=(5, 4)).shape == (4, 5, 3)


@pytest.mark.parametrize("ext", [".jpg", ".jpeg", ".webp"])
def test_lossy_image_round_trip(tmp_path, ext):
    image = np.full((8, 8, 3), 0.5, np.float32)
    image[..., 0] = 0.2
    save(image, str(tmp_path / ("a" + ext)), domain=(0, 1), quality=95)
    np.testing.assert_allclose(load(str(tmp_path / ("a" + ext))), image, atol=0.03)


def test_npy_round_trip_and_pickles_refused_by_default(tmp_path):
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    result = save(array, str(tmp_path / "a.npy"))
    assert result == {"type": "npy", "shape": (2, 3), "dtype": "int16", "url": str(tmp_path / "a.npy")}
    loaded = load(str(tmp_path / "a.npy"))
    assert loaded.dtype == np.int16
    np.testing.assert_array_equal(loaded, array)
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError):
        load(str(tmp_path / "obj.npy"))
    assert load(str(tmp_path / "obj.npy"), allow_pickle=True)[0] == {"a": 1}


def test_npz_round_trip_dict_and_list(tmp_path):
    save({"x": np.arange(3), "y": np.eye(2)}, str(tmp_path / "d.npz"))
    loaded = load(str(tmp_path / "d.npz"))
    assert isinstance(loaded, np.lib.npyio.NpzFile)
    np.testing.assert_array_equal(loaded["x"], np.arange(3))
    np.testing.assert_array_equal(loaded["y"], np.eye(2))
    save([np.ones(2), np.zeros(3)], str(tmp_path / "l.npz"))
    loaded = load(str(tmp_path / "l.npz"))
    assert sorted(loaded.files) == ["arr_0", "arr_1"]
    np.testing.assert_array_equal(loaded["arr_1"], np.zeros(3))


def test_json_round_trip_and_exact_text(tmp_path):
    result = save({"key": "value"}, str(tmp_path / "a.json"))
    assert result == {"type": "json", "url": str(tmp_path / "a.json")}
    assert (tmp_path / "a.json").read_text() == '{\n  "key": "value"\n}'
    data = {"a": [1, 2], "b": {"c": 1.5}, "s": "ü"}
    save(data, str(tmp_path / "b.json"))
    assert load(str(tmp_path / "b.json")) == data


def test_text_round_trips(tmp_path):
    save("one\ntwo", str(tmp_path / "a.txt"))
    assert load(str(tmp_path / "a.txt")) == "one\ntwo"
    assert load(str(tmp_path / "a.txt"), split=True) == ["one", "two"]
    save(["x", b"y\n", 3], str(tmp_path / "b.txt"))
    assert (tmp_path / "b.txt").read_bytes() == b"x\ny\n3\n"
    save("# Title", str(tmp_path / "c.md"))
    assert load(str(tmp_path / "c.md")) == "# Title"


def test_graphdef_round_trip(tmp_path):
    graph_def = _graph_def()
    assert save(graph_def, str(tmp_path / "g.pb")) == {"type": "pb", "url": str(tmp_path / "g.pb")}
    loaded = load(str(tmp_path / "g.pb"))
    assert isinstance(loaded, tf.compat.v1.GraphDef)
    assert loaded == graph_def
    assert [node.name for node in loaded.node] == ["c", "input"]


def test_save_pb_propagates_errors(tmp_path):
    with pytest.raises(AttributeError):
        save("not a proto", str(tmp_path / "g.pb"))
    assert not (tmp_path / "g.pb").exists()


def test_xz_round_trip(tmp_path):
    array = np.random.rand(4, 5)
    save(array, str(tmp_path / "a.npy.xz"))
    with lzma.open(tmp_path / "a.npy.xz") as raw:
        np.testing.assert_array_equal(np.load(raw), array)
    np.testing.assert_array_equal(load(str(tmp_path / "a.npy.xz")), array)
    save(np.eye(4), str(tmp_path / "b.png.xz"))
    np.testing.assert_allclose(load(str(tmp_path / "b.png.xz"))[..., 0], np.eye(4))


def test_pickle_needs_allow_unsafe_formats(tmp_path):
    path = str(tmp_path / "a.pkl")
    with pytest.raises(ValueError, match="unsafe"):
        save({"a": 1}, path)
    assert save({"a": 1}, path, allow_unsafe_formats=True) is None
    with pytest.raises(ValueError, match="unsafe"):
        load(path)
    assert load(path, allow_unsafe_formats=True) == {"a": 1}


def test_unknown_extension_saves_strings_only(tmp_path):
    assert save("hello", str(tmp_path / "a.html"))["type"] == "txt"
    assert (tmp_path / "a.html").read_text() == "hello"
    with pytest.raises(ValueError, match="Unknown extension '.gz'"):
        save(np.zeros(3), str(tmp_path / "x.npy.gz"))
    with pytest.raises(RuntimeError, match="No extension"):
        save("x", str(tmp_path / "noext"))


def test_unknown_extension_loads_as_image_or_fails_clearly(tmp_path):
    PIL.Image.fromarray(np.full((2, 2, 3), 255, np.uint8)).save(tmp_path / "a.bmp")
    np.testing.assert_allclose(load(str(tmp_path / "a.bmp")), np.ones((2, 2, 3)))
    (tmp_path / "b.weird").write_bytes(b"no image here")
    with pytest.raises(RuntimeError, match="as image"):
        load(str(tmp_path / "b.weird"))
    with pytest.raises(RuntimeError, match="No extension"):
        load(str(tmp_path / "noext"))


def test_load_and_save_open_handles(tmp_path):
    with open(tmp_path / "a.npy", "wb") as handle:
        assert save(np.arange(3), handle)["url"] == str(tmp_path / "a.npy")
    with open(tmp_path / "a.npy", "rb") as handle:
        np.testing.assert_array_equal(load(handle), np.arange(3))
    with open(tmp_path / "b.json", "w") as handle:
        save([1, 2], handle)
    assert json.loads((tmp_path / "b.json").read_text()) == [1, 2]


def test_load_list_keeps_order_and_returns_exceptions(tmp_path):
    save(np.arange(2), str(tmp_path / "a.npy"))
    save("text", str(tmp_path / "b.txt"))
    with io_scope(str(tmp_path)):
        results = load(["a.npy", "missing.npy", "b.txt"])
    np.testing.assert_array_equal(results[0], np.arange(2))
    assert isinstance(results[1], FileNotFoundError) and "missing.npy" in str(results[1])
    assert results[2] == "text"


def test_bad_locations_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npy"):
        load(str(tmp_path / "nope.npy"))
    with pytest.raises(ValueError, match="gs://"):
        load("ftp://example.com/a.npy")
    with pytest.raises(ValueError, match="not supported"):
        save("x", "https://example.com/a.txt")
    (tmp_path / "bad.pb").write_bytes(b"\xff\xff\xff not a graph")
    with pytest.raises(ValueError, match="not a valid GraphDef"):
        load(str(tmp_path / "bad.pb"))


# --- io scopes ---------------------------------------------------------------------------------------------


def test_scope_url_cases():
    assert scope_url("a.png") == "a.png"
    assert scope_url("./some/file.ext") == "./some/file.ext"
    assert scope_url("/abs/a.png", io_scopes=["gs://b"]) == "/abs/a.png"
    assert scope_url("https://x.org/a.png", io_scopes=["gs://b"]) == "https://x.org/a.png"
    assert scope_url("a.png", io_scopes=["gs://bucket", "run1"]) == "gs://bucket/run1/a.png"
    assert scope_url("../b.png", io_scopes=["gs://bucket/run1"]) == "gs://bucket/b.png"
    assert scope_url("x/a.png", io_scopes=["rel"]) == "rel/x/a.png"


def test_io_scope_nesting_replacing_and_restoring():
    with io_scope("gs://bucket"):
        with io_scope("run"):
            assert scope_url("a.png") == "gs://bucket/run/a.png"
            with io_scope("/tmp/other", replace_current_scopes=True):
                assert current_io_scopes() == ["/tmp/other"]
                assert scope_url("a.png") == "/tmp/other/a.png"
            assert current_io_scopes() == ["gs://bucket", "run"]
        with pytest.raises(KeyError):
            with io_scope("inner"):
                raise KeyError("boom")
        assert current_io_scopes() == ["gs://bucket"]
    assert current_io_scopes() == []


def test_io_scopes_are_thread_local():
    seen = []
    with io_scope("/tmp/scope"):
        thread = threading.Thread(target=lambda: seen.append(scope_url("a.png")))
        thread.start()
        thread.join()
    assert seen == ["a.png"]


def test_save_and_load_inside_io_scope(tmp_path):
    with io_scope(str(tmp_path)):
        assert save(np.ones(2), "sub/a.npy")["url"] == str(tmp_path / "sub" / "a.npy")
        np.testing.assert_array_equal(load("sub/a.npy"), np.ones(2))


def test_resolve_url_and_gcs_mapping():
    assert resolve_url("a/b.png") == ("", "a/b.png")
    assert resolve_url("file:///tmp/a%20b.png") == ("", "/tmp/a b.png")
    assert resolve_url("gs://bucket/x") == ("gs", "gs://bucket/x")
    assert gcs_https_url("gs://modelzoo/x/y.pb") == "https://storage.googleapis.com/modelzoo/x/y.pb"


# --- saving helpers ----------------------------------------------------------------------------------------


class _HasJson:
    def to_json(self):
        return {"custom": True}


def test_clarity_json_encoder():
    data = {
        "set": {3},
        "tuple": (1, 2),
        "int": np.int64(5),
        "float": np.float32(0.5),
        "bool": np.bool_(True),
        "array": np.arange(3).reshape(1, 3),
        "obj": _HasJson(),
    }
    decoded = json.loads(json.dumps(data, cls=ClarityJSONEncoder))
    assert decoded == {
        "set": [3],
        "tuple": [1, 2],
        "int": 5,
        "float": 0.5,
        "bool": True,
        "array": [[0, 1, 2]],
        "obj": {"custom": True},
    }
    with pytest.raises(TypeError):
        json.dumps({"x": object()}, cls=ClarityJSONEncoder)


def test_capture_save_context_and_batch_save(tmp_path):
    with CaptureSaveContext() as context, io_scope(str(tmp_path)):
        results = batch_save([(np.zeros(2), "a.npy"), ("hi", "b.txt"), ({"k": 1}, "c.json", {"indent": None})])
        assert CaptureSaveContext.current_save_context() is context
    assert CaptureSaveContext.current_save_context() is None
    assert [r["url"] for r in results] == [str(tmp_path / n) for n in ("a.npy", "b.txt", "c.json")]
    assert sorted(r["url"] for r in context.captured_saves) == sorted(r["url"] for r in results)
    assert (tmp_path / "c.json").read_text() == '{"k": 1}'
    with pytest.raises(ValueError, match="tuples"):
        batch_save([(1,)])


def test_gs_save_adds_serve_url(monkeypatch):
    written = {}

    class FakeGFile(io.BytesIO):
        def __init__(self, path, mode):
            super().__init__()
            self.name = path

        def close(self):
            written[self.name] = self.getvalue()
            super().close()

    monkeypatch.setattr(writing.tf.io.gfile, "GFile", FakeGFile)
    result = save({"a": 1}, "gs://bucket/dir/a.json")
    assert result["serve"] == "https://storage.googleapis.com/bucket/dir/a.json"
    assert written == {"gs://bucket/dir/a.json": b'{\n  "a": 1\n}'}


# --- atomic writes -----------------------------------------------------------------------------------------


def test_failed_write_keeps_previous_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    writing.write("old", str(target))
    with pytest.raises(RuntimeError):
        with writing.write_handle(str(target)) as handle:
            handle.write(b"new partial")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    with pytest.raises(ValueError, match="numpy arrays or PIL"):
        save("not an image", str(tmp_path / "a.png"))
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]


def test_successful_write_replaces_file(tmp_path):
    target = tmp_path / "deep" / "dir" / "a.bin"
    writing.write(b"one", str(target))
    writing.write(b"two", str(target))
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["a.bin"]


# --- remote reads and the cache ----------------------------------------------------------------------------


def test_http_load_is_cached(server, cache_dir):
    array = np.arange(10, dtype=np.float32)
    np.save(server.root / "data.npy", array)
    url = server.url + "/data.npy"
    np.testing.assert_array_equal(load(url), array)
    assert server.requests == ["/data.npy"]
    np.testing.assert_array_equal(load(url), array)
    assert server.requests == ["/data.npy"]
    cached = reading.local_cache_path(url)
    assert os.path.dirname(cached) == str(cache_dir)
    assert open(cached, "rb").read() == (server.root / "data.npy").read_bytes()
    entries = [name for name in os.listdir(cache_dir) if not name.endswith((".lockfile", ".sha256"))]
    assert entries == [os.path.basename(cached)]


def test_http_read_bytes_purge_and_no_cache(server, cache_dir):
    (server.root / "a.txt").write_bytes(b"payload")
    url = server.url + "/a.txt"
    assert reading.read(url) == b"payload"
    assert reading.read(url, encoding="utf-8") == "payload"
    assert len(server.requests) == 1
    assert reading.read(url, cache="purge") == b"payload"
    assert len(server.requests) == 2
    assert reading.read(url, cache=False) == b"payload"
    assert len(server.requests) == 3


def test_long_cache_names_are_cut_to_the_limit(cache_dir):
    long_name = reading.local_cache_path("gs://bucket/" + "x" * 500)
    assert len(os.path.basename(long_name)) <= reading.MAX_FILENAME_LENGTH
    assert os.path.dirname(long_name) == str(cache_dir)


def test_gs_url_is_fetched_over_https():
    with mock.patch.object(reading.OPENER, "open", return_value=io.BytesIO(b"line1\nline2")) as urlopen:
        assert load("gs://bucket/labels.txt", split=True, cache=False) == ["line1", "line2"]
    urlopen.assert_called_once_with(
        "https://storage.googleapis.com/bucket/labels.txt", timeout=reading.DOWNLOAD_TIMEOUT
    )


def test_gs_url_cached_under_the_url_it_is_fetched_from(cache_dir):
    with mock.patch.object(reading.OPENER, "open", return_value=io.BytesIO(b"abc")) as urlopen:
        assert reading.read("gs://bucket/a.txt") == b"abc"
        assert reading.read("gs://bucket/a.txt") == b"abc"
    urlopen.assert_called_once_with("https://storage.googleapis.com/bucket/a.txt", timeout=reading.DOWNLOAD_TIMEOUT)
    assert reading.local_cache_path("gs://bucket/a.txt") == reading.local_cache_path(
        "https://storage.googleapis.com/bucket/a.txt"
    )
    assert os.path.exists(reading.local_cache_path("gs://bucket/a.txt"))


class _BrokenStream(io.RawIOBase):
    """A download that delivers some bytes and then fails."""

    def __init__(self):
        self.sent = False

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent:
            raise ConnectionResetError("connection dropped")
        self.sent = True
        buffer[:4] = b"part"
        return 4


def test_interrupted_download_leaves_no_cache_entry(cache_dir, monkeypatch):
    monkeypatch.setattr(reading, "RETRY_DELAY", 0)
    with mock.patch.object(reading.OPENER, "open", return_value=_BrokenStream()):
        with pytest.raises(ConnectionError, match="connection dropped"):
            reading.read("https://example.com/big.bin")
    assert [name for name in os.listdir(cache_dir) if not name.endswith((".lockfile", ".sha256"))] == []
    with mock.patch.object(reading.OPENER, "open", return_value=io.BytesIO(b"full")) as urlopen:
        assert reading.read("https://example.com/big.bin") == b"full"
    urlopen.assert_called_once_with("https://example.com/big.bin", timeout=reading.DOWNLOAD_TIMEOUT)


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("LUCID_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert reading.cache_dir() == str(tmp_path / "xdg" / "lucid")


# --- arrays to images --------------------------------------------------------------------------------------


def test_normalize_array_float_scaling_truncates():
    array = np.array([[0.0, 0.5], [1.0, 0.999]])
    np.testing.assert_array_equal(normalize_array(array), [[0, 127], [255, 254]])


def test_normalize_array_clips_to_domain_and_auto_domain():
    array = np.array([[-1.0, 0.5], [2.0, 0.25]])
    before = array.copy()
    np.testing.assert_array_equal(normalize_array(array), [[0, 127], [255, 63]])
    np.testing.assert_array_equal(normalize_array(array, domain=None), [[0, 127], [255, 106]])
    np.testing.assert_array_equal(normalize_array(array, domain=(-1, 3)), [[0, 95], [191, 79]])
    np.testing.assert_array_equal(array, before)


def test_normalize_array_integers_are_pixel_values(caplog):
    # Upstream clipped uint8 to the default domain (0, 1), so show(uint8_image) came out black.
    array = np.array([[0, 1], [200, 7]], dtype=np.uint8)
    np.testing.assert_array_equal(normalize_array(array), array)
    np.testing.assert_array_equal(normalize_array(array, domain=(0, 255)), array)
    assert not caplog.records
    np.testing.assert_array_equal(normalize_array(np.array([[-5, 300], [0, 9]])), [[0, 255], [0, 9]])
    assert "Clipping integer" in caplog.text


def test_normalize_array_squeezes_and_rejects_bad_input():
    assert normalize_array(np.zeros((1, 4, 5, 1))).shape == (4, 5)
    with pytest.raises(ValueError, match="rank"):
        normalize_array(np.zeros((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        normalize_array(np.array([[np.nan, 1.0]]))
    with pytest.raises(TypeError):
        normalize_array(np.array([["a", "b"]]))


def test_serialize_array_png_decodes_to_normalized_values():
    array = np.random.rand(3, 4, 3)
    decoded = np.asarray(PIL.Image.open(io.BytesIO(serialize_array(array))))
    np.testing.assert_array_equal(decoded, (array * 255).astype(np.uint8))


def test_array_to_jsbuffer():
    array = np.array([1.5, -2.0], dtype=np.float32)
    js = array_to_jsbuffer(array)
    assert "new Float32Array(buf.buffer)" in js
    assert "atob('AADAPwAAAMA=')" in js
    with pytest.raises(TypeError, match="1d"):
        array_to_jsbuffer(np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        array_to_jsbuffer(np.zeros(2, np.int64))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint8", "int16"])
def test_array_to_jsbuffer_evaluates_to_the_typed_array(dtype):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (.ci/run installs it)")
    array = (np.arange(-3, 4) * (2.5 if dtype.startswith("float") else 1)).astype(dtype)
    if dtype == "uint8":
        array = np.array([0, 7, 255], np.uint8)
    script = "const a = %s; console.log(a.constructor.name + ' ' + JSON.stringify(Array.from(a)));"
    out = subprocess.run([node, "-e", script % array_to_jsbuffer(array)], capture_output=True, text=True, check=True)
    name, values = out.stdout.split(" ", 1)
    assert name == dtype.capitalize() + "Array"
    np.testing.assert_array_equal(json.loads(values), array)


def test_hue_to_rgb_primaries():
    np.testing.assert_allclose(hue_to_rgb(0), [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(hue_to_rgb(120), [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(hue_to_rgb(60), np.array([1, 1, 0]) / np.sqrt(2), atol=1e-12)
    np.testing.assert_allclose(hue_to_rgb(360 + 240), [0, 0, 1], atol=1e-12)
    halfway = hue_to_rgb(30, warp=False)
    np.testing.assert_allclose(
        halfway,
        (np.array([1, 0, 0]) + np.array([1, 1, 0]) / np.sqrt(2))
        / np.linalg.norm(np.array([1, 0, 0]) + np.array([1, 1, 0]) / np.sqrt(2)),
    )


def test_collapse_channels():
    X = np.zeros((2, 2, 6))
    X[0, 0, 0] = 2.0  # channel 0 -> red
    X[0, 1, 2] = 1.0  # channel 2 of 6 -> hue 120 -> green
    rgb = sparse_channels_to_rgb(X)
    assert rgb.shape == (2, 2, 3)
    np.testing.assert_allclose(rgb[0, 0], [2, 0, 0], atol=1e-3)
    np.testing.assert_allclose(rgb[0, 1], [0, 1, 0], atol=1e-3)
    np.testing.assert_allclose(rgb[1, 1], 0)
    signed = np.random.randn(3, 4, 5)
    collapsed = collapse_channels(signed)
    assert collapsed.shape == (3, 4, 3) and (collapsed >= -1e-12).all()
    np.testing.assert_allclose(np.linalg.norm(collapsed, axis=-1), np.linalg.norm(signed, axis=-1), rtol=1e-3)


def test_sanitize_and_notebook_detection(monkeypatch):
    assert sanitize("mixed4a/conv_1") == "mixed4a_conv_1"
    assert is_notebook_environment() is False
    ZMQInteractiveShell = type("ZMQInteractiveShell", (), {})
    monkeypatch.setattr("IPython.get_ipython", lambda: ZMQInteractiveShell())
    assert is_notebook_environment() is True


def test_missing_file_of_unknown_extension_is_also_a_runtime_error(tmp_path):
    # The original raised RuntimeError here (it tries to load unknown extensions as images); its own test expects it.
    from lucid.misc.io.loading import ResourceNotFoundError

    with pytest.raises(RuntimeError) as info:
        load(str(tmp_path / "string.XYZ"))
    assert isinstance(info.value, FileNotFoundError) and info.type is ResourceNotFoundError


def test_the_originals_private_normalize_array_name_used_by_its_xy2rgb_notebook():
    from lucid.misc.io.serialize_array import _normalize_array

    image = np.linspace(-0.5, 1.5, 6, dtype=np.float32).reshape(1, 2, 3)
    # The original's values: clipped to (0, 1), squeezed, scaled, truncated to uint8.
    assert _normalize_array(image).tolist() == [[0, 0, 76], [178, 255, 255]]
    assert _normalize_array(image, domain=None).tolist() == [[0, 51, 102], [153, 204, 255]]
