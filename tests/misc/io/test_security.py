"""Security and file safety of lucid.misc.io and model loading.

No unpickling unless asked; only local paths, file://, http(s):// and gs:// URLs; cache file names that stay in
the cache directory; model downloads parsed only as GraphDefs; writes that never leave a partial file.
"""

import io
import json
import os
import pickle
import re
from unittest import mock

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf
from tiny_models import tiny_conv_graph_def

from lucid.misc.io import load, reading, save, writing
from lucid.modelzoo.vision_base import Model

pytestmark = pytest.mark.usefixtures("cache_dir")


class _Payload:
    """Unpickling this creates the directory `marker`: proof that a pickle was loaded."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


# ---- no unpickling by default --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["data.pkl", "data.pickle", "DATA.PKL", "data.pkl.xz"])
def test_load_does_not_unpickle_by_default(tmp_path, name):
    marker = tmp_path / "unpickled"
    payload = pickle.dumps(_Payload(marker))
    path = tmp_path / name
    if name.endswith(".xz"):
        import lzma

        payload = lzma.compress(payload, format=lzma.FORMAT_XZ)
    path.write_bytes(payload)
    with pytest.raises(ValueError, match="considered unsafe.*allow_unsafe_formats=True"):
        load(str(path))
    assert not marker.exists()
    load(str(path), allow_unsafe_formats=True)  # the payload works: the guard above is what stopped it
    assert marker.is_dir()


def test_pickled_numpy_arrays_are_refused(tmp_path):
    marker = tmp_path / "unpickled"
    objects = np.array([_Payload(marker)], dtype=object)
    np.save(tmp_path / "objects.npy", objects, allow_pickle=True)
    np.savez(tmp_path / "objects.npz", a=objects)
    with pytest.raises(ValueError, match="allow_pickle"):
        load(str(tmp_path / "objects.npy"))
    with pytest.raises(ValueError, match="allow_pickle"):
        load(str(tmp_path / "objects.npz"))["a"]
    assert not marker.exists()


def test_remote_pickles_are_refused_before_download(server):
    (server.root / "data.pkl").write_bytes(pickle.dumps({"a": 1}))
    with mock.patch.object(reading.OPENER, "open") as urlopen, pytest.raises(ValueError, match="unsafe"):
        load(server.url + "/data.pkl")
    urlopen.assert_not_called()


# ---- URL schemes -----------------------------------------------------------------------------------------------

BAD_URLS = [
    "ftp://example.com/a.txt",
    "sftp://example.com/a.txt",
    "data://text/plain,abc.txt",
    "javascript://host/alert.txt",
    "jar:file://a.jar!/b.txt",
    "s3://bucket/a.txt",
    "smb://host/share/a.txt",
    "ssh://host/a.txt",
    "HTTPX://example.com/a.txt",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_only_local_file_http_and_gs_urls_are_read(url):
    with mock.patch.object(reading.OPENER, "open") as urlopen, mock.patch("builtins.open") as builtin_open:
        with pytest.raises(
            ValueError,
            match=r"Unsupported URL scheme .*local paths, file://, http://, https:// "
            r"and gs://",
        ):
            load(url)
    urlopen.assert_not_called()
    builtin_open.assert_not_called()


@pytest.mark.parametrize("url", BAD_URLS[:4] + ["http://example.com/a.txt", "https://example.com/a.txt"])
def test_writes_go_only_to_local_paths_and_gs(url):
    with pytest.raises(ValueError, match="URL"):
        save("text", url)


def test_file_urls_and_local_paths_are_read(tmp_path):
    (tmp_path / "a.txt").write_text("local")
    assert load(str(tmp_path / "a.txt")) == "local"
    assert load("file://" + str(tmp_path / "a.txt")) == "local"


# ---- the download cache ---------------------------------------------------------------------------------------

HOSTILE_URLS = [
    "http://host/../../../../etc/passwd",
    "http://host/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "gs://bucket/..\\..\\..\\windows\\system32",
    "https://host/a/./../../b/../../../x.txt",
    "http://host/\x00/../x",
    "https://h\u00f4st/\u2024\u2024/\u2215etc\u2215passwd",
    "http://host/" + "../" * 200 + "x.pb",
    "gs://" + "/" * 300,
    "http://host/~/.ssh/id_rsa",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_cache_file_names_cannot_escape_the_cache_dir(cache_dir, url):
    path = reading.local_cache_path(url)
    assert os.path.dirname(path) == str(cache_dir)
    name = os.path.basename(path)
    assert re.fullmatch(r"[0-9a-f]{32}-[A-Za-z0-9_.-]*", name), name
    assert len(name) <= reading.MAX_FILENAME_LENGTH


def test_download_with_dot_dot_stays_in_the_cache(server, cache_dir, tmp_path):
    (server.root / "a.txt").write_text("hi")
    assert load(server.url + "/x/../../a.txt") == "hi"
    assert sorted(os.listdir(tmp_path)) == ["cache", "www"]
    assert all(os.path.isfile(cache_dir / name) for name in os.listdir(cache_dir))


# ---- model downloads are parsed only as GraphDefs --------------------------------------------------------------


class RemoteModel(Model):
    input_name = "input"
    image_shape = [32, 32, 3]
    image_value_range = (0, 1)


def _remote_model(url):
    return type("RemoteModel_", (RemoteModel,), {"model_path": url})()


@pytest.fixture
def no_other_decoders(monkeypatch):
    """Make every non-GraphDef decoder fail the test if it is called."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a model download was handed to a decoder other than GraphDef")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    monkeypatch.setattr(json, "load", forbidden)
    monkeypatch.setattr(PIL.Image, "open", forbidden)


