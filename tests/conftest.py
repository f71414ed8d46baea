"""Shared fixtures: a fresh graph and session, a private download cache, a local HTTP server, OpenGL, a dask
cluster (tests/scale); quiet TF logs."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import http.server
import signal
import threading
from types import SimpleNamespace

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import Phase, settings
from tiny_models import TinyConvNet

from lucid.misc.gl import glcontext

# benchmarks/mutations.py runs pytest with --hypothesis-profile=mutations: the first failing example found is
# enough there, so it is not shrunk (shrinking took minutes per mutant on a loaded machine).
settings.register_profile("mutations", phases=[Phase.explicit, Phase.reuse, Phase.generate])


@pytest.fixture
def sess():
    """A new tf.Graph made default with a tf.compat.v1.Session on it (eager stays on outside)."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as session:
        yield session


@pytest.fixture(scope="module")
def model():
    """The tiny two-conv-layer network of tests/tiny_models.py, one per test module."""
    return TinyConvNet()


@pytest.fixture(autouse=True)
def _numpy_seed():
    np.random.seed(0)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private download cache for the test (LUCID_CACHE_DIR); localhost is never proxied."""
    path = tmp_path / "cache"
    monkeypatch.setenv("LUCID_CACHE_DIR", str(path))
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return path


@pytest.fixture
def server(tmp_path):
    """A static file server on 127.0.0.1 over tmp_path/www that records the paths it is asked for."""
    root = tmp_path / "www"
    root.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(root=root, url="http://127.0.0.1:%d" % httpd.server_port, requests=requests)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def opengl():
    """Skip the test when no headless OpenGL context can be created, unless CI=true: then fail."""
    try:
        glcontext.create_opengl_context()
    except RuntimeError as error:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no headless OpenGL (.ci/run installs Mesa's EGL): %s" % error)
        pytest.skip("no headless OpenGL here (%s); under CI=true this fails instead" % error)


@pytest.fixture(params=["gl", "numpy"])
def backend(request):
    """Each lucid.misc.gl MeshRenderer backend in turn: "gl" (skipped without OpenGL outside CI) and "numpy"."""
    if request.param == "gl":
        request.getfixturevalue("opengl")
    return request.param


@pytest.fixture(scope="module")
def client():
    """A dask LocalCluster of two single-threaded worker processes, one per test module (tests/scale)."""
    distributed = pytest.importorskip("distributed")
    env = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0", env=env
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture
def two_workers(client):
    """The module's client, once both workers are up. One may be restarting after a kill, which takes long on a
    loaded machine: wait up to 3 minutes, then restart both workers and wait again."""
    try:
        client.wait_for_workers(2, timeout=180)
    except TimeoutError:
        client.restart(timeout=180, wait_for_workers=False)
        client.wait_for_workers(2, timeout=180)
    return client


@pytest.fixture
def kill_a_busy_worker(two_workers):
    """A progress callback for a run on `two_workers`: after the first finished unit it SIGKILLs one busy worker,
    once; `.killed` lists the pids it killed."""
    killed = []

    def progress(done, failed, total):
        busy = [address for address, keys in two_workers.processing().items() if keys]
        if done and not killed and busy:
            pid = two_workers.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    progress.killed = killed
    return progress
