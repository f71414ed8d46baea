"""lucid.scale: render_units on a LocalCluster of 2 worker processes (127.0.0.1), its store, index.html and CLI.

The model is a tiny synthetic graph saved with Model.save to a .pb, which the workers load by path. Its layer
`no_grad` (conv1 behind a stop_gradient) cannot be optimized: rendering it fails, as a broken unit would.
"""

import json
import os
import re
import subprocess

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf

distributed = pytest.importorskip("distributed")

from chromium import chromium_or_skip  # noqa: E402
from tiny_models import TinyConvNet, layer_values, tiny_conv_graph_def  # noqa: E402

from lucid.modelzoo.vision_base import Model  # noqa: E402
from lucid.scale import cli, render_units, tasks  # noqa: E402
from lucid.scale.store import Store  # noqa: E402

SIZE = 32
STEPS = 48  # enough for each image to excite its channel clearly (the rendered fixture)
FAST = 8  # steps for the tests about bookkeeping


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("model") / "tiny.pb")
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph):
        tf.import_graph_def(tiny_conv_graph_def(), name="")
        tf.stop_gradient(graph.get_tensor_by_name("conv1:0"), name="no_grad")
        Model.save(path, "input", ["softmax", "no_grad"], [SIZE, SIZE, 3], (0, 1))
    return path


@pytest.fixture(scope="module")
def rendered(client, model_path, tmp_path_factory):
    """A sweep of all of conv1 and two channels of conv2, in batches of 4: `(out_dir, records)`."""
    client.wait_for_workers(2, timeout=180)  # a new cluster on a loaded machine can take minutes
    out_dir = str(tmp_path_factory.mktemp("rendered"))
    records = render_units(
        model_path, ["conv1", "conv2:3", "conv2:5"], out_dir, client=client, steps=STEPS, size=SIZE, batch_size=4
    )
    return out_dir, records


def index_records(out_dir):
    with open(os.path.join(out_dir, "index.json")) as handle:
        return json.load(handle)["records"]


def read_png(out_dir, record):
    return np.asarray(PIL.Image.open(os.path.join(out_dir, record["png"])), np.float32) / 255


def png_files(out_dir):
    return sorted(
        os.path.relpath(os.path.join(root, name), out_dir).replace(os.sep, "/")
        for root, _, names in os.walk(out_dir)
        for name in names
        if name.endswith(".png")
    )


def entry_count(out_dir):
    return sum("entry.json" in names for _, _, names in os.walk(out_dir))


def test_sweep_writes_every_png_and_index_record(rendered, model_path, client):
    out_dir, records = rendered
    units = ["conv1:%d" % c for c in range(8)] + ["conv2:3", "conv2:5"]
    assert [record["unit"] for record in records] == units
    assert sorted(index_records(out_dir), key=records.index) == records  # one record per unit
    assert png_files(out_dir) == sorted(record["png"] for record in records) and entry_count(out_dir) == 10
    for record in records:
        assert record["status"] == "done" and record["error"] is None and record["attempts"] == 1
        assert (record["model"], record["steps"], record["size"], record["seed"]) == ("tiny", STEPS, SIZE, 0)
        assert (record["batch_size"], record["precision"]) == (4, "float32") and len(record["model_sha256"]) == 64
        assert record["seconds"] > 0 and np.isfinite(record["value"])
    # Each PNG excites its channel well above a gray image (where the optimization starts from) and, on
    # average, above what the other channels' PNGs do: the files hold the right, optimized images.
    model = Model.load(model_path)
    conv1 = [record for record in records if record["layer"] == "conv1"]
    pngs = np.stack([read_png(out_dir, record) for record in conv1])
    assert pngs.shape == (8, SIZE, SIZE, 3)
    means = layer_values(model, "conv1", pngs).mean(axis=(1, 2))  # [image, channel]
    gray = layer_values(model, "conv1", np.full((1, SIZE, SIZE, 3), 0.5)).mean(axis=(0, 1, 2))
    others = (means.sum(axis=0) - np.diag(means)) / 7
    assert np.all(np.diag(means) > 1.2 * gray)
    assert np.mean(np.diag(means) / others) > 1.3
    # The workers loaded the model once per process and reused it for their later batches.
    caches = client.run(lambda: tasks.load_model.cache_info())
    assert all(info.misses == info.currsize for info in caches.values())
    assert sum(info.hits for info in caches.values()) >= 1


