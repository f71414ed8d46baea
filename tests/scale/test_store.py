"""lucid.scale.store: keys, entries, the index and its damage, and the HTML index's escaping (no cluster)."""

import json

import pytest

pytest.importorskip("distributed")

from tiny_models import TinyConvNet  # noqa: E402

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


@pytest.mark.parametrize("url", ["local", "memory://lucid-store-test"])
def test_entries_are_done_once_written_and_the_index_merges_them(tmp_path, url):
    store = Store(str(tmp_path / "store") if url == "local" else url)
    record = store.put({"key": "k1", "unit": "a:0", "status": "done"}, {"image.png": b"png bytes"})
    assert record["files"] == {"image.png": "units/k1/image.png"} and store.read("units/k1/image.png") == b"png bytes"
    assert store.done_keys() == {"k1"} and store.entry("k1") == record and store.entry("k2") is None
    # An entry written by a run that stopped before its index joins the index the next time it is written.
    merged = store.write_index({"k2": {"key": "k2", "unit": "a:1", "status": "failed"}})
    assert set(merged) == {"k1", "k2"} and store.index() == merged
    if url != "local":
        store.fs.rm(store.root, recursive=True)


def test_a_damaged_index_is_a_clear_error_that_never_hides_the_error_being_raised(tmp_path):
    store = Store(str(tmp_path))
    store.write("index.json", '{"records": [{"unit": "a:0"')  # cut short
    with pytest.raises(ValueError, match=r"index.json of the store is damaged.*Delete it"):
        store.index()
    with pytest.raises(KeyError, match="the run's own error"):
        with index_written_last(store, {}):
            raise KeyError("the run's own error")
    with pytest.raises(ValueError, match="damaged"):  # without an error in flight, the damage is the error
        with index_written_last(store, {}):
            pass


def test_index_html_escapes_every_string(tmp_path):
    store = Store(str(tmp_path))
    evil = "<script>alert(1)</script>"
    record = dict(
        kind="sweep",
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
