"""Embed an Observable notebook (or some of its cells) in a Jupyter output, optionally overriding cell values.

The output loads Observable's runtime (from cdn.jsdelivr.net) and the notebook's compiled module (from
api.observablehq.com) in the browser showing the notebook, as the original did: the cell runs code fetched from
those hosts, needs network in the browser, and shows nothing offline. Python only writes the HTML.
"""

import html
import re
import uuid
from urllib.parse import urlparse

from lucid.misc.io.showing import _display_html
from lucid.scratch.web import js_literal

RUNTIME_URL = "https://cdn.jsdelivr.net/npm/@observablehq/runtime@5/dist/runtime.js"


# A notebook as the original names it: its path on observablehq.com, "@user/notebook" (or "d/<id>" when unlisted).
_NOTEBOOK_PATH = re.compile(r"[\w@~-][\w@.~-]*(/[\w@.~-]+)*")


def _notebook_path(url):
    """The notebook's path ("@user/notebook") from that path or from the page URL (https://observablehq.com/...)."""
    path = url
    if "://" in url:
        parsed = urlparse(url)
        if parsed.scheme != "https" or parsed.netloc not in ("observablehq.com", "api.observablehq.com"):
            raise ValueError("renderObservable takes '@user/notebook' or https://observablehq.com/..., got %r." % url)
        path = parsed.path
    path = path.strip("/")
    path = path[: -len(".js")] if path.endswith(".js") else path
    if not _NOTEBOOK_PATH.fullmatch(path):
        raise ValueError("renderObservable takes a notebook such as '@observablehq/notebook', got %r." % (url,))
    return path


def module_url(url):
    """The URL of the compiled module of the Observable notebook `url` ("@user/notebook" or its page URL)."""
    return "https://api.observablehq.com/%s.js?v=3" % _notebook_path(url)


def observable_html(url, cells=None, data=None):
    """The HTML that renderObservable displays."""
    if cells is not None and (isinstance(cells, str) or not all(isinstance(c, str) for c in cells)):
        raise TypeError("cells must be a list of cell names, got %r." % (cells,))
    if data is not None and not isinstance(data, dict):
        raise TypeError("data must be a dict {cell name: value}, got %s." % type(data).__name__)
    div_id = "observable-" + uuid.uuid4().hex
    source = "https://observablehq.com/" + _notebook_path(url)
    return """<div id="%s"></div>
<div><a target="_blank" href="%s">source</a></div>
<script type="module">
import {Runtime, Inspector} from %s;
import define from %s;
const cells = %s, data = %s;
const root = document.getElementById(%s);
const module = new Runtime().module(define, name => {
  if (cells !== null && !cells.includes(name)) return null;
  const element = document.createElement("div");
  root.appendChild(element);
  return new Inspector(element);
});
for (const [name, value] of Object.entries(data)) module.redefine(name, value);
</script>""" % (
        div_id,
        html.escape(source),
        js_literal(RUNTIME_URL),
        js_literal(module_url(url)),
        js_literal(None if cells is None else list(cells)),
        js_literal(data or {}),
        js_literal(div_id),
    )


def renderObservable(url, cells=None, data=None):
    """Display the Observable notebook `url` ("@user/notebook", as in its page's URL, or that URL) with a link to
    it: only the cells named in `cells` (all if None), with the cells named by `data`'s keys redefined to its
    (JSON-serializable) values."""
    _display_html(observable_html(url, cells, data))
