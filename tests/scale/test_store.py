"""lucid.scale.store: keys, entries, the index and its damage, and the HTML index's escaping (no cluster)."""

import json
import os

import pytest

import lucid

pytest.importorskip("distributed")

from tiny_models import TinyConvNet, save_tiny_pb  # noqa: E402

from lucid.scale import store as store_module  # noqa: E402
from lucid.scale.store import Store, index_written_last, model_hash, unit_key  # noqa: E402
from lucid.scale.sweep_index import write_index_html  # noqa: E402


def test_keys_change_with_model_content_unit_and_every_setting():
    settings = dict(steps=8, size=32, seed=0, batch_size=4, precision="float32")
    key = unit_key("sweep", "m" * 64, "conv1:0", settings)
    assert unit_key("sweep", "m" * 64, "conv1:0", dict(settings)) == key
    others = [unit_key("sweep", "n" * 64, "conv1:0", settings), unit_key("views", "m" * 64, "conv1:0", settings)]
    others.append(unit_key("sweep", "m" * 64, "conv1:1", settings))
    others += [unit_key("sweep", "m" * 64, "conv1:0", dict(settings, **{name: 5})) for name in settings]
    others.append(unit_key("sweep", "m" * 64, "conv1:0", dict(settings, precision="bfloat16")))
    assert len(set(others)) == len(others) and key not in others
    assert model_hash(TinyConvNet(seed=0)) == model_hash(TinyConvNet(seed=0)) != model_hash(TinyConvNet(seed=1))


K1, K2, K3 = "1" * 64, "2" * 64, "3" * 64


@pytest.mark.parametrize("url", ["local", "memory://lucid-store-test"])
def test_entries_are_done_once_written_and_the_index_is_rebuilt_from_them(tmp_path, url):
    store = Store(str(tmp_path / "store") if url == "local" else url)
    record = store.put({"key": K1, "unit": "a:0", "status": "done"}, {"image.png": b"png bytes"})
    assert record["files"] == {"image.png": "units/%s/image.png" % K1}
    assert store.read("units/%s/image.png" % K1) == b"png bytes"
    assert store.done_keys() == {K1} and store.entries() == {K1: record}
    # A failed unit has an entry too (so the index can be rebuilt), but is not done.
    failed = store.put({"key": K2, "unit": "a:1", "status": "failed", "error": "ValueError: x"}, {})
    assert store.done_keys() == {K1}
    assert store.write_index() == {K1: record, K2: failed}
    assert json.loads(store.read("index.json"))["records"] == [record, failed]
    if url != "local":
        store.fs.rm(store.root, recursive=True)


def test_an_entry_that_cannot_be_read_or_lacks_its_files_is_removed_and_made_again(tmp_path, caplog):
    """Issue 23 row 7: an entry.json emptied by a crash counted as done forever."""
    store = Store(str(tmp_path))
    for key in (K1, K2, K3):
        store.put({"key": key, "unit": "a:0", "status": "done"}, {"image.png": b"png bytes"})
    (tmp_path / "units" / K1 / "entry.json").write_text("")  # emptied by a crash
    (tmp_path / "units" / K2 / "image.png").unlink()  # its image lost
    (tmp_path / "units" / K3 / "image.png.tmp-0123456789ab").write_bytes(b"half")  # a write cut short
    assert store.done_keys() == {K3}
    assert os.listdir(tmp_path / "units") == [K3]
    assert sorted(os.listdir(tmp_path / "units" / K3)) == ["entry.json", "image.png"]
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 2 and K1 in warned[0] + warned[1] and K2 in warned[0] + warned[1]


def test_a_damaged_or_missing_index_is_rebuilt_from_the_entries(tmp_path):
    """Issue 23 row 6: a damaged index stopped every run, and deleting it did not help."""
    store = Store(str(tmp_path))
    record = store.put({"key": K1, "unit": "a:0", "status": "done"}, {})
    store.write("index.json", '{"records": [{"unit": "a:0"')  # cut short
    with index_written_last(store) as index:
        pass
    assert index == {K1: record} and json.loads(store.read("index.json"))["records"] == [record]
    with pytest.raises(KeyError, match="the run's own error"):  # the run's error is never hidden
        with index_written_last(store):
            raise KeyError("the run's own error")


