"""Downloads of model files: a local HTTP server on 127.0.0.1 serves tiny .pb files and misbehaves on request."""

import http.server
import multiprocessing
import os
import threading
import time
import warnings
from types import SimpleNamespace
from unittest import mock

import pytest
import tensorflow as tf

from lucid.misc.io import load, reading
from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import Model


@pytest.fixture(autouse=True)
def download_env(tmp_path, monkeypatch):
    """Own cache dir, no mirror or model dir from the outside, no proxy for localhost, no waiting between retries."""
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LUCID_MODELZOO_URL", raising=False)
    monkeypatch.delenv("LUCID_MODEL_DIR", raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(reading, "RETRY_DELAY", 0)
    return tmp_path / "cache"


def graph_def_bytes(value=1.0):
    with tf.Graph().as_default() as graph:
        tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 3], name="input")
        tf.constant([value, 2.0], name="c")
    return graph.as_graph_def().SerializeToString()


PB = graph_def_bytes()


# Server behaviours: each takes the request handler.
def ok(body, chunks=1, pause=0.0):
    def respond(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        size = -(-len(body) // chunks)
        for start in range(0, len(body), size):
            handler.wfile.write(body[start : start + size])
            handler.wfile.flush()
            time.sleep(pause)

    return respond


def status(code):
    return lambda handler: handler.send_error(code)


def truncated(body, missing=100):
    def respond(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body) + missing))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def silent(seconds):
    """Accept the request and send nothing for `seconds`: a server that hangs."""
    return lambda handler: time.sleep(seconds)


@pytest.fixture
def scripted_server():
    """HTTP server on 127.0.0.1 that follows a script (conftest's `server` only serves files): `routes[path]` is a
    list of behaviours used in turn (the last one repeats)."""
    routes, requests = {}, []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            steps = routes.get(self.path)
            if not steps:
                self.send_error(404)
                return
            (steps.pop(0) if len(steps) > 1 else steps[0])(self)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield SimpleNamespace(url="http://127.0.0.1:%d" % httpd.server_port, routes=routes, requests=requests)
    httpd.shutdown()
    httpd.server_close()


def cache_entries(cache_dir):
    return sorted(name for name in os.listdir(cache_dir) if not name.endswith((".lockfile", ".sha256")))


# --- success, cache, retries ------------------------------------------------------------------------------------


def test_download_then_cache_hit_without_request(scripted_server, download_env):
    scripted_server.routes["/m.pb"] = [ok(PB)]
    graph_def = load(scripted_server.url + "/m.pb")
    assert [node.name for node in graph_def.node] == ["input", "c"]
    assert scripted_server.requests == ["/m.pb"]
    assert cache_entries(download_env) == [os.path.basename(reading.local_cache_path(scripted_server.url + "/m.pb"))]
    assert model_util.load_graphdef(scripted_server.url + "/m.pb").node[1].name == "c"
    assert scripted_server.requests == ["/m.pb"]


def test_server_errors_are_retried_with_exponential_back_off(scripted_server, monkeypatch):
    scripted_server.routes["/m.pb"] = [status(500), status(503), ok(PB)]
    sleeps = []
    monkeypatch.setattr(reading, "RETRY_DELAY", 0.5)
    monkeypatch.setattr(reading, "time", SimpleNamespace(sleep=sleeps.append))
    assert load(scripted_server.url + "/m.pb").node[0].name == "input"
    assert scripted_server.requests == ["/m.pb"] * 3 and sleeps == [0.5, 1.0]