def test_index_html_shows_one_image_per_rendered_unit_in_chromium(rendered):
    chromium = chromium_or_skip()
    out_dir, records = rendered
    page = os.path.join(out_dir, "index.html")
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    sources = re.findall(r"<img [^>]*src=\"([^\"]+)\"", dom)
    assert len(sources) == len(records) == 10
    assert sorted(sources) == sorted(record["png"] for record in records)
    assert all(os.path.isfile(os.path.join(out_dir, source)) for source in sources)
    assert re.findall(r"<h2>([^<]+)</h2>", dom) == ["tiny / conv1", "tiny / conv2"]
    links = re.findall(r"<a href=\"([^\"]+)\"><img", dom)
    assert links == sources  # each thumbnail opens its full-size PNG


def test_rerun_skips_done_units_and_same_seed_repeats_a_batch(two_workers, model_path, tmp_path):
    first = render_units(
        model_path,
        ["conv1:0", "conv1:1", "conv1:2"],
        str(tmp_path / "a"),
        client=two_workers.scheduler.address,
        steps=FAST,
        size=SIZE,
    )
    mtimes = {name: os.stat(tmp_path / "a" / name).st_mtime_ns for name in png_files(str(tmp_path / "a"))}
    again = render_units(
        model_path,
        ["conv1:2", "conv1:0", "conv1:1", "conv1:3"],
        str(tmp_path / "a"),
        client=two_workers,
        steps=FAST,
        size=SIZE,
    )
    lines = index_records(str(tmp_path / "a"))
    assert sorted(record["unit"] for record in lines) == ["conv1:0", "conv1:1", "conv1:2", "conv1:3"]
    assert again[:3] == [first[2], first[0], first[1]] and again[3]["status"] == "done"
    assert {name: os.stat(tmp_path / "a" / name).st_mtime_ns for name in mtimes} == mtimes
    # The same batch with the same seed, in another out_dir, gives the same images and values.
    repeat = render_units(
        model_path, ["conv1:0", "conv1:1", "conv1:2"], str(tmp_path / "b"), client=two_workers, steps=FAST, size=SIZE
    )
    assert [record["value"] for record in repeat] == [record["value"] for record in first]
    for record in first:
        assert np.array_equal(read_png(str(tmp_path / "b"), record), read_png(str(tmp_path / "a"), record))


def test_failing_task_is_retried_then_recorded_while_others_finish(two_workers, model_path, tmp_path):
    out_dir = str(tmp_path)
    records = render_units(
        model_path,
        ["no_grad:0", "conv1:0", "conv1:1"],
        out_dir,
        client=two_workers,
        steps=FAST,
        size=SIZE,
        batch_size=2,
    )
    by_unit = {record["unit"]: record for record in records}
    failed = by_unit["no_grad:0"]
    assert failed["status"] == "failed" and failed["attempts"] == 2 and failed["png"] is None
    assert failed["error"].startswith("ValueError: ")  # the objective does not depend on the image
    assert [by_unit[unit]["status"] for unit in ("conv1:0", "conv1:1")] == ["done", "done"]
    assert png_files(out_dir) == sorted(by_unit[unit]["png"] for unit in ("conv1:0", "conv1:1"))
    page = open(os.path.join(out_dir, "index.html")).read()
    assert page.count("<img ") == 2 and "no_grad:0" in page
    # A rerun tries the failed unit again (and only it).
    mtime = os.stat(os.path.join(out_dir, by_unit["conv1:0"]["png"])).st_mtime_ns
    again = render_units(
        model_path, ["no_grad:0", "conv1:0"], out_dir, client=two_workers, steps=FAST, size=SIZE, batch_size=2
    )
    assert again[0]["status"] == "failed" and again[1] == by_unit["conv1:0"]
    assert os.stat(os.path.join(out_dir, by_unit["conv1:0"]["png"])).st_mtime_ns == mtime


def test_killing_a_worker_mid_run_loses_and_duplicates_no_unit(two_workers, kill_a_busy_worker, model_path, tmp_path):
    out_dir = str(tmp_path)
    units = ["conv1:%d" % c for c in range(6)]
    records = render_units(
        model_path, units, out_dir, client=two_workers, steps=FAST, size=SIZE, batch_size=1, progress=kill_a_busy_worker
    )
    assert kill_a_busy_worker.killed, "no worker was busy when the first unit finished"
    lines = index_records(out_dir)
    assert sorted(record["unit"] for record in lines) == sorted(units)
    assert all(record["status"] == "done" and record["attempts"] == 1 for record in lines)
    assert [record["unit"] for record in records] == units
    assert png_files(out_dir) == sorted(record["png"] for record in records) and entry_count(out_dir) == 6


