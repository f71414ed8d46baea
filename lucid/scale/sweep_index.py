"""`index.html` of a sweep's store: one grid of thumbnails per rendered layer, each linking to its full-size PNG
(a path built from the entry's own key, never from a string stored in it).

A static page with relative links and no script, so it opens straight from disk; every string is escaped.
"""

import html
from collections.abc import Mapping
from typing import Any

from lucid.scale.store import Store, unit_path

__all__ = [
    "write_index_html",
]

_STYLE = """
body { font-family: sans-serif; margin: 1em 2em; }
.grid { display: flex; flex-wrap: wrap; gap: 6px; }
figure { margin: 0; font-size: 11px; text-align: center; }
figure img { width: 96px; height: 96px; display: block; }
.failed { color: #a00; font-size: 12px; }
"""


def write_index_html(store: Store, records: Mapping[str, Mapping[str, Any]]) -> None:
    """Write `index.html` at the store's root from its sweep records (`{key: record}`)."""
    layers: dict[tuple[str, str], list[Mapping[str, Any]]] = {}  # (model, layer) -> records, in order of first use
    for record in records.values():
        if record.get("kind") == "sweep":
            layers.setdefault((record["model"], record["layer"]), []).append(record)
    sections = [_layer_section(model, layer, layer_records) for (model, layer), layer_records in layers.items()]
    page = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Lucid renders</title>"
        "<style>%s</style></head>\n<body><h1>Lucid renders</h1>\n%s</body></html>\n"
        % (_STYLE, "\n".join(sections) or "<p>Nothing rendered yet.</p>")
    )
    store.write("index.html", page)


def _layer_section(model, layer, records):
    records = sorted(records, key=lambda record: (record["channel"], record["steps"], record["size"]))
    done = [record for record in records if record["status"] == "done"]
    failed = [record for record in records if record["status"] == "failed"]
    figures = "".join(
        "<figure><a href='{url}'><img src='{url}' alt='{unit}' title='{title}'></a>"
        "<figcaption>{channel}</figcaption></figure>".format(
            url=html.escape(unit_path(record["key"], "image.png")),
            unit=html.escape(record["unit"]),
            title=html.escape(
                "{unit}: objective {value:.3g}, {steps} steps, {size} px, seed {seed}, {precision}".format(**record)
            ),
            channel=html.escape(str(record["channel"])),
        )
        for record in done
    )
    failures = "".join(
        "<li>{}: {}</li>".format(html.escape(record["unit"]), html.escape(record["error"])) for record in failed
    )
    return "<section><h2>{} / {}</h2><p>{} channels rendered</p><div class='grid'>{}</div>{}</section>".format(
        html.escape(model),
        html.escape(layer),
        len(done),
        figures,
        "<ul class='failed'>%s</ul>" % failures if failures else "",
    )
