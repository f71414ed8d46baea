"""The Microscope's static site: an index of layers, a page per layer and a page per unit, in the store's root.

Pages use relative links only and load nothing from elsewhere, so the site works from file:// and any static
host. The search box's data (every `layer:unit` and its page) is embedded in the page, because browsers block
fetch() from file://. Every string put into a page is escaped.
"""

import html
import json

from lucid.scale.store import safe_name

__all__ = [
    "layer_dir",
    "write_site",
]

_STYLE = """
body { font-family: sans-serif; margin: 1em 2em; color: #222; }
nav { margin-bottom: 1em; } nav a { margin-right: 1em; }
.grid { display: flex; flex-wrap: wrap; gap: 6px; }
figure { margin: 0; font-size: 11px; text-align: center; }
.grid img { width: 80px; height: 80px; display: block; }
.views img { width: 224px; height: 224px; image-rendering: pixelated; }
.diverse img { width: 160px; height: 160px; image-rendering: pixelated; }
.examples img { width: 96px; height: 96px; object-fit: contain; background: #eee; }
.note { color: #666; } .failed { color: #a00; }
"""

_SEARCH_SCRIPT = """
document.getElementById('search').addEventListener('submit', function (event) {
  event.preventDefault();
  var pages = JSON.parse(document.getElementById('units').textContent);
  var wanted = document.getElementById('unit').value.trim();
  var message = document.getElementById('search-message');
  if (Object.prototype.hasOwnProperty.call(pages, wanted)) { window.location.href = pages[wanted]; }
  else { message.textContent = 'No unit ' + wanted + ' here; type layer:unit, e.g. ' + Object.keys(pages)[0]; }
});
"""


def layer_dir(layer):
    return "layers/%s" % safe_name(layer)


def write_site(store, title, layers, views, examples, has_images):
    """Write the pages of the site into `store`.

    layers: `[(layer, [channel, ...])]` in order; views / examples: `{(layer, channel): record}` of the units
    done (the records' `files` are paths relative to the store's root); has_images: whether examples were asked.
    """
    search = {
        "%s:%d" % (layer, channel): "%s/%d.html" % (layer_dir(layer), channel) for layer, cs in layers for channel in cs
    }
    rows = "".join(
        "<li><a href='{href}'>{layer}</a> <span class='note'>{count} units</span></li>".format(
            href=_e(layer_dir(layer) + "/index.html"), layer=_e(layer), count=len(channels)
        )
        for layer, channels in layers
    )
    body = "<h1>%s</h1>%s<h2>Layers</h2><ul>%s</ul>%s" % (
        _e(title),
        _search_box(search, ""),
        rows,
        "" if has_images else "<p class='note'>This site has no dataset examples: it was built without images.</p>",
    )
    store.write("index.html", _page(title, body, script=True))
    for number, (layer, channels) in enumerate(layers):
        neighbours = [layers[i][0] if 0 <= i < len(layers) else None for i in (number - 1, number + 1)]
        store.write(layer_dir(layer) + "/index.html", _layer_page(title, layer, channels, views, search, neighbours))
        for position, channel in enumerate(channels):
            siblings = [channels[i] if 0 <= i < len(channels) else None for i in (position - 1, position + 1)]
            page = _unit_page(title, layer, channel, views, examples, has_images, siblings, neighbours)
            store.write("%s/%d.html" % (layer_dir(layer), channel), page)


def _layer_page(title, layer, channels, views, search, neighbours):
    figures = []
    for channel in channels:
        record = views.get((layer, channel))
        thumb = (
            "<img loading='lazy' src='../../%s' alt='%s'>"
            % (_e(record["files"]["thumb.jpg"]), _e(_unit(layer, channel)))
            if record
            else "<span class='failed'>not rendered</span>"
        )
        figures.append(
            "<figure><a href='%d.html'>%s</a><figcaption>%d</figcaption></figure>" % (channel, thumb, channel)
        )
    nav = _nav([("../../index.html", "index")] + _layer_links(neighbours, "../"))
    body = "%s<h1>%s</h1>%s<div class='grid'>%s</div>" % (
        nav,
        _e(layer),
        _search_box(search, "../../"),
        "".join(figures),
    )
    return _page("%s: %s" % (title, layer), body, script=True)


def _unit_page(title, layer, channel, views, examples, has_images, siblings, neighbours):
    unit = _unit(layer, channel)
    links = [("../../index.html", "index"), ("index.html", "layer %s" % layer)]
    links += [
        ("%d.html" % c, label % c) for c, label in zip(siblings, ("previous unit %d", "next unit %d")) if c is not None
    ]
    links += _layer_links(neighbours, "../")
    record = views.get((layer, channel))
    if record is None:
        visualizations = "<p class='failed'>Not rendered (see the index of the store for the error).</p>"
    else:
        files = record["files"]
        visualizations = "<div class='grid views'>%s%s</div><h3>Diverse</h3><div class='grid diverse'>%s</div>" % (
            _figure(files["positive.png"], "positive", unit + " positive"),
            _figure(files["negative.png"], "negative", unit + " negative"),
            "".join(_figure(files["diverse-%d.png" % i], "", "%s diverse %d" % (unit, i)) for i in range(4)),
        )
    found = examples.get((layer, channel))
    if not has_images:
        dataset = "<p class='note'>No dataset examples: the site was built without images (--images).</p>"
    elif found is None:
        dataset = "<p class='failed'>No dataset examples for this unit.</p>"
    else:
        dataset = "".join(
            "<h3>%s</h3><div class='grid examples'>%s</div>"
            % (
                heading,
                "".join(
                    _figure(example["file"], "%.3g" % example["value"], "%s: %s" % (unit, example["image"]))
                    for example in found[side]
                ),
            )
            for side, heading in (("top", "Most activating"), ("bottom", "Least activating"))
        )
    body = "%s<h1>%s</h1><h2>Feature visualization</h2>%s<h2>Dataset examples</h2>%s" % (
        _nav(links),
        _e(unit),
        visualizations,
        dataset,
    )
    return _page("%s: %s" % (title, unit), body)


def _layer_links(neighbours, prefix):
    labels = ("previous layer %s", "next layer %s")
    return [
        (prefix + safe_name(layer) + "/index.html", label % layer)
        for layer, label in zip(neighbours, labels)
        if layer is not None
    ]


def _figure(path, caption, alt):
    return "<figure><img src='../../%s' alt='%s'><figcaption>%s</figcaption></figure>" % (
        _e(path),
        _e(alt),
        _e(caption),
    )


def _nav(links):
    return "<nav>%s</nav>" % "".join("<a href='%s'>%s</a>" % (_e(href), _e(label)) for href, label in links)


def _search_box(search, prefix):
    """A `layer:unit` search form; its data, `{unit: page}` from this page, embedded as JSON."""
    pages = {unit: prefix + page for unit, page in search.items()}
    data = json.dumps(pages).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        "<form id='search'><input id='unit' placeholder='layer:unit' aria-label='layer:unit'> "
        "<button>Go</button> <span id='search-message' class='note'></span></form>"
        "<script type='application/json' id='units'>%s</script>" % data
    )


def _page(title, body, script=False):
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>%s</title><style>%s</style></head>\n"
        "<body>%s%s</body></html>\n"
        % (_e(title), _STYLE, body, "<script>%s</script>" % _SEARCH_SCRIPT if script else "")
    )


def _unit(layer, channel):
    return "%s:%d" % (layer, channel)


def _e(text):
    return html.escape(str(text), quote=True)