def test_persistent_server_error_gives_up_with_instructions(scripted_server, download_env):
    scripted_server.routes["/m.pb"] = [status(500)]
    with pytest.raises(ConnectionError) as raised:
        load(scripted_server.url + "/m.pb")
    message = str(raised.value)
    assert scripted_server.url + "/m.pb" in message and "HTTP Error 500" in message and "%d attempts" % 4 in message
    assert "curl -o m.pb " + scripted_server.url + "/m.pb" in message
    assert (
        "LUCID_MODEL_DIR" in message
        and os.path.join("<dir>", "127.0.0.1:%s" % scripted_server.url.split(":")[-1], "m.pb") in message
    )
    assert len(scripted_server.requests) == reading.DOWNLOAD_ATTEMPTS == 4
    assert cache_entries(download_env) == []


def test_404_is_not_retried(scripted_server):
    with pytest.raises(FileNotFoundError, match=r"/missing\.pb was not found \(HTTP 404"):
        load(scripted_server.url + "/missing.pb")
    assert scripted_server.requests == ["/missing.pb"]


def test_truncated_body_is_retried_and_never_cached(scripted_server, download_env):
    scripted_server.routes["/m.pb"] = [truncated(PB), ok(PB)]
    assert load(scripted_server.url + "/m.pb").node[1].name == "c"
    assert len(scripted_server.requests) == 2
    scripted_server.routes["/t.pb"] = [truncated(PB)]
    with pytest.raises(ConnectionError, match="stopped after %d of %d bytes" % (len(PB), len(PB) + 100)):
        load(scripted_server.url + "/t.pb")
    assert cache_entries(download_env) == [os.path.basename(reading.local_cache_path(scripted_server.url + "/m.pb"))]


def test_garbage_graph_def_is_deleted_and_reported_corrupt(scripted_server, download_env):
    scripted_server.routes["/m.pb"] = [ok(b"<html><body>Service Unavailable</body></html>")]
    with pytest.raises(ValueError, match="corrupt.*not a valid GraphDef"):
        model_util.load_graphdef(scripted_server.url + "/m.pb")
    assert scripted_server.requests == ["/m.pb", "/m.pb"]  # purged and downloaded once more
    assert cache_entries(download_env) == []
    scripted_server.routes["/m.pb"] = [ok(PB)]
    assert model_util.load_graphdef(scripted_server.url + "/m.pb").node[1].name == "c"


def test_timeout(scripted_server, monkeypatch, download_env):
    """A hanging server is given up on after DOWNLOAD_ATTEMPTS tries, each opened with the configured timeout
    (checked on the urlopen calls, not on a wall clock that a loaded machine could stretch)."""
    scripted_server.routes["/slow.pb"] = [silent(3.0)]
    monkeypatch.setattr(reading, "DOWNLOAD_TIMEOUT", 0.2)
    monkeypatch.setattr(reading, "DOWNLOAD_ATTEMPTS", 2)
    real_urlopen = reading.OPENER.open
    with mock.patch.object(reading.OPENER, "open", side_effect=real_urlopen) as urlopen:
        with pytest.raises(ConnectionError, match="2 attempts.*timed out|timed out.*2 attempts"):
            load(scripted_server.url + "/slow.pb")
    assert [call.kwargs.get("timeout") for call in urlopen.call_args_list] == [0.2, 0.2]
    assert len(scripted_server.requests) == 2
    assert cache_entries(download_env) == []


def test_offline_error_names_the_file_and_where_to_put_it(monkeypatch, tmp_path):
    # Nothing listens on the port of a server that was just closed: "connection refused", like an offline machine.
    closed = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = closed.server_port
    closed.server_close()
    monkeypatch.setenv("LUCID_MODELZOO_URL", "http://127.0.0.1:%d" % port)
    monkeypatch.setenv("LUCID_MODEL_DIR", str(tmp_path / "models"))
    with pytest.warns(UserWarning, match="http:// mirror"), pytest.raises(ConnectionError) as raised:
        load("gs://modelzoo/vision/other_models/Tiny.pb")
    message = str(raised.value)
    assert "gs://modelzoo/vision/other_models/Tiny.pb" in message and "(1 attempt;" in message
    assert "refused" in message.lower()
    assert "curl -o Tiny.pb http://127.0.0.1:%d/modelzoo/vision/other_models/Tiny.pb" % port in message
    assert str(tmp_path / "models" / "modelzoo" / "vision" / "other_models" / "Tiny.pb") in message


