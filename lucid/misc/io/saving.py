"""`save(thing, url_or_handle)`: encode `thing` according to the target's extension and write it.

Each saver returns a small dict describing what was written ({"type": ..., "url": ..., ...}); results are
also recorded by the active `CaptureSaveContext`, which lets callers collect everything a run saved.
"""

import io
import json
import logging
import lzma
import os
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
import PIL.Image

from lucid.misc.io.scoping import current_io_scopes, gcs_https_url, io_scope, scope_url, set_io_scopes  # noqa: F401
from lucid.misc.io.serialize_array import as_frames, normalize_array, serialize_animation
from lucid.misc.io.writing import write_handle

__all__ = [
    "batch_save",
    "CaptureSaveContext",
    "ClarityJSONEncoder",
    "compress_xz",
    "compressors",
    "current_io_scopes",
    "nullcontext",
    "save",
    "save_gif",
    "save_img",
    "save_json",
    "save_npy",
    "save_npz",
    "save_pb",
    "save_pickle",
    "save_str",
    "save_txt",
    "savers",
    "set_io_scopes",
    "unsafe_savers",
    "write_handle",
]

log = logging.getLogger(__name__)


class ClarityJSONEncoder(json.JSONEncoder):
    """JSON encoder that also handles sets (as lists), numpy scalars and arrays, and objects with a `to_json()`."""

    def default(self, obj):
        if isinstance(obj, set):
            return list(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            return float(obj)
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if hasattr(obj, "to_json"):
            return obj.to_json()
        return super().default(obj)


def _write_text(handle, data):
    """Write str or bytes to `handle`, converting to whatever the handle takes (text or binary stream)."""
    if isinstance(handle, io.TextIOBase):
        handle.write(data.decode("utf-8") if isinstance(data, bytes) else data)
    else:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def save_json(object, handle, indent=2):
    """Pretty-printed JSON (no trailing newline)."""
    _write_text(handle, json.dumps(object, indent=indent, cls=ClarityJSONEncoder))
    return {"type": "json"}


def save_npy(object, handle):
    array = np.asarray(object)
    np.save(handle, array)
    return {"type": "npy", "shape": array.shape, "dtype": str(array.dtype)}


def save_npz(object, handle):
    """A dict is saved by key, a list/tuple as arr_0, arr_1, ...; anything else as the single arr_0."""
    if isinstance(object, dict):
        np.savez(handle, **object)
    elif isinstance(object, (list, tuple)):
        np.savez(handle, *object)
    else:
        log.warning("Saving a single object to npz; it will be stored under the key 'arr_0'.")
        np.savez(handle, object)
    return {"type": "npz"}


def save_img(object, handle, domain=None, **kwargs):
    """Save an ndarray or a PIL image; the format comes from the file name. Extra kwargs (e.g. quality=90)
    go to PIL's save.

    Arrays go through the same conversion as `show` (see `normalize_array`); the default `domain=None`
    stretches the array's own min..max to black..white, as the original's `save_img`: pass `domain=(0, 1)` to
    keep the values of a [0, 1] image.
    """
    if isinstance(object, np.ndarray):
        object = PIL.Image.fromarray(normalize_array(object, domain=domain))
    if not isinstance(object, PIL.Image.Image):
        raise ValueError("Can only save_img for numpy arrays or PIL.Images!")
    object.save(handle, **kwargs)
    return {"type": "image", "shape": object.size + (len(object.getbands()),)}


def _save_animation(object, handle, fps=10, domain=(0, 1)):
    """The ".gif" saver: frames as a looping animated GIF (see `save_gif`)."""
    handle.write(serialize_animation(object, domain=domain, fps=fps))
    return {"type": "gif", "frames": len(as_frames(object)), "fps": fps}


def save_gif(images, url_or_handle, fps=10, domain=(0, 1)):
    """Save frames as a looping animated GIF at `url_or_handle` (a .gif path, written atomically, or a handle).

    `images`: a list of HxWxC images, a [N, H, W, C] array, or the list that
    `render_vis(..., thresholds=range(0, 512, 8))` returns (each [B, H, W, C] batch laid side by side).
    Values in `domain` map to black..white, as in `show`.
    """
    name = url_or_handle.name if hasattr(url_or_handle, "name") else os.fspath(url_or_handle)
    if os.path.splitext(name)[1].lower() != ".gif":
        raise ValueError("save_gif writes GIF files; give a path ending in .gif, got %r." % name)
    return save(images, url_or_handle, fps=fps, domain=domain)


def save_txt(object, handle, **kwargs):
    """A str is written as is; a list is written one item per line (non-strings via repr). Other keyword
    arguments are ignored, as in the original (so one `save(..., **options)` call fits every format)."""
    if isinstance(object, str):
        _write_text(handle, object)
    else:
        for line in object:
            if not isinstance(line, (str, bytes)):
                log.warning("Writing %r to a text file with repr().", line)
                line = repr(line)
            if isinstance(line, str):
                line = line.encode("utf-8")
            _write_text(handle, line if line.endswith(b"\n") else line + b"\n")
    return {"type": "txt"}


def save_str(object, handle, **kwargs):
    """`object` (a str) as text; other keyword arguments are ignored, as in the original."""
    if not isinstance(object, str):
        raise TypeError("save_str needs a str, got %s." % type(object).__name__)
    _write_text(handle, object)
    return {"type": "txt"}


def save_pb(object, handle, **kwargs):
    """A protobuf message such as a tf.compat.v1.GraphDef, binary-serialised; other keyword arguments are ignored."""
    handle.write(object.SerializeToString())
    return {"type": "pb"}


def save_pickle(object, handle, **kwargs):
    """`pickle.dump`; other keyword arguments are ignored, as in the original."""
    pickle.dump(object, handle)


def compress_xz(handle, **kwargs):
    """Wrap `handle` so writes are xz-compressed; `.name` drops ".xz" so savers see the inner format. Keyword
    arguments (meant for the saver) are ignored, as in the original."""
    compressed = lzma.LZMAFile(handle, format=lzma.FORMAT_XZ, mode="wb")
    compressed.name = os.path.splitext(handle.name)[0]
    return compressed


savers = {
    ".png": save_img,
    ".jpg": save_img,
    ".jpeg": save_img,
    ".webp": save_img,
    ".npy": save_npy,
    ".npz": save_npz,
    ".json": save_json,
    ".txt": save_txt,
    ".pb": save_pb,
    ".gif": _save_animation,
}

unsafe_savers = {
    ".pickle": save_pickle,
    ".pkl": save_pickle,
}

compressors = {
    ".xz": compress_xz,
}


class CaptureSaveContext:
    """`with CaptureSaveContext() as context:` collects the result dict of every save in the block (this
    thread, plus `batch_save` workers) in `context.captured_saves`."""

    _local = threading.local()

    def __init__(self):
        self.captured_saves = []

    @classmethod
    def _stack(cls):
        if not hasattr(cls._local, "stack"):
            cls._local.stack = []
        return cls._local.stack

    def __enter__(self):
        self._stack().append(self)
        return self

    def __exit__(self, *exc_info):
        self._stack().pop()

    def capture(self, save_result):
        if save_result is not None:
            self.captured_saves.append(save_result)

    @classmethod
    def current_save_context(cls):
        stack = cls._stack()
        return stack[-1] if stack else None


def _pick_saver(ext, thing, allow_unsafe_formats):
    if ext in savers:
        return savers[ext]
    if ext in unsafe_savers:
        if not allow_unsafe_formats:
            raise ValueError(
                "Extension '%s' is considered unsafe: its files can run code when loaded. Pass "
                "allow_unsafe_formats=True to save it anyway." % ext
            )
        return unsafe_savers[ext]
    if isinstance(thing, str):
        return save_str
    raise ValueError(
        "Unknown extension '{}'. As a result, only strings can be saved, not {}. Supported extensions: {}".format(
            ext, type(thing).__name__, sorted(savers) + sorted(unsafe_savers)
        )
    )


def save(thing, url_or_handle, allow_unsafe_formats=False, save_context=None, **kwargs):
    """Save `thing` to a path/URL (io scopes applied; local writes are atomic) or to an open file with a
    `.name`. Extra kwargs go to the saver. Returns the result dict (None for pickles)."""
    is_handle = hasattr(url_or_handle, "write") and hasattr(url_or_handle, "name")
    url = url_or_handle.name if is_handle else scope_url(url_or_handle)
    stem, ext = os.path.splitext(url)
    compressor = compressors.get(ext.lower())
    if compressor:
        ext = os.path.splitext(stem)[1]
    if not ext:
        raise RuntimeError("No extension in URL: %s. Add one (.png, .npy, .json, ...) to pick the format." % url)
    saver = _pick_saver(ext.lower(), thing, allow_unsafe_formats)

    with nullcontext(url_or_handle) if is_handle else write_handle(url_or_handle) as handle:
        with compressor(handle) if compressor else nullcontext(handle) as target:
            result = saver(thing, target, **kwargs)

    if result is None:
        return None
    result["url"] = url
    if url.startswith("gs://"):
        result["serve"] = gcs_https_url(url)
    context = save_context or CaptureSaveContext.current_save_context()
    if context is not None:
        context.capture(result)
    return result


def batch_save(save_ops, num_workers=16):
    """Run `save` for each `(thing, url)` or `(thing, url, kwargs)` in parallel; results in input order.

    Workers use the caller's io scopes and save context.
    """
    ops = []
    for op in save_ops:
        if not isinstance(op, tuple) or len(op) not in (2, 3):
            raise ValueError("batch_save takes tuples (thing, url) or (thing, url, kwargs), got %r." % (op,))
        ops.append(op if len(op) == 3 else op + ({},))
    scopes = list(current_io_scopes())
    context = CaptureSaveContext.current_save_context()

    def save_one(op):
        thing, url, kwargs = op
        with io_scope(scopes, replace_current_scopes=True):
            return save(thing, url, save_context=context, **kwargs)

    with ThreadPoolExecutor(max_workers=num_workers) as executor:
        return list(executor.map(save_one, ops))
