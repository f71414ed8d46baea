"""Where a URL points: io scopes (relative paths resolved against a thread-local stack) and URL schemes.

`io_scope("gs://bucket/run1")` lets code save and load plain relative names such as "image.png".
`resolve_url` is the one place that decides which schemes lucid reads and writes.
"""

import os
import posixpath
import threading
import urllib.request
from contextlib import contextmanager
from urllib.parse import urlparse

__all__ = [
    "ALLOWED_SCHEMES",
    "current_io_scopes",
    "gcs_https_url",
    "io_scope",
    "resolve_url",
    "scope_url",
    "set_io_scopes",
]

_thread_local = threading.local()

ALLOWED_SCHEMES = "local paths, file://, http://, https:// and gs://"
_GCS_HTTPS_PREFIX = "https://storage.googleapis.com/"


def current_io_scopes():
    """The io scope stack of this thread (a new thread starts with an empty stack)."""
    if not hasattr(_thread_local, "io_scopes"):
        _thread_local.io_scopes = []
    return _thread_local.io_scopes


def set_io_scopes(scopes):
    _thread_local.io_scopes = scopes


@contextmanager
def io_scope(path, replace_current_scopes=False):
    """Resolve relative URLs inside the block against `path` (appended to the current scopes).

    With `replace_current_scopes=True`, `path` (a string or a list of strings) replaces the stack instead.
    The previous stack is restored on exit, also after an error.
    """
    previous = list(current_io_scopes())
    if replace_current_scopes:
        set_io_scopes(list(path) if isinstance(path, (list, tuple)) else [path])
    else:
        set_io_scopes(previous + [path])
    try:
        yield
    finally:
        set_io_scopes(previous)


def _normalize_url(url):
    """Collapse "a/../b" in the part after "://"; strings without "://" are returned unchanged."""
    scheme, separator, rest = url.partition("://")
    if rest:
        rest = posixpath.normpath(rest)
    return scheme + separator + rest


def scope_url(url, io_scopes=None):
    """Join a relative `url` onto the io scopes; absolute paths and URLs ("//" anywhere) are returned as is."""
    url = os.fspath(url)
    if "//" in url or url.startswith("/"):
        return url
    scopes = current_io_scopes() if io_scopes is None else io_scopes
    return _normalize_url(os.path.join(*scopes, url))


def gcs_https_url(url):
    """`gs://bucket/path` -> `https://storage.googleapis.com/bucket/path` (anonymous public read URL)."""
    return _GCS_HTTPS_PREFIX + url[len("gs://") :]


def resolve_url(url):
    """Return `(scheme, location)`: `("", local_path)` for local paths and file:// URLs, else
    `("http" | "https" | "gs", url)`. Any other scheme raises ValueError."""
    scheme, separator, _ = url.partition("://")
    if not separator:
        return "", url
    scheme = scheme.lower()
    if scheme == "file":
        return "", urllib.request.url2pathname(urlparse(url).path)
    if scheme in ("http", "https", "gs"):
        return scheme, url
    raise ValueError("Unsupported URL scheme %r in %r: lucid reads and writes %s." % (scheme, url, ALLOWED_SCHEMES))