def test_keys_hold_the_store_format_not_lucids_version(monkeypatch, tmp_path, caplog):
    settings = dict(steps=8, size=32, seed=0, batch_size=4, precision="float32")
    key = unit_key("sweep", "m" * 64, "conv1:0", settings)
    monkeypatch.setattr(lucid, "__version__", "99.0")
    assert unit_key("sweep", "m" * 64, "conv1:0", settings) == key  # a release keeps every store
    monkeypatch.setattr(store_module, "STORE_FORMAT", store_module.STORE_FORMAT + 1)
    assert unit_key("sweep", "m" * 64, "conv1:0", settings) != key
    # An entry of an older format is not done: it is removed, with one line for all of them, and made again.
    store = Store(str(tmp_path))
    for k in (K1, K2):
        store.write("units/%s/entry.json" % k, json.dumps({"key": k, "status": "done", "files": {}}))
    store.put({"key": K3, "unit": "a:0", "status": "done"}, {})
    assert store.done_keys() == {K3} and os.listdir(tmp_path / "units") == [K3]
    (line,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "2 entries" in line and "older store format" in line and "\n" not in line
    monkeypatch.setattr(store_module, "STORE_FORMAT", store_module.STORE_FORMAT - 1)
    with pytest.raises(ValueError, match="newer format"):
        store.done_keys()


def test_store_links_are_built_from_the_entrys_key(tmp_path):
    """Issue 23 row 11: the sweep index linked to whatever `png` string an entry held (javascript:...)."""
    store = Store(str(tmp_path))
    evil = "javascript:alert(1)"
    record = dict(
        kind="sweep",
        key=K1,
        model="m",
        layer="a",
        unit="a:0",
        channel=0,
        status="done",
        png=evil,
        value=1.0,
        steps=1,
        size=1,
        seed=0,
        precision="float32",
        error=None,
        files={"image.png": evil},
    )
    write_index_html(store, {K1: record})
    page = store.read("index.html").decode()
    assert "javascript" not in page and page.count("units/%s/image.png" % K1) == 2
    # Such an entry in the store is not even read: its files are not where its key says.
    store.write("units/%s/entry.json" % K1, json.dumps(dict(record, store_format=store_module.STORE_FORMAT)))
    store.write("units/%s/image.png" % K1, b"png")
    assert store.entries() == {}


def test_index_html_escapes_every_string(tmp_path):
    store = Store(str(tmp_path))
    evil = "<script>alert(1)</script>"
    record = dict(
        kind="sweep",
        key=K1,
        model=evil,
        layer=evil,
        unit=evil + ":0",
        channel=0,
        status="done",
        png="units/x/" + evil + ".png",
        value=1.0,
        steps=evil,
        size=1,
        seed=0,
        precision=evil,
        error=None,
    )
    failed = dict(record, status="failed", error=evil, channel=1)
    write_index_html(store, {"a": record, "b": failed})
    page = store.read("index.html").decode()
    assert "<script" not in page and page.count("&lt;script&gt;") >= 6
    assert json.dumps(evil) not in page


def test_model_hash_changes_with_how_images_are_fed():
    """Issue 24: the same graph fed [-1, 1] or BGR images renders other images, so it must not share keys."""
    base = TinyConvNet()
    changed = []
    for name, value in [("image_value_range", (-1, 1)), ("is_BGR", True), ("image_shape", [16, 16, 3])]:
        model = TinyConvNet()
        setattr(model, name, value)
        changed.append(model_hash(model))
    model = TinyConvNet()
    model.input_name = "other_input"
    changed.append(model_hash(model))
    assert len(set(changed)) == len(changed) and model_hash(base) not in changed


def test_a_saved_model_keeps_its_value_range_in_its_hash(tmp_path):
    """The sweep hashes the model its workers load: a .pb saved with another value range is another model."""

    from lucid.modelzoo.vision_base import Model

    hashes = []
    for name, value_range in [("a", (0, 1)), ("b", (-1, 1)), ("c", (0, 255))]:
        path = save_tiny_pb(str(tmp_path / (name + ".pb")), value_range=value_range)
        hashes.append(model_hash(Model.load(path)))
    assert len(set(hashes)) == 3


def _sweep_record(key, layer, channel):
    unit = "%s:%d" % (layer, channel)
    return dict(
        kind="sweep",
        key=key,
        model="tiny",
        layer=layer,
        unit=unit,
        channel=channel,
        status="done",
        value=1.0,
        steps=8,
        size=32,
        seed=0,
        precision="float32",
        error=None,
    )


def test_index_html_links_each_thumbnail_to_its_own_units_image(tmp_path):
    """Every thumbnail links to (and shows) the image stored under its own unit's key, in channel order."""
    import re

    store = Store(str(tmp_path))
    keys = {("conv1", c): "%064x" % (10 - c) for c in (2, 0, 1)}  # key order is not channel order
    keys[("conv2", 0)] = "%064x" % 99
    records = {key: _sweep_record(key, layer, c) for (layer, c), key in keys.items()}
    write_index_html(store, records)
    page = store.read("index.html").decode()
    sections = page.split("<section>")[1:]
    assert [re.search(r"<h2>tiny / (\w+)</h2>", s).group(1) for s in sections] == ["conv1", "conv2"]
    for section, layer, channels in zip(sections, ["conv1", "conv2"], [[0, 1, 2], [0]]):
        figures = re.findall(r"<a href='([^']*)'><img src='([^']*)' alt='([^']*)'.*?<figcaption>(\d+)<", section)
        assert [int(caption) for *_, caption in figures] == channels
        for href, src, alt, caption in figures:
            assert href == src == "units/%s/image.png" % keys[(layer, int(caption))]
            assert alt == "%s:%s" % (layer, caption)
