"""The Microscope's pages: the model (a diagram of its layers, search), each layer, each unit and each class.

    index.html                    the model: its layers as an SVG diagram we draw, search by layer:unit or class
    layers/<layer>/index.html     the layer: its units' grid, DeepDream and caricatures of the user's images
    layers/<layer>/<unit>.html    the unit: feature visualizations, dataset examples, circuits, classes
    classes/<index>.html          a class: its visualization, top dataset examples, the units driving it
    style.css, site.js, search.js

Everything is relative and local, so the site opens from file:// or any static host; search.js is a script (not
data fetched) for the same reason. Every string from the model, the images or the labels is escaped.
"""

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import PIL.Image

from lucid.scale.microscope_assets import SCRIPT, STYLE
from lucid.scale.store import Store, safe_name

__all__ = [
    "DIAGRAM_ROW",
    "layer_dir",
    "unit_page",
    "class_page",
    "write_site",
    "diagram",
]

DIAGRAM_ROW = 58  # px between two layers in the model's diagram


def layer_dir(layer: str) -> str:
    return "layers/%s" % safe_name(layer)


def unit_page(layer: str, channel: int) -> str:
    return "%s/%d.html" % (layer_dir(layer), channel)


def class_page(index: int) -> str:
    return "classes/%d.html" % index


def write_site(store: Store, site: Mapping[str, Any]) -> None:
    """Write every page of `site` into `store`.

    `site` holds: "title"; "model_layers" `[{"name", "depth", "tags", "shape"}]` (every layer the model lists,
    "shape" its spatial size or None); "shown" `[(layer, [channel])]`; "views" / "examples" `{(layer, channel):
    record}` of the units done (examples: {"top", "bottom"} lists of {"file", "map", "value", "image"});
    "has_images"; "circuits" `{layer: {"inputs": pair or None, "outputs": pair or None}}` (lucid.scale.techniques
    .circuit_pair results); "classes" (techniques.class_weights or None); "labels" (None without class names);
    "class_pages" `[{"index", "view", "examples": [(file, value, image)]}]`; "dreams" `{layer: [{"image", "input",
    "deepdream", "caricature"}]}`; "unreadable_dreams" `[(image, reason)]` of the dream images that cannot be
    read; "dream_settings" text or None; "settings" text.
    """
    shown = dict(site["shown"])
    store.write("style.css", STYLE)
    store.write("site.js", SCRIPT)
    store.write("search.js", _search_data(site))
    store.write("index.html", _model_page(site))
    order = [layer for layer, _ in site["shown"]]
    for number, layer in enumerate(order):
        neighbours = [order[i] if 0 <= i < len(order) else None for i in (number - 1, number + 1)]
        store.write(layer_dir(layer) + "/index.html", _layer_page(site, layer, shown[layer], neighbours))
        for position, channel in enumerate(shown[layer]):
            siblings = [shown[layer][i] if 0 <= i < len(shown[layer]) else None for i in (position - 1, position + 1)]
            store.write(unit_page(layer, channel), _unit_page(site, layer, channel, siblings))
    for page in site["class_pages"]:
        store.write(class_page(page["index"]), _class_page(site, page))


# The model page.


def _model_page(site):
    labels = site["labels"]
    classes = "".join(
        "<figure><a href='%s'>%s%s</a></figure>"
        % (
            _e(class_page(page["index"])),
            "<img loading='lazy' src='%s' alt='%s'>"
            % (_e(page["view"]), _e("visualization of " + labels[page["index"]]))
            if page["view"]
            else "",
            _e(labels[page["index"]]),
        )
        for page in site["class_pages"]
    )
    body = "<h1>%s</h1>%s<h2>Layers</h2><p class='note'>%s</p>%s" % (
        _e(site["title"]),
        _search_form(labels),
        _e(site["settings"]),
        diagram(site["model_layers"], dict(site["shown"])),
    )
    if classes:
        body += "<h2>Classes</h2><div class='cards small'>%s</div>" % classes
    if not site["has_images"]:
        body += "<p class='note'>This site has no dataset examples: it was built without images (--images).</p>"
    return _page(site["title"], body, [], "", search=True)


