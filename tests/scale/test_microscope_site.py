"""The Microscope's pages in headless Chromium (network refused): every kind of link leads to the right page, every
image loads and has alt text, search and keys work from file://, hostile names render as text, a 1,280-unit layer
page stays small, no page scrolls sideways at 390 px.

The site is built for real from the tiny network, registered as a zoo model with class labels (one of them
hostile) and an in-process Dask worker, with one image named like an attack.
"""

import hashlib
import io
import json
import os
import re
import urllib.parse

import numpy as np
import PIL.Image
import pytest

distributed = pytest.importorskip("distributed")

from site_browser import browse, site_pages  # noqa: E402
from tiny_models import TinyConvNet  # noqa: E402

from lucid.modelzoo import nets_factory  # noqa: E402
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts  # noqa: E402
from lucid.recipes.circuits import expanded_weights  # noqa: E402
from lucid.scale import microscope  # noqa: E402
from lucid.scale.microscope_pages import write_site  # noqa: E402
from lucid.scale.store import Store  # noqa: E402

HOSTILE = "<img src=x onerror=alert(1)>"
LABELS = ["tench", "daisy, bellis", HOSTILE] + ["class %d" % i for i in range(3, 10)]


class LabelledTinyNet(TinyConvNet):
    labels = LABELS


