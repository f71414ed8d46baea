"""Write bytes to local paths or to gs:// (through TensorFlow's GCS filesystem), atomically."""

import io
import os
import uuid
from contextlib import contextmanager

import tensorflow as tf

from lucid.misc.io.scoping import resolve_url, scope_url

__all__ = [
    "scope_url",
    "write",
    "write_handle",
]


def write(data, url, mode="wb"):
    """Write `data` to `url`; a str written in binary mode is encoded as UTF-8."""
    if isinstance(data, str) and "b" in mode:
        data = data.encode("utf-8")
    with write_handle(url, mode) as handle:
        handle.write(data)


@contextmanager
def write_handle(path, mode=None):
    """Yield a handle that writes `path` (io scopes applied); http(s) URLs raise ValueError.

    Local files are written to a hidden temporary file next to the target and moved into place with
    `os.replace` when the block ends without error, so readers never see a half-written file and an
    exception leaves the previous file untouched. Missing parent directories are created. gs:// data is
    buffered in memory and uploaded only when the block ends without error (GFile would upload what was
    written so far even after an exception).
    """
    mode = mode or "wb"
    if not mode.startswith("w"):
        raise ValueError("write_handle only opens files for writing ('w' or 'wb'), got mode %r." % mode)
    path = scope_url(path)
    scheme, location = resolve_url(path)
    if scheme in ("http", "https"):
        raise ValueError("Writing to remote URL (%s) is not supported; write to a local path or gs:// URL." % path)
    if scheme == "gs":
        buffer = io.BytesIO() if "b" in mode else io.StringIO()
        buffer.name = path  # savers such as PIL pick the format from the name
        yield buffer
        with tf.io.gfile.GFile(path, mode) as handle:
            handle.write(buffer.getvalue())
        return
    directory, name = os.path.split(os.path.abspath(location))
    os.makedirs(directory, exist_ok=True)
    # The temporary name keeps the target's extension so name-based format detection (PIL) still works.
    temp_path = os.path.join(directory, ".tmp-%s-%s" % (uuid.uuid4().hex[:12], name[-200:]))
    try:
        with open(temp_path, "x" + mode[1:]) as handle:
            yield handle
        os.replace(temp_path, location)
    except BaseException:
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise
