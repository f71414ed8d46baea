"""The download cache: one entry per URL, checked by sha256 on reuse, corrupt entries fetched once more; downloads
that fail at once when a retry cannot help. Against the local `server` fixture (static files under server.root)."""

import http.server
import io
import lzma
import os
import socket

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf

from lucid.misc.io import load, reading
from lucid.modelzoo import util as model_util


@pytest.fixture(autouse=True)
def _no_waiting(cache_dir, monkeypatch):
    monkeypatch.delenv("LUCID_MODELZOO_URL", raising=False)
    monkeypatch.delenv("LUCID_MODEL_DIR", raising=False)
    sleeps = []
    monkeypatch.setattr(reading.time, "sleep", sleeps.append)
    return sleeps


def graph_def_bytes():
    with tf.Graph().as_default() as graph:
        tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 3], name="input")
    return graph.as_graph_def().SerializeToString()


def test_urls_that_differ_only_in_punctuation_are_distinct_entries(server):
    (server.root / "a").mkdir()
    (server.root / "a_b.json").write_text('"underscore"')
    (server.root / "a" / "b.json").write_text('"folder"')
    (server.root / "a-b.json").write_text('"dash"')
    urls = [server.url + path for path in ("/a_b.json", "/a/b.json", "/a-b.json")]
    assert [load(url) for url in urls] == ["underscore", "folder", "dash"]
    assert [load(url) for url in urls] == ["underscore", "folder", "dash"]
    assert server.requests == ["/a_b.json", "/a/b.json", "/a-b.json"]  # the second round came from the cache
    names = [os.path.basename(reading.local_cache_path(url)) for url in urls]
    assert len(set(names)) == 3 and all(name.endswith(".json") for name in names)


def test_urls_with_the_same_file_name_are_distinct_entries(server):
    """A cache keyed by file name alone would serve /a/x.json's bytes for /b/x.json."""
    for folder in ("a", "b"):
        (server.root / folder).mkdir()
        (server.root / folder / "x.json").write_text('"%s"' % folder)
    urls = [server.url + "/a/x.json", server.url + "/b/x.json"]
    assert [load(url) for url in urls] == ["a", "b"]
    assert [load(url) for url in urls] == ["a", "b"]
    assert server.requests == ["/a/x.json", "/b/x.json"]


def test_changed_entry_is_fetched_again(server):
    (server.root / "x.txt").write_text("original")
    url = server.url + "/x.txt"
    assert load(url) == "original"
    with open(reading.local_cache_path(url), "w") as handle:
        handle.write("tampered")
    assert load(url) == "original"
    assert server.requests == ["/x.txt", "/x.txt"]
    os.remove(reading.local_cache_path(url) + ".sha256")  # an entry without its record is not trusted either
    assert load(url) == "original" and len(server.requests) == 3


def _xz_npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return lzma.compress(buffer.getvalue(), format=lzma.FORMAT_XZ)


@pytest.mark.parametrize(
    "name, broken, fixed, load_it",
    [
        ("m.pb", b"", graph_def_bytes(), model_util.load_graphdef),
        ("img.png", b"<html><body>Sign in</body></html>", None, load),
        ("a.npy.xz", _xz_npy(np.arange(1000))[:-40], _xz_npy(np.arange(1000)), load),
    ],
)
def test_undecodable_download_is_removed_refetched_and_named(server, cache_dir, name, broken, fixed, load_it):
    if fixed is None:
        buffer = io.BytesIO()
        PIL.Image.new("RGB", (4, 4)).save(buffer, "png")
        fixed = buffer.getvalue()
    (server.root / name).write_bytes(broken)
    url = server.url + "/" + name
    with pytest.raises(ValueError) as raised:
        load_it(url)
    message = str(raised.value)
    assert url in message and reading.local_cache_path(url) in message and "corrupt" in message
    assert server.requests == ["/" + name] * 2  # removed and fetched once more
    assert not os.path.exists(reading.local_cache_path(url))
    (server.root / name).write_bytes(fixed)  # the server is fixed: the next load asks it again
    assert load_it(url) is not None
    assert len(server.requests) == 3


def test_unknown_host_fails_at_once(monkeypatch, _no_waiting):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(ConnectionError, match=r"\(1 attempt; .*Name or service not known") as raised:
        load("https://storage.example/modelzoo/x.pb")
    assert "curl -o x.pb https://storage.example/modelzoo/x.pb" in str(raised.value)
    assert _no_waiting == []


def test_connection_refused_fails_at_once(_no_waiting):
    closed = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = closed.server_port
    closed.server_close()
    with pytest.raises(ConnectionError, match=r"\(1 attempt; .*refused"):
        load("http://127.0.0.1:%d/x.pb" % port)
    assert _no_waiting == []


def test_busy_resolver_is_still_retried(monkeypatch, _no_waiting):
    def busy(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", busy)
    with pytest.raises(ConnectionError, match="%d attempts" % reading.DOWNLOAD_ATTEMPTS):
        load("https://storage.example/modelzoo/x.pb")
    assert len(_no_waiting) == reading.DOWNLOAD_ATTEMPTS - 1