def test_units_stored_by_a_killed_run_join_the_index_of_the_next(two_workers, model_path, tmp_path):
    """Issue 23 row 6: after a run killed once a unit was stored (no index yet), every later run failed ('png')."""
    first = render_units(model_path, ["conv1:0"], str(tmp_path), client=two_workers, steps=FAST, size=SIZE)
    for name in ("index.json", "index.html"):  # as a run killed before its index leaves the store
        os.remove(tmp_path / name)
    records = render_units(model_path, ["conv1:0", "conv1:1"], str(tmp_path), client=two_workers, steps=FAST, size=SIZE)
    assert records[0] == first[0] and records[1]["status"] == "done"
    assert sorted(index_records(str(tmp_path)), key=records.index) == records
    assert open(tmp_path / "index.html").read().count("<img ") == 2


def test_cli_renders_layers_with_a_progress_bar(two_workers, model_path, tmp_path, capsys):
    code = cli.main(
        [
            model_path,
            "conv2",
            "-o",
            str(tmp_path),
            "--scheduler",
            two_workers.scheduler.address,
            "--steps",
            "4",
            "--size",
            str(SIZE),
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "16/16 units" in err and "0 failed" in err
    assert len(png_files(str(tmp_path))) == 16
    code = cli.main(
        [
            model_path,
            "no_grad:0",
            "-o",
            str(tmp_path),
            "--scheduler",
            two_workers.scheduler.address,
            "--steps",
            "4",
            "--size",
            str(SIZE),
        ]
    )
    assert code == 1 and "no_grad:0" in capsys.readouterr().err


def test_cli_rejects_workers_with_a_scheduler(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["EfficientNetLite0", "block5", "-o", "out", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"])
    assert exit_info.value.code == 2 and "--workers" in capsys.readouterr().err


def test_default_client_starts_a_local_cluster(model_path, tmp_path):
    records = render_units(model_path, ["conv1:0", "conv1:1"], str(tmp_path), steps=4, size=SIZE, n_workers=1)
    assert [record["status"] for record in records] == ["done", "done"]
    assert len(png_files(str(tmp_path))) == 2


# Input checks, before any cluster is involved.


@pytest.mark.parametrize(
    "units, error, words",
    [
        ([], ValueError, "empty"),
        (["conv1:x"], ValueError, "'layer:channel'"),
        (["conv1:8"], ValueError, "0 to 7"),
        (["nope"], KeyError, "No tensor 'nope'"),
        ([3], TypeError, "string"),
    ],
)
def test_bad_units_raise_clear_errors(model_path, tmp_path, units, error, words):
    with pytest.raises(error, match=words):
        render_units(model_path, units, str(tmp_path), client="tcp://127.0.0.1:1")
    assert not os.path.exists(tmp_path / "index.json")


def test_bad_models_and_settings_raise_clear_errors(model_path, tmp_path):
    with pytest.raises(TypeError, match="Model.save"):
        render_units(TinyConvNet(), ["conv1"], str(tmp_path))
    with pytest.raises(FileNotFoundError, match="missing.pb"):
        render_units(str(tmp_path / "missing.pb"), ["conv1"], str(tmp_path))
    with pytest.raises(ValueError, match="steps"):
        render_units(model_path, ["conv1"], str(tmp_path), steps=0)
    with pytest.raises(ValueError, match="No network"):
        render_units("NoSuchNet", ["conv1"], str(tmp_path))
    with pytest.raises(TypeError, match="scheduler address"):
        render_units(model_path, ["conv1"], str(tmp_path), client=8786)
    with pytest.raises(ValueError, match="n_workers"):
        render_units(model_path, ["conv1"], str(tmp_path), client="tcp://127.0.0.1:1", n_workers=2)
    assert os.listdir(tmp_path) == []


def test_layers_that_would_share_a_folder_are_refused(model_path, tmp_path):
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph):
        tf.import_graph_def(tiny_conv_graph_def(), name="")
        tf.identity(graph.get_tensor_by_name("conv1:0"), name="block/a")
        tf.identity(graph.get_tensor_by_name("conv1:0"), name="block_a")
        path = str(tmp_path / "scoped.pb")
        Model.save(path, "input", ["softmax", "block/a", "block_a"], [SIZE, SIZE, 3], (0, 1))
    with pytest.raises(ValueError, match="share the folder 'block_a'"):
        render_units(Model.load(path), ["block/a:0", "block_a:0"], str(tmp_path / "out"))


def test_second_sweep_into_the_same_out_dir_is_refused(tmp_path):
    with Store(str(tmp_path)).lock():
        with pytest.raises(RuntimeError, match="Another run"):
            with Store(str(tmp_path)).lock():
                pass


def save_tiny(path, seed):
    """The tiny network with the weights of `seed`, saved by Model.save to `path`."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph):
        tf.import_graph_def(tiny_conv_graph_def(seed), name="")
        Model.save(path, "input", ["softmax"], [SIZE, SIZE, 3], (0, 1))
    return path


def test_another_model_or_other_settings_are_not_done(two_workers, tmp_path):
    """Issue 12: the store keyed models by file name and ignored steps/size/seed, so `b/net.pb` got `a`'s images."""
    a = save_tiny(str(tmp_path / "a" / "net.pb"), seed=0)
    b = save_tiny(str(tmp_path / "b" / "net.pb"), seed=1)
    store = str(tmp_path / "store")
    units = ["conv1:0", "conv1:1"]
    from_a = render_units(a, units, store, client=two_workers, steps=FAST, size=SIZE)
    from_b = render_units(b, units, store, client=two_workers, steps=FAST, size=SIZE)
    assert from_a[0]["model"] == from_b[0]["model"] == "net"
    assert from_a[0]["model_sha256"] != from_b[0]["model_sha256"]
    for first, second in zip(from_a, from_b):
        assert second["status"] == "done" and second["key"] != first["key"] and second["png"] != first["png"]
        assert not np.array_equal(read_png(store, first), read_png(store, second))  # b's own render
    # Other settings are other results too; the same ones are done.
    longer = render_units(a, units, store, client=two_workers, steps=FAST + 1, size=SIZE)
    assert {record["key"] for record in longer}.isdisjoint(record["key"] for record in from_a)
    assert render_units(a, units, store, client=two_workers, steps=FAST, size=SIZE) == from_a
    assert entry_count(store) == 6 and len(index_records(store)) == 6


def test_store_on_fsspec_filesystems(two_workers, model_path, tmp_path):
    """The same run into file:// and memory:// stores: entries, index and index.html, and a rerun does nothing."""
    fsspec = pytest.importorskip("fsspec")
    for url in ("file://" + str(tmp_path / "file-store"), "memory://lucid-sweep-test"):
        records = render_units(model_path, ["conv1:0", "conv1:1"], url, client=two_workers, steps=FAST, size=SIZE)
        fs, root = fsspec.core.url_to_fs(url)
        assert [record["status"] for record in records] == ["done", "done"]
        assert PIL.Image.open(fs.open(root.rstrip("/") + "/" + records[0]["png"])).size == (SIZE, SIZE)
        assert len(json.loads(fs.cat_file(root.rstrip("/") + "/index.json"))["records"]) == 2
        assert b"conv1:1" in fs.cat_file(root.rstrip("/") + "/index.html")
        before = fs.info(root.rstrip("/") + "/" + records[0]["files"]["image.png"])
        assert render_units(model_path, ["conv1:1", "conv1:0"], url, client=two_workers, steps=FAST, size=SIZE) == [
            records[1],
            records[0],
        ]
        assert fs.info(root.rstrip("/") + "/" + records[0]["files"]["image.png"]) == before
    fsspec.filesystem("memory").rm("/lucid-sweep-test", recursive=True)


def test_local_cluster_listens_on_localhost_only_and_refuses_clients_without_its_certificate():
    """Issue 23 row 5: any local user could connect to the sweep's scheduler and run code as the sweep's user."""
    from distributed.security import Security

    from lucid.scale.cluster import local_cluster

    with local_cluster(1) as cluster:
        addresses = [cluster.scheduler_address] + list(cluster.scheduler.workers)
        assert addresses and all(address.startswith("tls://127.0.0.1:") for address in addresses)
        if cluster.dashboard_link:  # with bokeh installed, the dashboard too
            assert "127.0.0.1" in cluster.dashboard_link
        port = cluster.scheduler_address.rsplit(":", 1)[1]
        # Another user: with a certificate of its own (not signed by the run's), or without TLS.
        for address, security in [(cluster.scheduler_address, Security.temporary()), ("tcp://127.0.0.1:" + port, None)]:
            with pytest.raises(OSError):
                distributed.Client(address, security=security, timeout=3)
        with distributed.Client(cluster) as client:  # the run's own client holds the certificate
            assert client.submit(sum, [1, 2]).result() == 3
