"""Show arrays as images (and animations, graphs) in notebooks.

`show(thing)` picks the display from what `thing` is: an image (rank 2/3 array), a batch (rank 4), a list or
tuple of images, a dict of images (keys as labels), a tf.Graph or GraphDef, or text. The functions below are
also reachable as attributes of `show` (`show.image`, `show.images`, `show.animation`, `show.graph`), so
`from lucid.misc.io import show` is the one import a notebook needs.

Outside a notebook kernel (a script, a terminal IPython) images and animations are written to temporary
files whose paths are printed, so code calling `show` keeps working there and never fails for lack of a
display.
"""

import base64
import html
import logging
import os
import tempfile

import IPython
import IPython.display
import numpy as np
import PIL.Image
import tensorflow as tf

from lucid.misc import environment
from lucid.misc.io.collapse_channels import collapse_channels
from lucid.misc.io.serialize_array import array_to_jsbuffer, serialize_animation, serialize_array  # noqa: F401

__all__ = [
    "animation",
    "array_to_jsbuffer",
    "as_image",
    "collapse_channels",
    "graph",
    "image",
    "images",
    "imshow",
    "serialize_array",
    "show",
    "textured_mesh",
]

log = logging.getLogger(__name__)


def _in_ipython():
    """Whether rich output can be displayed: True inside a notebook kernel (Jupyter, Colab)."""
    return environment.is_notebook_environment()


def _display_html(html):
    IPython.display.display(IPython.display.HTML(html))


def _print_temp_file(data, suffix, label=None):
    """Write `data` to a new temporary file and print its path: the terminal stand-in for displaying it.

    Failing to write only logs a warning, so showing never breaks the calling code.
    """
    what = "animation" if suffix == ".gif" else "image"
    try:
        fd, path = tempfile.mkstemp(prefix="lucid_show_", suffix=suffix)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as error:
        log.warning("Could not write the %s to a temporary file (%s); it is not shown.", what, error)
        return
    print("[lucid.show] %s%s saved to %s" % ("" if label is None else "%s: " % label, what, path))


def _data_url(data, fmt):
    return "data:image/" + fmt.upper() + ";base64," + base64.b64encode(data).decode("ascii")


def _img_tag(url, w=None):
    """An <img> tag for `url` with crisp (unsmoothed) pixels, `w` pixels wide if given."""
    style = "image-rendering: pixelated; image-rendering: crisp-edges;"
    if w is not None:
        style += " width: %dpx;" % w
    return '<img src="%s" style="%s">' % (html.escape(url), style)


def _image_url(array, fmt="png", mode="data", quality=90, domain=None):
    """A data URL with `array` encoded as an image."""
    if mode != "data":
        raise ValueError("Only mode='data' (an inline data URL) is supported, got mode=%r." % mode)
    return _data_url(serialize_array(array, fmt=fmt, quality=quality, domain=domain), fmt)


def _image_html(array, w=None, domain=None, fmt="png"):
    """An <img> tag showing `array`, encoded exactly as `save` writes it."""
    return _img_tag(_image_url(array, fmt=fmt, domain=domain), w=w)


def as_image(item):
    """An array that `image` can encode: PIL images become arrays, channel counts other than 1, 3 and 4 are
    collapsed to RGB (RGBA stays RGBA, encoded with its transparency), and a batch [B, H, W, C] is laid side by
    side."""
    array = np.asarray(item)
    if array.ndim in (3, 4) and array.shape[-1] not in (1, 3, 4):
        array = collapse_channels(array)
    if array.ndim == 4:
        array = np.hstack(array)
    return array


def _is_image(item):
    return isinstance(item, PIL.Image.Image) or (
        isinstance(item, np.ndarray)
        and item.ndim in (2, 3, 4)
        and item.size > 0
        and (np.issubdtype(item.dtype, np.number) or item.dtype == np.bool_)
    )


def image(array, domain=None, w=None, format="png", **kwargs):
    """Display one image. `domain=None` maps the array's own min..max to black..white."""
    array = as_image(array)
    if _in_ipython():
        _display_html(_image_html(array, w=w, domain=domain, fmt=format))
    else:
        _print_temp_file(serialize_array(array, domain=domain, fmt="png"), ".png")


imshow = image