# --- mirror and offline directory --------------------------------------------------------------------------------


def test_mirror_download_is_cached_under_the_mirror_url(scripted_server, monkeypatch, download_env):
    scripted_server.routes["/mirror/modelzoo/vision/Tiny.pb"] = [ok(PB)]
    monkeypatch.setenv("LUCID_MODELZOO_URL", scripted_server.url + "/mirror/")
    with pytest.warns(UserWarning, match="http:// mirror: anyone on the way can change the models"):
        assert reading.remote_http_url("gs://modelzoo/vision/Tiny.pb") == (
            scripted_server.url + "/mirror/modelzoo/vision/Tiny.pb"
        )
        assert load("gs://modelzoo/vision/Tiny.pb").node[0].name == "input"
        mirror_entry = reading.local_cache_path("gs://modelzoo/vision/Tiny.pb")
    assert scripted_server.requests == ["/mirror/modelzoo/vision/Tiny.pb"]
    assert cache_entries(download_env) == [os.path.basename(mirror_entry)]
    monkeypatch.delenv("LUCID_MODELZOO_URL")
    assert reading.remote_http_url("gs://modelzoo/vision/Tiny.pb") == (
        "https://storage.googleapis.com/modelzoo/vision/Tiny.pb"
    )
    # Without the mirror the gs:// file is another entry: the mirror's copy is not served for it.
    assert reading.local_cache_path("gs://modelzoo/vision/Tiny.pb") != mirror_entry


def test_file_mirror_does_not_warn(tmp_path, monkeypatch, download_env):
    (tmp_path / "mirror" / "modelzoo").mkdir(parents=True)
    (tmp_path / "mirror" / "modelzoo" / "a.txt").write_text("mirrored")
    monkeypatch.setenv("LUCID_MODELZOO_URL", (tmp_path / "mirror").as_uri())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load("gs://modelzoo/a.txt") == "mirrored"


def test_model_dir_is_used_without_network(tmp_path, monkeypatch, download_env):
    models = tmp_path / "models"
    (models / "other_models").mkdir(parents=True)
    (models / "x").mkdir(parents=True)
    (models / "other_models" / "Tiny.pb").write_bytes(graph_def_bytes(7.0))
    (models / "x" / "labels.txt").write_text("a\nb\n")
    monkeypatch.setenv("LUCID_MODEL_DIR", str(models))
    with mock.patch.object(reading.OPENER, "open", side_effect=AssertionError("no network")):
        nested = model_util.load_graphdef("gs://modelzoo/vision/other_models/Tiny.pb")
        assert load("https://example.com/x/labels.txt", split=True) == ["a", "b"]
    assert tf.make_ndarray(nested.node[1].attr["value"].tensor)[0] == 7.0
    assert not download_env.exists() or cache_entries(download_env) == []


def test_model_dir_keeps_zoo_paths_distinct(tmp_path, monkeypatch):
    models = tmp_path / "models"
    for folder in ("caffe_models", "slim_models"):
        (models / folder).mkdir(parents=True)
        (models / folder / "InceptionV1.pb").write_bytes(folder.encode())
    (models / "InceptionV1.pb").write_bytes(b"bare name")
    monkeypatch.setenv("LUCID_MODEL_DIR", str(models))
    found = {
        folder: reading.local_model_file("gs://modelzoo/vision/%s/InceptionV1.pb" % folder)
        for folder in ("caffe_models", "slim_models", "other_models")
    }
    assert found == {
        "caffe_models": str(models / "caffe_models" / "InceptionV1.pb"),
        "slim_models": str(models / "slim_models" / "InceptionV1.pb"),
        "other_models": None,  # never the bare InceptionV1.pb: that could be any of the three networks
    }


