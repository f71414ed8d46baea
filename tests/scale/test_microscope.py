"""lucid.scale.microscope: the site of a model's units on a LocalCluster of 2 workers, browsed in headless Chromium.

The model is the tiny network saved with Model.save; the images are generated. The slow tests build the
EfficientNet-Lite0 site from the command line (as CI does) and measure the activation pass's memory.
"""

import glob
import html.parser
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import PIL.Image
import pytest

distributed = pytest.importorskip("distributed")

from chromium import chromium_or_skip  # noqa: E402
from site_browser import browse  # noqa: E402
from tiny_models import layer_values, save_tiny_pb  # noqa: E402

from lucid.modelzoo.vision_base import Model  # noqa: E402
from lucid.scale import cli, dataset, microscope, tasks  # noqa: E402
from lucid.scale.cli import ProgressBar  # noqa: E402
from lucid.scale.store import Store  # noqa: E402

SIZE = 32
LAYERS = ["conv1", "conv2"]
SETTINGS = dict(layers=LAYERS, steps=8, size=SIZE, batch_size=2, top_k=3, dream_steps=4)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return save_tiny_pb(str(tmp_path_factory.mktemp("model") / "tiny.pb"), SIZE)


def make_images(folder, count, seed=0):
    """`count` random images of varied sizes and shapes in `folder`; their paths."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.RandomState(seed)
    paths = []
    for index in range(count):
        height, width = rng.randint(24, 80, size=2)
        path = os.path.join(folder, "img%04d.%s" % (index, "png" if index % 2 else "jpg"))
        PIL.Image.fromarray(rng.randint(0, 255, (height, width, 3), np.uint8)).save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("images"))
    make_images(folder, 40)  # two chunks of dataset.CHUNK (32)
    return folder


@pytest.fixture(scope="module")
def site(client, model_path, images, tmp_path_factory):
    """The site of the first 3 units of conv1 and conv2 with dataset examples: `(folder, records)`."""
    client.wait_for_workers(2, timeout=180)  # a new cluster on a loaded machine can take minutes
    folder = str(tmp_path_factory.mktemp("site"))
    records = microscope(model_path, folder, images=images, client=client, units=3, **SETTINGS)
    return folder, records


@pytest.fixture
def puts(monkeypatch):
    """`{key: [kind, ...]}` of every entry written to a store during the test."""
    written = {}
    put = Store.put

    def counting_put(self, record, files):
        written.setdefault(record["key"], []).append(record["kind"])
        return put(self, record, files)

    monkeypatch.setattr(Store, "put", counting_put)
    return written


def entries(folder):
    return [json.load(open(path)) for path in glob.glob(os.path.join(folder, "units", "*", "entry.json"))]


def test_every_unit_has_its_views_and_dataset_examples(site, model_path, images):
    folder, records = site
    assert [record["unit"] for record in records] == ["conv1:0", "conv1:1", "conv1:2", "conv2:0", "conv2:1", "conv2:2"]
    assert all(record["status"] == "done" and record["kind"] == "views" for record in records)
    for record in records:
        for view in tasks.VIEWS:
            image = PIL.Image.open(os.path.join(folder, record["files"][view + ".png"]))
            assert image.size == (SIZE, SIZE)
    # The positive view excites its channel more than the negative one does (a ReLU channel: at least as much).
    model = Model.load(model_path)
    means = []
    for record in records:
        pair = [PIL.Image.open(os.path.join(folder, record["files"][v + ".png"])) for v in ("positive", "negative")]
        pair = np.stack([np.asarray(image, np.float32) / 255 for image in pair])
        means.append(layer_values(model, record["layer"], pair).mean(axis=(1, 2))[:, record["channel"]])
    means = np.array(means)
    assert np.all(means[:, 0] >= means[:, 1]) and means[:, 0].mean() > means[:, 1].mean()
    # The dataset examples are the images whose maximum (minimum) response is the largest (smallest), over
    # both chunks of the pass.
    paths = dataset.list_images(images)
    squares = np.stack([tasks.load_square_image(path, SIZE) for path in paths])
    by_unit = {(entry["layer"], entry["channel"]): entry for entry in entries(folder) if entry["kind"] == "examples"}
    assert sorted(by_unit) == sorted((record["layer"], record["channel"]) for record in records)
    for layer in LAYERS:
        acts = layer_values(model, layer, squares)
        for channel in range(3):
            entry = by_unit[(layer, channel)]
            most = np.sort(acts[..., channel].max(axis=(1, 2)))[::-1][:3]
            least = np.sort(acts[..., channel].min(axis=(1, 2)))[:3]
            np.testing.assert_allclose([e["value"] for e in entry["top"]], most, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose([e["value"] for e in entry["bottom"]], least, rtol=1e-4, atol=1e-5)
            top_image = paths.index(os.path.join(images, entry["top"][0]["image"]))
            assert acts[top_image, ..., channel].max() == pytest.approx(most[0], rel=1e-4)
            assert all(name in entry["files"] for name in ("top-0.jpg", "bottom-2.jpg"))


def test_rerun_does_only_the_missing_work(site, two_workers, model_path, images, puts, tmp_path):
    folder, records = str(tmp_path / "site"), site[1]
    shutil.copytree(site[0], folder)  # a copy: the module's site stays as built for the other tests
    assert microscope(model_path, folder, images=images, client=two_workers, units=3, **SETTINGS) == records
    assert puts == {}
    # One more unit per layer: its views and examples only.
    more = microscope(model_path, folder, images=images, client=two_workers, units=4, **SETTINGS)
    assert more[:3] + more[4:7] == records and [more[3]["unit"], more[7]["unit"]] == ["conv1:3", "conv2:3"]
    assert sorted(kind for kinds in puts.values() for kind in kinds) == ["examples"] * 2 + ["views"] * 2
    # More images: every unit's examples again, no render.
    puts.clear()
    bigger = str(tmp_path / "images")
    shutil.copytree(images, bigger)
    make_images(bigger, 1, seed=1)[0]
    os.replace(os.path.join(bigger, "img0000.jpg"), os.path.join(bigger, "new.jpg"))
    microscope(model_path, folder, images=bigger, client=two_workers, units=4, **SETTINGS)
    # ... and the DeepDream of the image that is now among the first three.
    assert sorted(kind for kinds in puts.values() for kind in kinds) == ["dreams"] + ["examples"] * 8
    assert all(len(kinds) == 1 for kinds in puts.values())


def test_losing_a_worker_mid_run_stores_every_unit_exactly_once(
    two_workers, kill_a_busy_worker, model_path, images, puts, tmp_path
):
    settings = dict(SETTINGS, batch_size=1, layers=["conv1"])
    records = microscope(
        model_path, str(tmp_path), client=two_workers, units=6, progress=kill_a_busy_worker, **settings
    )
    assert kill_a_busy_worker.killed, "no worker was busy when the first unit finished"
    assert [record["unit"] for record in records] == ["conv1:%d" % c for c in range(6)]
    assert all(record["status"] == "done" for record in records)
    assert sorted(puts) == sorted(record["key"] for record in records)
    assert all(kinds == ["views"] for kinds in puts.values())
    assert len(entries(str(tmp_path))) == 6


def test_a_site_without_images_says_so(two_workers, model_path, tmp_path):
    microscope(model_path, str(tmp_path), client=two_workers, units=1, **dict(SETTINGS, layers=["conv1"]))
    for page in ("index.html", "layers/conv1/0.html"):
        assert "no dataset examples" in open(tmp_path / page).read().lower()


def test_images_added_to_a_finished_site_render_nothing_again(two_workers, model_path, images, tmp_path):
    """A rerun with --images whose views are all done adds the examples; its progress bar has no unit to count."""
    settings = dict(SETTINGS, layers=["conv1"])
    first = microscope(model_path, str(tmp_path), client=two_workers, units=1, **settings)
    shown = io.StringIO()
    again = microscope(
        model_path, str(tmp_path), images=images, client=two_workers, units=1, progress=ProgressBar(shown), **settings
    )
    assert again == first and shown.getvalue() == ""
    assert "no dataset examples" not in open(tmp_path / "layers/conv1/0.html").read().lower()


def test_a_bad_image_is_skipped_with_one_warning_after_the_renders(two_workers, model_path, puts, tmp_path, caplog):
    """Issue 23 row 8: one truncated photo in --images killed the run before any unit was rendered."""
    folder = str(tmp_path / "images")
    make_images(folder, 4)
    whole = open(os.path.join(folder, "img0001.png"), "rb").read()
    with open(os.path.join(folder, "cut.png"), "wb") as handle:
        handle.write(whole[: len(whole) // 2])
    settings = dict(SETTINGS, layers=["conv1"], dream_steps=0)  # DeepDream of a bad image: not handled yet
    records = microscope(model_path, str(tmp_path / "site"), images=folder, client=two_workers, units=2, **settings)
    assert [record["status"] for record in records] == ["done", "done"]
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "cut.png" in r.getMessage()]
    assert len(warned) == 1, warned
    examples = [entry for entry in entries(str(tmp_path / "site")) if entry["kind"] == "examples"]
    assert len(examples) == 2 and all(len(entry["top"]) == SETTINGS["top_k"] for entry in examples)
    assert all(example["image"] != "cut.png" for entry in examples for example in entry["top"] + entry["bottom"])
    # The renders are stored before the dataset pass starts.
    assert [kind for kinds in puts.values() for kind in kinds] == ["views"] * 2 + ["examples"] * 2


def test_an_unreadable_image_among_the_dream_images_is_named_on_the_layer_page(two_workers, model_path, tmp_path):
    """Issue 25: one of the first 3 images that cannot be read took the layer page's DeepDream and caricatures
    with it; it is skipped with a note naming it and why, and if none can be read the section says so."""
    folder = str(tmp_path / "images")
    make_images(folder, 3)
    with open(os.path.join(folder, "a<b>.png"), "wb") as handle:  # sorts first: one of the 3 dream images
        handle.write(b"not an image")
    settings = dict(SETTINGS, layers=["conv1"], dream_steps=2)
    microscope(model_path, str(tmp_path / "site"), images=folder, client=two_workers, units=1, **settings)
    page = open(tmp_path / "site/layers/conv1/index.html").read()
    assert page.count("Caricature</figcaption>") == 2, page  # img0000 and img0001 still rendered
    assert "a&lt;b&gt;.png" in page and "a<b>" not in page and "cannot be read" in page
    assert "UnidentifiedImageError" in page
    for name in ("img0000.jpg", "img0001.png"):  # now the 3 dream images cannot be read, the 4th image can
        os.remove(os.path.join(folder, name))
    for name in ("b.png", "empty.jpg"):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(b"" if name == "empty.jpg" else b"\x89PNG cut short")
    microscope(model_path, str(tmp_path / "none"), images=folder, client=two_workers, units=1, **settings)
    page = open(tmp_path / "none/layers/conv1/index.html").read()
    assert "Caricature</figcaption>" not in page
    assert "None here: none of the images could be read" in page
    assert all(name in page for name in ("a&lt;b&gt;.png", "b.png", "empty.jpg")) and "img0002" not in page


def test_a_site_whose_index_is_gone_and_an_entry_emptied_is_completed(two_workers, model_path, tmp_path, capsys):
    """Issue 23 row 7: an emptied entry.json counted as done forever, and with index.json gone lucid-microscope
    exited 2 with a bare key."""
    site = tmp_path / "site"
    argv = [model_path, "-o", str(site), "--layers", "conv1", "--units", "2", "--steps", "8", "--size", str(SIZE)]
    argv += ["--scheduler", two_workers.scheduler.address]
    assert cli.microscope_main(argv) == 0
    (entry,) = [e for e in entries(str(site)) if e["unit"] == "conv1:0"]
    os.remove(site / "index.json")
    entry_path = site / "units" / entry["key"] / "entry.json"
    entry_path.write_text("")
    capsys.readouterr()
    assert cli.microscope_main(argv) == 0, capsys.readouterr().err
    assert json.loads(entry_path.read_text())["status"] == "done"
    assert len(json.load(open(site / "index.json"))["records"]) == 2 and len(entries(str(site))) == 2


def test_a_model_of_any_image_size_is_measured_at_224_px(two_workers, tmp_path):
    """A model saved without a fixed image size (image_shape [None, None, 3]) is measured at 224 px, as a model
    without an image_shape is (mypy found it: int(None) raised a bare TypeError)."""
    model_path = save_tiny_pb(str(tmp_path / "any-size.pb"), None)
    settings = dict(SETTINGS, layers=["conv1"], circuits=False)
    (record,) = microscope(model_path, str(tmp_path / "site"), client=two_workers, units=1, **settings)
    assert record["status"] == "done"
    assert "8 units, 224 x 224" in open(tmp_path / "site" / "index.html").read()


def test_a_field_larger_than_the_image_gives_the_whole_image_with_the_position_marked(tmp_path):
    (path,) = make_images(str(tmp_path), 1)
    extremes = np.array([[[5.0]], [[0]], [[1]], [[2]]])  # value 5 at row 1, column 2 of a 4 x 4 grid
    whole = {"grid": [4, 4], "box": [-40.0, -40.0, 40.0, 40.0]}
    part = {"grid": [4, 4], "box": [-4.0, -4.0, 4.0, 4.0]}
    ((value, source, jpeg, none),) = dataset.patches([path], SIZE, whole, extremes, 0)
    marked = np.asarray(PIL.Image.open(io.BytesIO(jpeg)), np.float32)
    assert (value, source) == (5.0, path) and marked.shape == (dataset.PATCH_PX, dataset.PATCH_PX, 3)
    plain = PIL.Image.fromarray(np.uint8(tasks.load_square_image(path, SIZE) * 255 + 0.5)).resize(marked.shape[:2])
    difference = np.abs(marked - np.asarray(plain, np.float32)).sum(axis=2)
    cell = dataset.PATCH_PX // 4
    inside = difference[cell : 2 * cell + 1, 2 * cell : 3 * cell + 1]  # the cell of row 1, column 2
    assert inside.max() > 150 and np.median(difference) < 40  # a red outline there, the rest unchanged
    ((_, _, cropped, _),) = dataset.patches([path], SIZE, part, extremes, 0)
    assert PIL.Image.open(io.BytesIO(cropped)).size == (dataset.PATCH_PX, dataset.PATCH_PX)
    # With the unit's activation over the image (hot at row 1, column 2): the same picture, red there.
    hot = np.zeros((4, 4), np.float32)
    hot[1, 2] = 5.0
    ((_, _, _, overlay),) = dataset.patches([path], SIZE, whole, extremes, 0, maps={(0, 0): hot})
    drawn = np.asarray(PIL.Image.open(io.BytesIO(overlay)), np.float32)
    red = drawn[..., 0] - drawn[..., 1:].mean(axis=2)
    assert none is None and drawn.shape == marked.shape
    assert red[cell : 2 * cell, 2 * cell : 3 * cell].mean() > red.mean() + 20


# The site in a browser.


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value is not None]


def check_site_in_chromium(folder, layer, channels, examples_per_unit):
    """index -> layer -> unit pages load in Chromium with every image; the search finds a unit; every link is
    relative and names a file of the site (heat maps are inline data: PNGs)."""
    pages = ["index.html", "layers/%s/index.html" % layer] + ["layers/%s/%d.html" % (layer, c) for c in channels]
    result = browse(folder, pages, [dict(page="index.html", query="%s:%d" % (layer, channels[1]))])
    loaded = result["pages"]
    assert [result["url"].split(folder + "/")[1] for result in loaded] == pages
    for page in loaded:
        assert page["broken"] == [] and page["noAlt"] == [], page["url"]
    units_of_layer = len(glob.glob(os.path.join(folder, "layers", layer, "*.html"))) - 1
    assert loaded[1]["gridImages"] == units_of_layer  # the layer page's thumbnails
    for page in loaded[2:]:
        assert page["views"] == len(tasks.VIEWS) and page["examples"] == examples_per_unit, page["url"]
        assert ("Most activating" in page["text"]) == (examples_per_unit > 0)
    assert result["actions"][0]["arrived"].endswith("/layers/%s/%d.html" % (layer, channels[1]))
    for page in glob.glob(os.path.join(folder, "**", "*.html"), recursive=True):
        parser = _Links()
        parser.feed(open(page).read())
        assert parser.urls, page
        for url in parser.urls:
            if url.startswith("data:image/png;base64,"):
                continue
            assert "://" not in url and not url.startswith("//"), (page, url)
            assert os.path.isfile(os.path.join(os.path.dirname(page), url)), (page, url)


def test_site_browses_in_headless_chromium(site):
    folder, _ = site
    check_site_in_chromium(folder, "conv1", [0, 1, 2], examples_per_unit=2 * SETTINGS["top_k"])


@pytest.mark.slow
def test_command_line_builds_the_efficientnet_site_that_ci_checks(tmp_path):
    """CI's site: 4 units of EfficientNet-Lite0's block3 and block4, 32 px, 8 steps, scikit-learn's sample photos,
    circuits, classes, two class pages and DeepDream, all in Chromium."""
    chromium_or_skip()
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    photos = tmp_path / "photos"
    photos.mkdir()
    for index, photo in enumerate(sklearn_datasets.load_sample_images().images):
        PIL.Image.fromarray(photo).save(photos / ("%d.jpg" % index))
    site = tmp_path / "site"
    command = "import sys; from lucid.cli import microscope_main; sys.exit(microscope_main())"
    argv = ["EfficientNetLite0", "-o", str(site), "--layers", "block3", "block4", "--units", "4", "--size", "32"]
    argv += ["--steps", "8", "--images", str(photos), "--workers", "2", "--classes", "daisy", "goldfish"]
    argv += ["--class-steps", "4", "--dream-steps", "4"]
    result = subprocess.run(
        [sys.executable, "-c", command] + argv,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.getcwd()),
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "8 of 8 units done" in result.stderr
    check_site_in_chromium(str(site), "block4", list(range(4)), examples_per_unit=4)  # 2 photos, 2 sides
    pages = browse(str(site), ["classes/1.html", "classes/985.html", "layers/block4/0.html"])["pages"]
    assert [page["h1"] for page in pages] == ["goldfish, Carassius auratus", "daisy", "block4:0"]
    assert all(page["broken"] == [] and page["images"] > 0 for page in pages)
    assert "Inputs from block3" in pages[2]["text"] and "Drives in block5" in pages[2]["text"]
    assert "Raises" in pages[2]["text"]


@pytest.mark.slow
def test_activation_pass_memory_does_not_grow_with_the_folder(tmp_path):
    """Peak RSS of the pass over 2,000 images is within 15% of the pass over 200 (EfficientNet-Lite0, block4)."""
    script = textwrap.dedent(
        """
        import os, resource, sys
        import distributed
        from lucid.scale import dataset
        if __name__ == "__main__":
            paths = dataset.list_images(sys.argv[1])
            with distributed.Client(processes=False, n_workers=1, threads_per_worker=1) as client:
                merged = dataset.extremes_over_images(client, "EfficientNetLite0", ["block4"], paths, 128, 6)
            assert merged["block4"]["top"].shape == (4, 6, 80)
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )
    peaks = {}
    for count in (200, 2000):
        folder = str(tmp_path / str(count))
        make_images(folder, count)
        result = subprocess.run(
            [sys.executable, "-c", script, folder],
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONPATH=os.getcwd()),
            timeout=1200,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        peaks[count] = int(result.stdout.split()[-1])
    assert peaks[2000] < 1.15 * peaks[200], peaks


def test_a_keras_file_loads_safely_with_its_value_range(tmp_path):
    keras = pytest.importorskip("keras")
    from lucid.scale.microscope import default_layers, microscope_spec

    inputs = keras.Input((SIZE, SIZE, 3))
    conv = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    outputs = keras.layers.Dense(2, name="dense")(keras.layers.GlobalAveragePooling2D()(conv))
    path = str(tmp_path / "net.keras")
    keras.Model(inputs, outputs).save(path)
    spec = microscope_spec(path, [-1, 1], False)
    assert spec == (path, (-1.0, 1.0), False)
    model = tasks.load_model(spec)
    assert tuple(model.image_value_range) == (-1.0, 1.0) and default_layers(model, spec, None) == ["conv"]
    with pytest.raises(ValueError, match="describe a .keras model"):
        microscope_spec("EfficientNetLite0", [-1, 1], False)
    with pytest.raises(FileNotFoundError, match="No Keras model file"):
        microscope_spec(str(tmp_path / "missing.keras"), None, False)