@pytest.mark.parametrize(
    "name, content",
    [
        ("model.pkl", pickle.dumps({"node": []})),
        ("model.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"),
        ("model.json", b'{"node": [{"name": "input"}]}'),
        ("model.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        ("model", b"\xff\xfe not a graph"),
    ],
)
def test_downloaded_model_is_parsed_only_as_a_graph_def(server, no_other_decoders, name, content):
    (server.root / name).write_bytes(content)
    model = _remote_model(server.url + "/" + name)
    with pytest.raises(ValueError, match="GraphDef"):
        model.graph_def


@pytest.mark.parametrize("name", ["model.pb", "model.png", "model"])
def test_downloaded_graph_def_loads_whatever_its_name(server, no_other_decoders, name):
    (server.root / name).write_bytes(tiny_conv_graph_def().SerializeToString())
    graph_def = _remote_model(server.url + "/" + name).graph_def
    assert {"input", "conv1", "conv2", "logits"} <= {node.name for node in graph_def.node}


# ---- atomic writes ---------------------------------------------------------------------------------------------


class _DiskFull(OSError):
    pass


def _failing_open(fail_after, exception):
    """An `open` for writing.py whose files accept `fail_after` bytes, write some more, then raise."""
    real_open = open

    class Failing:
        def __init__(self, handle):
            self._handle, self._written = handle, 0

        def write(self, data):
            if self._written + len(data) > fail_after:
                self._handle.write(data[: max(1, fail_after - self._written)])
                self._handle.flush()
                raise exception
            self._written += len(data)
            return self._handle.write(data)

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return self._handle.__exit__(*exc_info)

    return lambda *args, **kwargs: Failing(real_open(*args, **kwargs))


SAVES = [
    ("a.npy", np.arange(5000, dtype=np.float32)),
    ("a.npz", {"x": np.arange(5000, dtype=np.float32)}),
    ("a.png", np.random.RandomState(0).rand(64, 64, 3)),
    ("a.json", {"key": list(range(2000))}),
    ("a.txt", ["line %d" % i for i in range(2000)]),
    ("a.pb", tiny_conv_graph_def()),
    ("a.npy.xz", np.random.RandomState(1).rand(5000)),
]


@pytest.mark.parametrize("exception", [_DiskFull(28, "No space left on device"), KeyboardInterrupt()])
@pytest.mark.parametrize("name, thing", SAVES)
def test_failed_save_never_leaves_a_partial_file(tmp_path, monkeypatch, name, thing, exception):
    target = tmp_path / name
    save(thing, str(target))
    before = target.read_bytes()
    monkeypatch.setattr(writing, "open", _failing_open(64, exception), raising=False)
    with pytest.raises(type(exception)):
        save(thing, str(target))
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == [name]
    os.remove(target)
    with pytest.raises(type(exception)):
        save(thing, str(target))
    assert os.listdir(tmp_path) == []


def test_failed_model_save_keeps_the_previous_model(tmp_path, monkeypatch):
    target = tmp_path / "model.pb"
    target.write_bytes(b"previous model")
    with tf.Graph().as_default(), tf.compat.v1.Session():
        tf.compat.v1.import_graph_def(tiny_conv_graph_def(), name="")
        monkeypatch.setattr(writing, "open", _failing_open(16, _DiskFull(28, "No space left on device")), raising=False)
        with pytest.raises(_DiskFull):
            Model.save(str(target), "input", ["softmax"], [32, 32, 3], (0, 1))
    assert target.read_bytes() == b"previous model"
    assert os.listdir(tmp_path) == ["model.pb"]


def test_gs_upload_happens_only_after_a_complete_save(monkeypatch):
    uploads = []

    class FakeGFile(io.BytesIO):
        def __init__(self, path, mode):
            super().__init__()
            self.path = path

        def close(self):
            uploads.append((self.path, self.getvalue()))
            super().close()

    monkeypatch.setattr(writing.tf.io.gfile, "GFile", FakeGFile)
    with pytest.raises(RuntimeError):
        with writing.write_handle("gs://bucket/a.bin") as handle:
            handle.write(b"partial")
            raise RuntimeError("interrupted")
    assert uploads == []
    save(np.random.RandomState(0).rand(8, 8, 3), "gs://bucket/img.png")
    assert [path for path, _ in uploads] == ["gs://bucket/img.png"]
    assert PIL.Image.open(io.BytesIO(uploads[0][1])).size == (8, 8)
