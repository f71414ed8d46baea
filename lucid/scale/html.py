"""`out_dir/index.html`: one grid of thumbnails per rendered layer, each linking to its full-size PNG.

A static page with relative links and no script, so it opens straight from disk.
"""

import html
import logging
import os
from urllib.parse import quote

from lucid.misc.io.writing import write

log = logging.getLogger(__name__)

_STYLE = """
body { font-family: sans-serif; margin: 1em 2em; }
.grid { display: flex; flex-wrap: wrap; gap: 6px; }
figure { margin: 0; font-size: 11px; text-align: center; }
figure img { width: 96px; height: 96px; display: block; }
.failed { color: #a00; font-size: 12px; }
"""


def write_index_html(store):
    """Write `store.out_dir/index.html` from the latest index record of each unit; return its path."""
    layers = {}  # (model, layer) -> latest records, in the order the layers first appear in the index
    for record in store.latest().values():
        layers.setdefault((record["model"], record["layer"]), []).append(record)
    sections = [_layer_section(model, layer, records, store) for (model, layer), records in layers.items()]
    page = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Lucid renders</title>"
        "<style>%s</style></head>\n<body><h1>Lucid renders</h1>\n%s</body></html>\n"
        % (_STYLE, "\n".join(sections) or "<p>Nothing rendered yet.</p>")
    )
    path = os.path.join(store.out_dir, "index.html")
    write(page, path)
    return path


def _layer_section(model, layer, records, store):
    records = sorted(records, key=lambda record: record["channel"])
    done = [record for record in records if store.is_done(record)]
    failed = [record for record in records if record["status"] == "failed"]
    figures = "".join(
        "<figure><a href='{url}'><img src='{url}' alt='{unit}' title='{unit}: objective {value:.3g}, {steps} steps, "
        "{size} px, seed {seed}'></a><figcaption>{channel}</figcaption></figure>".format(
            url=html.escape(quote(record["png"])),
            unit=html.escape(record["unit"]),
            value=record["value"],
            steps=record["steps"],
            size=record["size"],
            seed=record["seed"],
            channel=record["channel"],
        )
        for record in done
    )
    failures = "".join(
        "<li>{}: {}</li>".format(html.escape(record["unit"]), html.escape(record["error"])) for record in failed
    )
    return (
        "<section><h2>{model} / {layer}</h2><p>{count} channels rendered</p>"
        "<div class='grid'>{figures}</div>{failures}</section>".format(
            model=html.escape(model),
            layer=html.escape(layer),
            count=len(done),
            figures=figures,
            failures="<ul class='failed'>%s</ul>" % failures if failures else "",
        )
    )
