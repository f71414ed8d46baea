"""`load(url_or_handle)`: read a file or URL and decode it according to its extension.

Images become float32 arrays in [0, 1], .npy/.npz go through numpy (no pickles unless asked), .json,
.txt/.md, .pb (GraphDef), and pickles only with `allow_unsafe_formats=True`. An outer `.xz` is decompressed.
A list of URLs is loaded in parallel; failures come back as exception objects in their slots.
"""

import io
import json
import logging
import lzma
import os
import pickle
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from urllib.parse import urlparse

import numpy as np
import PIL.Image
import tensorflow as tf
from google.protobuf.message import DecodeError

from lucid.misc.io.image_files import open_image
from lucid.misc.io.reading import local_cache_path, local_model_file, purge_cached, read_handle
from lucid.misc.io.scoping import current_io_scopes, io_scope, resolve_url, scope_url, set_io_scopes  # noqa: F401

__all__ = [
    "current_io_scopes",
    "DECODE_ERRORS",
    "decompressors",
    "is_handle",
    "load",
    "load_using_loader",
    "loaders",
    "nullcontext",
    "read_handle",
    "set_io_scopes",
    "unsafe_loaders",
]

log = logging.getLogger(__name__)


def _load_img(handle, target_dtype=np.float32, size=None, **kwargs):
    """Image file -> array in [0, 1] of `target_dtype`; grayscale is repeated to 3 channels, RGBA keeps 4.

    `size` resizes first (PIL order: width, height; LANCZOS).
    """
    image = open_image(handle)
    if image.mode not in ("L", "RGB", "RGBA", "I;16"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    if size is not None:
        if len(size) > 2:
            log.warning("`size` has more than 2 entries; only the first two (width, height) are used.")
        image = image.resize(tuple(size[:2]), PIL.Image.LANCZOS)
    array = np.asarray(image)
    array = np.divide(array, np.iinfo(array.dtype).max, dtype=target_dtype)
    if array.ndim == 2:
        return np.stack([array] * 3, axis=-1)
    return array


def _load_npy(handle, **kwargs):
    """.npy file -> ndarray. Pickled object arrays are refused unless `allow_pickle=True` is passed."""
    kwargs.setdefault("allow_pickle", False)
    return np.load(handle, **kwargs)


def _load_npz(handle, **kwargs):
    """.npz file -> np.lib.npyio.NpzFile; the bytes are kept in memory so its arrays stay readable
    after the file is closed."""
    kwargs.setdefault("allow_pickle", False)
    return np.load(io.BytesIO(handle.read()), **kwargs)


def _load_json(handle, **kwargs):
    return json.load(handle, **kwargs)


def _load_text(handle, split=False, encoding="utf-8"):
    """Text file -> str, or its list of lines with `split=True`."""
    text = handle.read()
    if isinstance(text, bytes):
        text = text.decode(encoding)
    return text.splitlines() if split else text


def _load_graphdef(handle, **kwargs):
    """Binary .pb file -> tf.compat.v1.GraphDef; ValueError when the bytes are not a GraphDef."""
    try:
        return tf.compat.v1.GraphDef.FromString(handle.read())
    except DecodeError as error:
        name = getattr(handle, "name", "<stream>")
        raise ValueError(
            "%s is not a valid GraphDef (%s); expected a binary frozen graph .pb file." % (name, error)
        ) from error


def _load_pickle(handle, **kwargs):
    return pickle.load(handle, **kwargs)


def _decompress_xz(handle):
    return lzma.LZMAFile(handle, "rb", format=lzma.FORMAT_XZ)


loaders = {
    ".png": _load_img,
    ".jpg": _load_img,
    ".jpeg": _load_img,
    ".npy": _load_npy,
    ".npz": _load_npz,
    ".json": _load_json,
    ".txt": _load_text,
    ".md": _load_text,
    ".pb": _load_graphdef,
}

unsafe_loaders = {
    ".pickle": _load_pickle,
    ".pkl": _load_pickle,
}

decompressors = {
    ".xz": _decompress_xz,
}


def is_handle(url_or_handle):
    """True for an open file-like object with a `.name` (what `load` reads directly), False for a URL or path."""
    return hasattr(url_or_handle, "read") and hasattr(url_or_handle, "name")


def _get_extension(url_or_handle):
    """Return `(ext, decompressor_ext)`, e.g. (".npy", ".xz") for "a.npy.xz"; RuntimeError without extension."""
    if is_handle(url_or_handle):
        path = url_or_handle.name
    elif isinstance(url_or_handle, (str, os.PathLike)):
        path = os.fspath(url_or_handle)
    else:
        raise TypeError(
            "load expects a path, a URL, a list of them, or an open file with a .name; got %r."
            % type(url_or_handle).__name__
        )
    if "://" in path:
        path = urlparse(path).path
    stem, ext = os.path.splitext(path)
    decompressor_ext = None
    if ext.lower() in decompressors:
        decompressor_ext = ext.lower()
        ext = os.path.splitext(stem)[1]
    if not ext:
        raise RuntimeError(
            "No extension in URL: %s. Add one (.png, .npy, .json, ...) so lucid knows the format." % path
        )
    return ext, decompressor_ext


def _seekable(handle):
    """`handle`, or its content in memory when it cannot seek (numpy and PIL need to seek)."""
    seekable = getattr(handle, "seekable", None)
    if seekable is not None and seekable():
        return handle
    return io.BytesIO(handle.read())


def _decode(handle, decompressor, loader, kwargs):
    with decompressor(_seekable(handle)) as inner:
        return loader(inner, **kwargs)


# What a decoder raises on bytes that are not its format: a corrupt or cut-off file, an HTML page under a .png name.
DECODE_ERRORS = (ValueError, OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, pickle.UnpicklingError)


def load_using_loader(url_or_handle, decompressor, loader, cache, **kwargs):
    """Decode an open handle or a URL with `loader`.

    If decoding a cached remote file fails (a corrupt, cut-off or wrong download: one of DECODE_ERRORS), the cached
    copy is removed and the URL is downloaded and decoded once more; if that fails too, the new copy is removed as
    well and a ValueError names the URL and the cache file.
    """
    if is_handle(url_or_handle):
        return _decode(url_or_handle, decompressor, loader, kwargs)
    url = url_or_handle
    scoped_url = scope_url(url)
    cached_remote = cache is not False and resolve_url(scoped_url)[0] != "" and local_model_file(scoped_url) is None
    if not cached_remote:
        with read_handle(url, cache=cache) as handle:
            return _decode(handle, decompressor, loader, kwargs)
    for attempt in (cache, "purge"):
        with read_handle(url, cache=attempt) as handle:
            try:
                return _decode(handle, decompressor, loader, kwargs)
            except DECODE_ERRORS as error:
                failure = error
        if attempt != "purge":
            log.warning(
                "Could not decode %s (cached at %s): %s; downloading it again.",
                scoped_url,
                local_cache_path(scoped_url),
                failure,
            )
    cache_path = local_cache_path(scoped_url)
    purge_cached(scoped_url)
    raise ValueError(
        "The file downloaded from %s is corrupt, also when downloaded a second time: %s. Its cache file %s was "
        "deleted. Check that the URL serves this kind of file; or download it by hand and put it in "
        "$LUCID_MODEL_DIR." % (scoped_url, failure, cache_path)
    ) from failure


class ResourceNotFoundError(FileNotFoundError, RuntimeError):
    """A missing file of unknown extension: also a RuntimeError, which is what the original raised for it."""


def load(url_or_handle, allow_unsafe_formats=False, cache=None, **kwargs):
    """Load a local path, a URL (http, https, gs, file), an open file, or a list/tuple of those.

    Extra keyword arguments go to the format's loader (e.g. `split=True` for .txt, `size=` for images).
    """
    if isinstance(url_or_handle, (list, tuple)):
        return _load_urls(url_or_handle, allow_unsafe_formats=allow_unsafe_formats, cache=cache, **kwargs)

    ext, decompressor_ext = _get_extension(url_or_handle)
    ext = ext.lower()
    decompressor = decompressors[decompressor_ext] if decompressor_ext else nullcontext
    if ext in loaders:
        loader = loaders[ext]
    elif ext in unsafe_loaders:
        if not allow_unsafe_formats:
            raise ValueError(
                "Extension '%s' is considered unsafe: loading it can run arbitrary code. Pass "
                "allow_unsafe_formats=True only if you trust the source." % ext
            )
        loader = unsafe_loaders[ext]
    else:
        log.warning("Unknown extension '%s', attempting to load as image.", ext)
        try:
            return load_using_loader(url_or_handle, decompressor, _load_img, cache, **kwargs)
        except FileNotFoundError as error:
            raise ResourceNotFoundError(str(error)) from error
        except PIL.UnidentifiedImageError as error:
            raise RuntimeError(
                "Could not load resource %s as image. Supported extensions: %s"
                % (url_or_handle, sorted(loaders) + sorted(unsafe_loaders))
            ) from error
    return load_using_loader(url_or_handle, decompressor, loader, cache, **kwargs)


def _load_urls(urls, cache=None, **kwargs):
    """Load `urls` in parallel with the caller's io scopes; a failed entry holds its exception."""
    scopes = list(current_io_scopes())

    def load_one(url):
        with io_scope(scopes, replace_current_scopes=True):
            try:
                return load(url, cache=cache, **kwargs)
            except Exception as error:
                log.error("Could not load %s: %s", url, error)
                return error

    with ThreadPoolExecutor(max_workers=8) as executor:
        return list(executor.map(load_one, urls))