LabelledTinyNet.layers = _layers_from_list_of_dicts(
    LabelledTinyNet(),
    [
        dict(name="conv1", depth=8, tags=["conv"]),
        dict(name="conv2", depth=16, tags=["conv"]),
        dict(name="logits", depth=10, tags=["dense"]),
    ],
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site of units 0-2 of conv1 and conv2, with images, circuits, two class pages and dreams."""
    images = tmp_path_factory.mktemp("images")
    rng = np.random.RandomState(0)
    for name in ["a %s.png" % HOSTILE, "b.jpg", "c.png", "d.jpg"]:
        PIL.Image.fromarray(rng.randint(0, 255, (40, 48, 3), np.uint8)).save(images / name)
    folder = str(tmp_path_factory.mktemp("site"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(nets_factory.models_map, "LabelledTinyNet", LabelledTinyNet)
        with distributed.Client(processes=False, n_workers=1, threads_per_worker=1) as client:
            records = microscope(
                "LabelledTinyNet",
                folder,
                layers=["conv1", "conv2"],
                images=str(images),
                client=client,
                units=3,
                steps=8,
                size=32,
                batch_size=3,
                top_k=2,
                classes=["daisy", HOSTILE],
                class_steps=4,
                dream_steps=4,
            )
    assert all(record["status"] == "done" for record in records)
    return folder


@pytest.fixture(scope="module")
def browsed(site):
    pages = site_pages(site)
    actions = [
        dict(page="index.html", query="conv2:1"),
        dict(page="index.html", query="Bellis"),
        dict(page="index.html", query=HOSTILE),
        dict(page="layers/conv1/1.html", key="ArrowRight"),
        dict(page="layers/conv1/1.html", key="ArrowLeft"),
        dict(page="layers/conv1/1.html", key="u"),
    ]
    result = browse(site, pages, actions)
    by_page = {urllib.parse.unquote(page["url"]): page for page in result["pages"]}
    return site, pages, by_page, result["actions"]


def _url(folder, page):
    return "file://" + os.path.join(folder, page)


def test_the_site_has_every_page_kind(browsed):
    _, pages, _, _ = browsed
    assert pages == [
        "classes/1.html",
        "classes/2.html",
        "index.html",
        "layers/conv1/0.html",
        "layers/conv1/1.html",
        "layers/conv1/2.html",
        "layers/conv1/index.html",
        "layers/conv2/0.html",
        "layers/conv2/1.html",
        "layers/conv2/2.html",
        "layers/conv2/index.html",
    ]


def test_every_image_loads_with_alt_text_and_nothing_is_injected(browsed):
    _, _, by_page, _ = browsed
    for url, page in by_page.items():
        assert page["images"] > 0, url
        assert page["broken"] == [] and page["noAlt"] == [], url
        assert page["injected"] == 0, url


def test_every_link_leads_to_the_page_it_names(browsed):
    """Diagram -> layer, grid -> its own unit, prev / next, circuits -> that unit of the right layer, class links
    -> the class page; and every link of the site names a page of it."""
    folder, _, by_page, _ = browsed
    model = by_page[_url(folder, "index.html")]
    diagram = [link for link in model["links"] if link["svg"]]
    assert [(link["text"].split()[0], link["href"]) for link in diagram] == [
        ("conv1", _url(folder, "layers/conv1/index.html")),
        ("conv2", _url(folder, "layers/conv2/index.html")),
    ]
    for link in diagram:
        assert by_page[link["href"]]["h1"] == link["text"].split()[0]
    kinds = set()
    for url, page in by_page.items():
        for link in page["links"]:
            target = urllib.parse.unquote(link["href"])
            assert target in by_page, (url, link)
            heading = by_page[target]["h1"]
            if link["grid"]:
                kinds.add("grid")
                assert heading == link["unit"], (url, link)
            if link["rel"] in ("prev", "next"):
                kinds.add(link["rel"])
                layer, channel = page["h1"].split(":")
                step = 1 if link["rel"] == "next" else -1
                assert heading == "%s:%d" % (layer, int(channel) + step)
            if link["circuit"]:
                kinds.add("circuit")
                assert heading == link["circuit"].split()[0], (url, link)
            if target.startswith(_url(folder, "classes/")):
                kinds.add("class")
                assert heading == LABELS[int(os.path.basename(target)[:-5])]
    assert kinds == {"grid", "prev", "next", "circuit", "class"}


def test_circuits_link_the_strongest_units_of_the_neighbouring_layers(browsed):
    """conv2's inputs are conv1 units ranked by the expanded weights; conv1 drives conv2; unrendered units (conv1:3
    and above) appear without a link."""
    folder, _, by_page, _ = browsed
    weights, linear = expanded_weights(LabelledTinyNet(), "conv1", "conv2", channels=[0])
    totals = weights[0].sum(axis=(0, 1))
    page = by_page[_url(folder, "layers/conv2/0.html")]
    inputs = [row for row in page["circuits"] if row["panel"] == "circuits"]
    labels = [row["label"].split()[0] for row in inputs]
    strongest = [int(c) for c in np.argsort(-totals)[: (totals > 0).sum()][:8]]
    assert linear and labels[: len(strongest)] == ["conv1:%d" % c for c in strongest]
    assert all(row["linked"] == (int(row["label"].split()[0].split(":")[1]) < 3) for row in inputs)
    outputs = by_page[_url(folder, "layers/conv1/0.html")]["circuits"]
    assert outputs and all(row["label"].startswith("conv2:") for row in outputs)


def test_search_and_keys_work_from_file(browsed):
    folder, _, _, actions = browsed
    arrived = [urllib.parse.unquote(action["arrived"]) for action in actions]
    assert arrived == [
        _url(folder, "layers/conv2/1.html"),
        _url(folder, "classes/1.html"),
        _url(folder, "classes/2.html"),
        _url(folder, "layers/conv1/2.html"),
        _url(folder, "layers/conv1/0.html"),
        _url(folder, "layers/conv1/index.html"),
    ]


def test_hostile_labels_and_file_names_render_as_text(browsed):
    folder, _, by_page, _ = browsed
    assert by_page[_url(folder, "classes/2.html")]["h1"] == HOSTILE
    assert HOSTILE in by_page[_url(folder, "index.html")]["text"]
    assert any("a %s.png" % HOSTILE in page["text"] for page in by_page.values())
    for page in site_pages(folder):
        assert HOSTILE not in open(os.path.join(folder, page)).read(), page


def test_no_page_scrolls_sideways_at_390_px(site):
    result = browse(site, site_pages(site), width=390, height=844)
    assert all(0 < page["clientWidth"] <= 390 for page in result["pages"])
    assert [page["url"] for page in result["pages"] if page["scrollWidth"] > page["clientWidth"]] == []


# Pages written from made-up records: a hostile layer name, a 1,280-unit layer.


def _fake_site(folder, layer, units):
    """Records for `units` units of `layer`, each with a real thumbnail and top example in the store."""
    store = Store(folder)
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (80, 80), (200, 120, 40)).save(buffer, "JPEG")
    views, examples = {}, {}
    for channel in range(units):
        key = hashlib.sha256(b"%d" % channel).hexdigest()
        for name in ("thumb.jpg", "top-0.jpg"):
            store.write("units/%s/%s" % (key, name), buffer.getvalue())
        views[(layer, channel)] = dict(key=key, files={"thumb.jpg": "units/%s/thumb.jpg" % key})
        for view in ("positive", "negative", "diverse-0", "diverse-1", "diverse-2", "diverse-3"):
            views[(layer, channel)]["files"][view + ".png"] = "units/%s/thumb.jpg" % key
        example = dict(file="units/%s/top-0.jpg" % key, map=None, value=1.5, image=HOSTILE + ".jpg")
        examples[(layer, channel)] = dict(key=key, top=[example], bottom=[])
    site = dict(
        title="Microscope: " + HOSTILE,
        model_layers=[dict(name=layer, depth=units, tags=["conv"], shape=[7, 7], rank=4)],
        shown=[(layer, list(range(units)))],
        views=views,
        examples=examples,
        has_images=True,
        labels=None,
        settings="settings",
        circuits={},
        classes=None,
        class_pages=[],
        dreams={},
        unreadable_dreams=[],
        dream_settings=None,
    )
    write_site(store, site)
    return store


def test_a_hostile_layer_name_renders_as_text(tmp_path):
    _fake_site(str(tmp_path), HOSTILE, 2)
    layer_dir = "layers/_img_src_x_onerror_alert_1__"
    result = browse(str(tmp_path), ["index.html", layer_dir + "/index.html", layer_dir + "/1.html"])
    for page in result["pages"]:
        assert page["injected"] == 0 and page["broken"] == [] and page["noAlt"] == []
        assert HOSTILE in page["text"] or HOSTILE in page["title"]
    assert result["pages"][1]["h1"] == HOSTILE and result["pages"][2]["h1"] == HOSTILE + ":1"


def test_a_1280_unit_layer_page_is_small_and_loads_only_what_is_on_screen(tmp_path):
    _fake_site(str(tmp_path), "head", 1280)
    page = "layers/head/index.html"
    assert os.path.getsize(tmp_path / page) <= 300_000
    result = browse(str(tmp_path), count=page, width=1280, height=800)
    assert 0 < result["requested"] <= 100, result
    search = open(tmp_path / "search.js").read()
    assert json.loads(re.sub(r"^window.MICROSCOPE = |;\s*$", "", search))["layers"]["head"]["units"][-1] == 1279