def diagram(model_layers: Sequence[Mapping[str, Any]], shown: Mapping[str, Sequence[int]]) -> str:
    """An SVG of the model's layers in order, each with its units and spatial size, and how many units are
    shown; a shown layer links to its page."""
    width, height = 420, DIAGRAM_ROW * len(model_layers) + 10
    parts = []
    for number, layer in enumerate(model_layers):
        top = 6 + DIAGRAM_ROW * number
        shape = layer.get("shape")
        size = "%d units" % layer["depth"] if layer.get("depth") else "units unknown"
        if shape:
            size += ", %s" % " x ".join(str(side) for side in shape)
        rendered = len(shown.get(layer["name"], []))
        box = (
            "<rect x='4' y='%d' width='%d' height='40' rx='6'/><text x='16' y='%d'>%s</text>"
            "<text class='sub' x='16' y='%d'>%s; %s</text>"
            % (
                top,
                width - 8,
                top + 17,
                _e(layer["name"]),
                top + 33,
                _e(size),
                "%d shown" % rendered if rendered else "not shown",
            )
        )
        if rendered:
            box = "<a href='%s'>%s</a>" % (_e(layer_dir(layer["name"]) + "/index.html"), box)
        if number:
            box = "<line x1='%d' y1='%d' x2='%d' y2='%d'/>" % (width // 2, top - 18, width // 2, top) + box
        parts.append(box)
    return (
        "<svg class='diagram' viewBox='0 0 %d %d' width='%d' height='%d' role='img' aria-label='layers of the model'>"
        "%s</svg>" % (width, height, width, height, "".join(parts))
    )


def _search_data(site):
    labels = site["labels"] or []
    pages = {page["index"]: class_page(page["index"]) for page in site["class_pages"]}
    shown = site["shown"]
    data = {
        "layers": {layer: {"dir": layer_dir(layer), "units": channels} for layer, channels in shown},
        "classes": [[label, pages.get(index)] for index, label in enumerate(labels)],
        "example": "%s:%d" % (shown[0][0], shown[0][1][0]) if shown and shown[0][1] else "layer:0",
    }
    return "window.MICROSCOPE = %s;\n" % _json(data)


def _search_form(labels):
    hint = "layer:unit or a class name" if labels else "layer:unit"
    return (
        "<form class='search' id='search'><input id='query' placeholder='%s' aria-label='%s'>"
        "<button>Go</button><span id='search-message' class='note'></span></form>" % (hint, hint)
    )


# The layer page.


def _layer_page(site, layer, channels, neighbours):
    views, examples = site["views"], site["examples"]
    cells = []
    for channel in channels:
        record = views.get((layer, channel))
        found = examples.get((layer, channel))
        top = found["top"][0]["file"].rsplit("/", 2)[-2] if found and found["top"] else None
        attributes = "href='%d.html' data-unit='%s'" % (channel, _e("%s:%d" % (layer, channel)))
        if record:
            attributes += " data-v='%s'" % _e(record["files"]["thumb.jpg"].split("/")[1])
        else:
            attributes += " class='none'"
        if top:
            attributes += " data-e='%s'" % _e(top)
        cells.append("<a %s>%d</a>" % (attributes, channel))
    switch = (
        "<div class='switch'><button data-mode='v' aria-pressed='true'>Feature visualization</button> "
        "<button data-mode='e' aria-pressed='false'>Top dataset example</button></div>"
        if site["has_images"]
        else "<p class='note'>No dataset examples: the site was built without images (--images).</p>"
    )
    body = "<h1>%s</h1><p class='note'>%d units shown. %s</p>%s<div class='grid'>%s</div>%s" % (
        _e(layer),
        len(channels),
        _e(site["settings"]),
        switch,
        "".join(cells),
        _dreams(site, layer),
    )
    links = [("../../index.html", "model", "")] + _layer_links(neighbours, "../")
    return _page("%s: %s" % (site["title"], layer), body, links, "../../")


def _dreams(site, layer):
    dreams = site["dreams"].get(layer)
    skipped = "".join(
        "<p class='note'>Skipped %s: it cannot be read as an image (%s).</p>" % (_e(name), _e(reason))
        for name, reason in site["unreadable_dreams"]
    )
    if not dreams:
        if skipped:
            why = "none of the images could be read"
        elif site["has_images"]:
            why = "they were not asked for (--dream-steps 0)"
        else:
            why = "the site was built without images (--images)"
        return "<h2>DeepDream and caricatures</h2><p class='note'>None here: %s.</p>%s" % (why, skipped)
    rows = []
    for dream in dreams:
        name = dream["image"]
        rows.append(
            "<div class='cards'>%s%s%s</div>"
            % (
                _figure(dream["input"], name, "the image %s" % name, "../../"),
                _figure(dream["deepdream"], "DeepDream", "DeepDream of %s in %s" % (name, layer), "../../"),
                _figure(dream["caricature"], "Caricature", "caricature of %s in %s" % (name, layer), "../../"),
            )
        )
    return "<h2>DeepDream and caricatures</h2><p class='note'>%s</p>%s%s" % (
        _e(site["dream_settings"]),
        skipped,
        "".join(rows),
    )


# The unit page.


def _unit_page(site, layer, channel, siblings):
    unit = "%s:%d" % (layer, channel)
    links = [("../../index.html", "model", ""), ("index.html", "layer %s" % layer, "up")]
    links += [
        ("%d.html" % c, label % c, rel)
        for c, label, rel in zip(siblings, ("previous unit %d", "next unit %d"), ("prev", "next"))
        if c is not None
    ]
    tabs = [("views", "Feature visualization", _views(site, layer, channel, unit))]
    tabs.append(("examples", "Dataset examples", _examples(site, layer, channel, unit)))
    tabs.append(("circuits", "Circuits", _circuits(site, layer, channel)))
    if site["classes"] is not None:
        tabs.append(("classes", "Classes", _unit_classes(site, layer, channel)))
    bar = "".join("<button data-panel='%s'>%s</button>" % (name, title) for name, title, _ in tabs)
    panels = "".join(
        "<section class='panel' id='%s'><h2>%s</h2>%s</section>" % (name, title, content)
        for name, title, content in tabs
    )
    body = "<h1>%s</h1><p class='note'>%s Keys: &larr; / &rarr; previous / next unit, u the layer.</p>" % (
        _e(unit),
        _e(site["settings"]),
    )
    body += "<div class='tabs' role='tablist'>%s</div>%s" % (bar, panels)
    return _page("%s: %s" % (site["title"], unit), body, links, "../../")


def _views(site, layer, channel, unit):
    record = site["views"].get((layer, channel))
    if record is None:
        return "<p class='failed'>Not rendered (see the store's index.json for the error).</p>"
    files = record["files"]
    return "<div class='cards'>%s%s</div><h3>Diverse</h3><div class='cards small'>%s</div>" % (
        _figure(files["positive.png"], "positive", unit + " positive", "../../"),
        _figure(files["negative.png"], "negative", unit + " negative", "../../"),
        "".join(_figure(files["diverse-%d.png" % i], "", "%s diverse %d" % (unit, i), "../../") for i in range(4)),
    )


def _examples(site, layer, channel, unit):
    if not site["has_images"]:
        return "<p class='note'>No dataset examples: the site was built without images (--images).</p>"
    found = site["examples"].get((layer, channel))
    if found is None:
        return "<p class='failed'>No dataset examples for this unit.</p>"
    toggle = (
        "<div class='switch'><button data-maps aria-pressed='false'>Show the unit's activation over each example"
        "</button></div>"
    )
    parts = []
    for side, heading in (("top", "Most activating"), ("bottom", "Least activating")):
        figures = []
        for example in found[side]:
            alt = "%s: %s" % (unit, example["image"])
            overlay = (
                "<img class='map' loading='lazy' src='../../%s' alt='%s'>"
                % (_e(example["map"]), _e("activation of %s over %s" % (unit, example["image"])))
                if example.get("map")
                else ""
            )
            figures.append(
                "<figure class='example'><img loading='lazy' src='../../%s' alt='%s'>%s<figcaption>%s</figcaption>"
                "</figure>" % (_e(example["file"]), _e(alt), overlay, _e("%.3g" % example["value"]))
            )
        parts.append("<h3>%s</h3><div class='cards small'>%s</div>" % (heading, "".join(figures)))
    return toggle + "".join(parts)


def _circuits(site, layer, channel):
    circuits = site["circuits"].get(layer, {})
    parts = []
    for direction, title, key in (("inputs", "Inputs from %s", "inputs"), ("outputs", "Drives in %s", "outputs")):
        pair = circuits.get(direction)
        if pair is None:
            continue
        other = pair["source"] if direction == "inputs" else pair["target"]
        summary = pair[key].get(str(channel)) or pair[key].get(channel)
        if summary is None:
            continue
        method = (
            "expanded weights (ReLU as identity, max-pool as average pool), summed over space"
            if pair["linear"]
            else "mean gradient over the dataset images: the path multiplies activations (e.g. squeeze-excite), "
            "so it has no fixed weights"
        )
        columns = "".join(
            "<div><h3>%s</h3>%s</div>"
            % (heading, "".join(_connection(site, other, c, weight, heat) for c, weight, heat in summary[side]) or "-")
            for side, heading in (("positive", "Strongest positive"), ("negative", "Strongest negative"))
        )
        parts.append(
            "<h3>%s</h3><p class='note'>%s.</p><div class='columns'>%s</div>" % (_e(title % other), method, columns)
        )
    return "".join(parts) or "<p class='note'>No circuits: this layer has no conv layer before or after it.</p>"


def _connection(site, layer, channel, weight, heat):
    """One connected unit: its thumbnail (linked to its page if it was rendered), its weight, its heat map."""
    unit = "%s:%d" % (layer, channel)
    record = site["views"].get((layer, channel))
    shown = channel in dict(site["shown"]).get(layer, [])
    if record is not None:
        thumb = "<img loading='lazy' src='../../%s' alt='%s'>" % (_e(record["files"]["thumb.jpg"]), _e(unit))
    else:
        thumb = "<span class='thumb-none'></span>"
    label = _e(unit)
    if shown:
        href = "../../" + unit_page(layer, channel)
        thumb, label = "<a href='%s'>%s</a>" % (_e(href), thumb), "<a href='%s'>%s</a>" % (_e(href), label)
    heat_map = "<img class='heat' src='%s' alt='%s'>" % (_heat_png(heat), _e("spatial weights of " + unit))
    return "<div class='circuit'>%s%s<span class='label'>%s<br><small> %+.3g</small></span></div>" % (
        thumb,
        heat_map,
        label,
        weight,
    )


def _heat_png(heat):
    """A data: URL of a heat map (integers in [-127, 127]): orange positive, blue negative."""
    values = np.asarray(heat, np.float32) / 127
    positive, negative = np.clip(values, 0, 1)[..., None], np.clip(-values, 0, 1)[..., None]
    colour = 255 - positive * np.array([0, 120, 230]) - negative * np.array([230, 150, 0])
    image = PIL.Image.fromarray(np.uint8(np.clip(colour, 0, 255)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _unit_classes(site, layer, channel):
    labels = site["labels"]
    units = site["classes"]["units"].get(layer, {})
    found = units.get(str(channel)) or units.get(channel)
    if found is None:
        return "<p class='note'>No class weights for this layer.</p>"
    method = (
        "Expanded weights into the logits, summed over space."
        if site["classes"]["linear"]
        else "Mean gradient of the logits over the dataset images (the path is not linear)."
    )
    columns = "".join(
        "<div><h3>%s</h3><ol class='classes'>%s</ol></div>"
        % (heading, "".join(_class_item(site, labels, c, w, style) for c, w in found[side]) or "-")
        for side, heading, style in (("raise", "Raises", "pos"), ("lower", "Lowers", "neg"))
    )
    return "<p class='note'>%s</p><div class='columns'>%s</div>" % (method, columns)


def _class_item(site, labels, index, weight, style):
    name = _e(labels[index])
    if any(page["index"] == index for page in site["class_pages"]):
        name = "<a href='../../%s'>%s</a>" % (_e(class_page(index)), name)
    return "<li>%s <span class='%s'>%+.3g</span></li>" % (name, style, weight)


# The class page.


def _class_page(site, page):
    label = site["labels"][page["index"]]
    parts = ["<h1>%s</h1><p class='note'>class %d</p>" % (_e(label), page["index"])]
    if page["view"]:
        parts.append(
            "<h2>Visualization</h2><div class='cards'>%s</div><p class='note'>%s</p>"
            % (_figure(page["view"], "MACO", "visualization of the class %s" % label, "../"), _e(page["settings"]))
        )
    if page["examples"]:
        parts.append(
            "<h2>Top dataset examples</h2><div class='cards small'>%s</div>"
            % "".join(
                _figure(file, "%s (%.3g)" % (image, value), "%s: %s" % (label, image), "../")
                for file, value, image in page["examples"]
            )
        )
    elif not site["has_images"]:
        parts.append("<p class='note'>No dataset examples: the site was built without images (--images).</p>")
    drivers = []
    for layer, _ in site["shown"]:
        ranked = (site["classes"] or {}).get("drivers", {}).get(layer)
        if not ranked:
            continue
        items = "".join(
            "<figure>%s<figcaption>%s %+.3g</figcaption></figure>"
            % (_unit_link(site, layer, c, "../"), _e("%s:%d" % (layer, c)), weight)
            for c, weight in ranked[page["index"]][:4]
        )
        drivers.append("<h3>%s</h3><div class='cards small'>%s</div>" % (_e(layer), items))
    if drivers:
        parts.append("<h2>Units that drive it most</h2>%s" % "".join(drivers))
    links = [("../index.html", "model", "up")]
    return _page("%s: %s" % (site["title"], label), "".join(parts), links, "../")


def _unit_link(site, layer, channel, root):
    unit = "%s:%d" % (layer, channel)
    record = site["views"].get((layer, channel))
    inner = (
        "<img loading='lazy' src='%s%s' alt='%s'>" % (root, _e(record["files"]["thumb.jpg"]), _e(unit))
        if record
        else _e(unit)
    )
    if channel in dict(site["shown"]).get(layer, []):
        return "<a href='%s%s'>%s</a>" % (root, _e(unit_page(layer, channel)), inner)
    return inner


# Shared pieces.


def _layer_links(neighbours, prefix):
    labels = ("previous layer %s", "next layer %s")
    return [
        (prefix + safe_name(layer) + "/index.html", label % layer, "")
        for layer, label in zip(neighbours, labels)
        if layer is not None
    ]


def _figure(path, caption, alt, root):
    return "<figure><img loading='lazy' src='%s%s' alt='%s'><figcaption>%s</figcaption></figure>" % (
        root,
        _e(path),
        _e(alt),
        _e(caption),
    )


def _page(title, body, links, root, search=False):
    nav = "".join(
        "<a href='%s'%s>%s</a>" % (_e(href), " rel='%s'" % rel if rel else "", _e(label)) for href, label, rel in links
    )
    scripts = ("<script src='%ssearch.js'></script>" % root if search else "") + (
        "<script src='%ssite.js'></script>" % root
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>%s</title>"
        "<link rel='stylesheet' href='%sstyle.css'></head>\n<body data-root='%s'><header class='bar'><nav>%s</nav>"
        "</header><main>%s</main>%s</body></html>\n" % (_e(title), root, root, nav, body, scripts)
    )


def _json(data):
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _e(text):
    return html.escape(str(text), quote=True)
