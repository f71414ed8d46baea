"""Show arrays as images (and graphs) in IPython notebooks.

Outside IPython (no running shell) images are written to temporary PNG files whose paths are printed,
so scripts calling `show` keep working.
"""
import base64
import json
import logging
import os
import tempfile
import uuid

import IPython
import IPython.display
import numpy as np
import tensorflow as tf

from lucid.misc.io.collapse_channels import collapse_channels
from lucid.misc.io.serialize_array import serialize_array

log = logging.getLogger(__name__)


def _in_ipython():
    """Whether output can be displayed as HTML: True when an IPython shell is running."""
    return IPython.get_ipython() is not None


def _display_html(html):
    IPython.display.display(IPython.display.HTML(html))


def _save_png_for_terminal(array, domain, label=None):
    """Write `array` to a temporary PNG and print its path (the non-IPython stand-in for displaying it)."""
    data = serialize_array(array, domain=domain, fmt="png")
    fd, path = tempfile.mkstemp(prefix="lucid_show_", suffix=".png")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    print("[lucid.show] %simage saved to %s" % ("" if label is None else "%s: " % label, path))


def _image_url(array, fmt="png", mode="data", quality=90, domain=None):
    """A data URL with `array` encoded as an image."""
    if mode != "data":
        raise ValueError("Only mode='data' (an inline data URL) is supported, got mode=%r." % mode)
    data = serialize_array(array, fmt=fmt, quality=quality, domain=domain)
    return "data:image/" + fmt.upper() + ";base64," + base64.b64encode(data).decode("ascii")


def _image_html(array, w=None, domain=None, fmt="png"):
    """An <img> tag showing `array` with crisp (unsmoothed) pixels, `w` pixels wide if given."""
    style = "image-rendering: pixelated; image-rendering: crisp-edges;"
    if w is not None:
        style += " width: %dpx;" % w
    return '<img src="%s" style="%s">' % (_image_url(array, fmt=fmt, domain=domain), style)


def image(array, domain=None, w=None, format="png", **kwargs):
    """Display one image. `domain=None` maps the array's own min..max to black..white."""
    if _in_ipython():
        _display_html(_image_html(array, w=w, domain=domain, fmt=format))
    else:
        _save_png_for_terminal(array, domain)


imshow = image


def images(arrays, labels=None, domain=None, w=None):
    """Display several images side by side, each above its label (default: its index)."""
    if not _in_ipython():
        for i, array in enumerate(arrays):
            _save_png_for_terminal(array, domain, label=labels[i] if labels is not None else i)
        return
    parts = ['<div style="display: flex; flex-direction: row;">']
    for i, array in enumerate(arrays):
        label = labels[i] if labels is not None else i
        parts.append('<div style="margin-right:10px; margin-top: 4px;"> %s <br/> %s </div>'
                     % (label, _image_html(array, w=w, domain=domain)))
    parts.append("</div>")
    _display_html("".join(parts))


def _to_rgb(array):
    """Collapse a rank 3/4 array whose channel count is not 1, 3 or 4 into RGB."""
    if array.ndim in (3, 4) and array.shape[-1] not in (1, 3, 4):
        return collapse_channels(array)
    return array


def show(thing, domain=(0, 1), **kwargs):
    """Display an image (rank 2/3 array), a batch (rank 4) or a list of images; other things are printed."""
    if isinstance(thing, np.ndarray):
        thing = _to_rgb(thing)
        if thing.ndim == 4:
            images(thing, domain=domain, **kwargs)
        elif thing.ndim in (2, 3):
            image(thing, domain=domain, **kwargs)
        else:
            log.warning("Show only supports numpy arrays of rank 2 to 4, got shape %s. Using repr().", thing.shape)
            print(repr(thing))
    elif isinstance(thing, (list, tuple)):
        thing = [_to_rgb(item) if isinstance(item, np.ndarray) else item for item in thing]
        images(thing, domain=domain, **kwargs)
    else:
        log.warning("Show only supports numpy arrays so far. Using repr().")
        print(repr(thing))


def _strip_consts(graph_def, max_const_size=32):
    """A copy of `graph_def` whose large constant tensors are replaced by a short "<stripped N bytes>"."""
    stripped = tf.compat.v1.GraphDef()
    for node in graph_def.node:
        copy = stripped.node.add()
        copy.MergeFrom(node)
        if copy.op == "Const":
            tensor = copy.attr["value"].tensor
            size = len(tensor.tensor_content)
            if size > max_const_size:
                tensor.tensor_content = b"<stripped %d bytes>" % size
    return stripped


def graph(graph_def, max_const_size=32):
    """Display a TensorBoard graph widget for a GraphDef (or anything with `as_graph_def()`)."""
    if hasattr(graph_def, "as_graph_def"):
        graph_def = graph_def.as_graph_def()
    if not _in_ipython():
        print("[lucid.show] graph with %d nodes (graph display needs IPython)" % len(graph_def.node))
        return
    stripped = _strip_consts(graph_def, max_const_size=max_const_size)
    widget_id = "graph" + uuid.uuid4().hex
    code = (
        '<script>function load() { document.getElementById("%s").pbtxt = %s; }</script>'
        '<link rel="import" href="https://tensorboard.appspot.com/tf-graph-basic.build.html" onload=load()>'
        '<div style="height:600px"><tf-graph-basic id="%s"></tf-graph-basic></div>'
        % (widget_id, json.dumps(str(stripped)), widget_id)
    )
    # Wrapped in a <div>: IPython warns about HTML that starts with <iframe>.
    _display_html('<div><iframe seamless style="width:100%%; height:620px; border:0" srcdoc="%s"></iframe></div>'
                  % code.replace('"', "&quot;"))