def images(arrays, labels=None, domain=None, w=None):
    """Display several images side by side, each above its label (default: its index)."""
    arrays = [as_image(array) for array in arrays]
    labels = list(range(len(arrays))) if labels is None else list(labels)
    if len(labels) != len(arrays):
        raise ValueError(
            "Got %d labels for %d images; give one label per image (or labels=None for indices)."
            % (len(labels), len(arrays))
        )
    if not _in_ipython():
        for array, label in zip(arrays, labels):
            _print_temp_file(serialize_array(array, domain=domain, fmt="png"), ".png", label=label)
        return
    parts = ['<div style="display: flex; flex-direction: row;">']
    for i, array in enumerate(arrays):
        parts.append(
            '<div style="margin-right:10px; margin-top: 4px;"> %s <br/> %s </div>'
            % (html.escape(str(labels[i])), _image_html(array, w=w, domain=domain))
        )
    parts.append("</div>")
    _display_html("".join(parts))


def animation(frames, fps=10, domain=(0, 1), w=None):
    """Display frames as a looping animated GIF, e.g. the list `render_vis(..., thresholds=range(0, 512, 8))`
    returns (each batch laid side by side). Also accepts a [N, H, W, C] array or a list of images."""
    data = serialize_animation(frames, domain=domain, fps=fps)
    if _in_ipython():
        _display_html(_img_tag(_data_url(data, "gif"), w=w))
    else:
        _print_temp_file(data, ".gif")


def show(thing, domain=(0, 1), **kwargs):
    """Display `thing` in the way that suits it; see the module docstring.

    Images use `domain` as the value range mapped to black..white (values outside are clipped, with a
    warning); uint8 arrays are shown as they are. Text is printed; anything else is printed with repr().
    """
    if isinstance(thing, (tf.Graph, tf.compat.v1.GraphDef)):
        graph(thing, **kwargs)
    elif isinstance(thing, np.ndarray) and _is_image(thing):
        if thing.ndim == 4:
            images(thing, domain=domain, **kwargs)
        else:
            image(thing, domain=domain, **kwargs)
    elif isinstance(thing, (list, tuple)) and thing and all(map(_is_image, thing)):
        images(thing, domain=domain, **kwargs)
    elif isinstance(thing, dict) and thing and all(map(_is_image, thing.values())):
        images(list(thing.values()), labels=list(thing), domain=domain, **kwargs)
    elif isinstance(thing, str):
        print(thing)
    else:
        log.warning("Show does not know how to display %s; using repr().", type(thing).__name__)
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
    """Display a GraphDef (or anything with `as_graph_def()`) as its text, large constants cut short.

    The page holds only the escaped text: no script and no component from another host (the original's
    TensorBoard widget came from one, through HTML Imports, which browsers no longer support).
    """
    if hasattr(graph_def, "as_graph_def"):
        graph_def = graph_def.as_graph_def()
    if not _in_ipython():
        print("[lucid.show] graph with %d nodes (graph display needs a notebook)" % len(graph_def.node))
        return
    stripped = _strip_consts(graph_def, max_const_size=max_const_size)
    _display_html(
        '<details><summary>GraphDef with %d nodes</summary><pre style="max-height:600px; overflow:auto">%s</pre>'
        "</details>" % (len(graph_def.node), html.escape(str(stripped)))
    )


show.image = image  # type: ignore[attr-defined]
show.imshow = image  # type: ignore[attr-defined]
show.images = images  # type: ignore[attr-defined]
show.animation = animation  # type: ignore[attr-defined]
show.graph = graph  # type: ignore[attr-defined]


def textured_mesh(mesh, texture, background="0xffffff"):
    """Display `mesh` (a dict with position, uv and face, shown as it is) wearing `texture` [h, w, 3] (stretched
    from its own min..max) in an interactive WebGL viewer that loads nothing from the network: drag to rotate,
    scroll to zoom, "Unfold" shows the UV layout, "Shade" lights it from the camera. Outside a notebook the
    viewer is written to a temporary HTML file whose path is printed."""
    from lucid.misc.gl.viewer import textured_mesh_html

    page = IPython.display.HTML(textured_mesh_html(mesh, texture, background=background))
    if _in_ipython():
        IPython.display.display(page)
        return
    fd, path = tempfile.mkstemp(prefix="lucid_show_", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("<!DOCTYPE html><html><body>%s</body></html>" % page.data)
    print("[lucid.show] mesh viewer saved to %s" % path)


show.textured_mesh = textured_mesh  # type: ignore[attr-defined]