def test_model_dir_lookup_never_leaves_the_directory(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    monkeypatch.setenv("LUCID_MODEL_DIR", str(tmp_path / "models"))
    assert reading.local_model_file("https://example.com/../secret.txt") is None
    assert reading.local_model_file("https://example.com/a/../../secret.txt") is None
    (tmp_path / "models" / "example.com").mkdir()
    (tmp_path / "models" / "example.com" / "secret.txt").write_text("inside")
    assert reading.local_model_file("https://example.com/../secret.txt") == str(
        tmp_path / "models" / "example.com" / "secret.txt"
    )


def test_corrupt_file_in_model_dir_is_reported_and_kept(tmp_path, monkeypatch):
    models = tmp_path / "models"
    (models / "vision").mkdir(parents=True)
    (models / "vision" / "Tiny.pb").write_bytes(b"\xff\xff\xff not a graph")
    monkeypatch.setenv("LUCID_MODEL_DIR", str(models))
    with mock.patch.object(reading.OPENER, "open", side_effect=AssertionError("no network")):
        with pytest.raises(ValueError, match="not a valid GraphDef"):
            model_util.load_graphdef("gs://modelzoo/vision/Tiny.pb")
    assert (models / "vision" / "Tiny.pb").exists()


def test_zoo_model_loads_from_model_dir(tmp_path, monkeypatch):
    models = tmp_path / "models"
    (models / "modelzoo" / "vision").mkdir(parents=True)
    (models / "modelzoo" / "vision" / "Tiny.pb").write_bytes(PB)
    monkeypatch.setenv("LUCID_MODEL_DIR", str(models))

    class Tiny(Model):
        model_path = "gs://modelzoo/vision/Tiny.pb"
        input_name = "input"
        image_shape = [4, 4, 3]

    with mock.patch.object(reading.OPENER, "open", side_effect=AssertionError("no network")):
        assert [node.name for node in Tiny().graph_def.node] == ["input", "c"]


# --- progress and concurrency -------------------------------------------------------------------------------------


def test_progress_bar_for_big_files(scripted_server, monkeypatch, capsys):
    body = PB * 50
    scripted_server.routes["/big.pb"] = [ok(body, chunks=4)]
    monkeypatch.setattr(reading, "_READ_BUFFER_SIZE", len(body) // 4 + 1)
    monkeypatch.setattr(reading, "PROGRESS_MIN_BYTES", len(body))
    reading.read(scripted_server.url + "/big.pb")
    err = capsys.readouterr().err
    assert "Downloading big.pb" in err and err.rstrip().endswith("100%% of %.1f MB" % (len(body) / 2**20))
    scripted_server.routes["/small.pb"] = [ok(PB)]
    reading.read(scripted_server.url + "/small.pb")
    assert capsys.readouterr().err == ""


def _read_into(url, out_path):
    with open(out_path, "wb") as handle:
        handle.write(reading.read(url))


def test_two_processes_download_one_file_once(scripted_server, tmp_path, download_env):
    body = os.urandom(200_000)
    scripted_server.routes["/shared.pb"] = [ok(body, chunks=10, pause=0.05)]
    url = scripted_server.url + "/shared.pb"
    context = multiprocessing.get_context("fork")  # the children inherit the imports: no second TF start-up
    processes = [context.Process(target=_read_into, args=(url, str(tmp_path / ("out%d" % i)))) for i in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    assert [process.exitcode for process in processes] == [0, 0]
    assert (tmp_path / "out0").read_bytes() == body and (tmp_path / "out1").read_bytes() == body
    assert scripted_server.requests == ["/shared.pb"]  # the second process waited for the lock, then used the cache
    assert open(reading.local_cache_path(url), "rb").read() == body
    assert cache_entries(download_env) == [os.path.basename(reading.local_cache_path(url))]
