"""Read local files and remote URLs (http, https, gs), keeping a local cache of remote files.

gs:// URLs are fetched anonymously over https (`gcs_https_url`), so public model files need no GCS
credentials. Environment variables (read at each call):

* `LUCID_CACHE_DIR`: the cache directory, else `$XDG_CACHE_HOME/lucid`, else `~/.cache/lucid`.
* `LUCID_MODELZOO_URL`: a mirror that replaces `https://storage.googleapis.com` for gs:// URLs
  (gs://modelzoo/x.pb is fetched from `$LUCID_MODELZOO_URL/modelzoo/x.pb`; file:// mirrors work too; an http://
  mirror gets a warning, as anyone on the way can change what it serves).
* `LUCID_MODEL_DIR`: a directory of already-downloaded files, used without any network. For
  gs://modelzoo/vision/other_models/InceptionV1.pb it looks for modelzoo/vision/other_models/InceptionV1.pb,
  vision/other_models/InceptionV1.pb, then other_models/InceptionV1.pb in it: always a folder and the file name,
  so the caffe, slim and other InceptionV1 stay three files.

A cache entry is named by the URL's file name and a hash of the whole URL it is fetched from (a mirror's URL when
one is set), so two URLs never share an entry. The sha256 of each download is kept next to it (`<entry>.sha256`)
and checked whenever the entry is used: a changed entry is downloaded again.

Downloads time out after DOWNLOAD_TIMEOUT seconds without data, are retried (DOWNLOAD_ATTEMPTS in all, waiting
RETRY_DELAY seconds, then twice as long each time) on network errors, truncated bodies and HTTP 5xx, but fail at
once on errors a retry cannot fix (unknown host name, connection refused, HTTP 4xx, a redirect from https to
http at any hop of a chain). They stream into a temporary file renamed into the cache only when complete, and hold
a file lock so that concurrent processes download a file once. Files of PROGRESS_MIN_BYTES or more show a progress
line on stderr.
"""

import hashlib
import http.client
import io
import logging
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request
import warnings
from contextlib import closing, contextmanager
from urllib.parse import urlparse

import filelock

from lucid.misc.io.scoping import gcs_https_url, resolve_url, scope_url
from lucid.misc.io.writing import write_handle

__all__ = [
    "cache_dir",
    "check_redirect",
    "DOWNLOAD_ATTEMPTS",
    "DOWNLOAD_TIMEOUT",
    "local_cache_path",
    "local_model_file",
    "LUCID_CACHE_DIR_NAME",
    "MAX_FILENAME_LENGTH",
    "OPENER",
    "PROGRESS_MIN_BYTES",
    "purge_cached",
    "read",
    "read_handle",
    "remote_http_url",
    "RETRY_DELAY",
    "scope_url",
    "write_handle",
]

log = logging.getLogger(__name__)

MAX_FILENAME_LENGTH = 200
# Characters a cache file name does not keep from the URL (replaced by "_").
RESERVED_PATH_CHARS = re.compile("[^A-Za-z0-9_.-]")
# The name of the cache directory under XDG_CACHE_HOME (or ~/.cache) unless LUCID_CACHE_DIR is set.
LUCID_CACHE_DIR_NAME = "lucid"
_READ_BUFFER_SIZE = 1048576

DOWNLOAD_TIMEOUT = 60.0
DOWNLOAD_ATTEMPTS = 4
RETRY_DELAY = 1.0
PROGRESS_MIN_BYTES = 4 * 2**20


def read(url, encoding=None, cache=None, mode="rb"):
    """Return the whole content of `url` as bytes, or as str when `encoding` is given."""
    with read_handle(url, cache=cache, mode=mode) as handle:
        data = handle.read()
    if encoding and isinstance(data, bytes):
        return data.decode(encoding)
    return data


@contextmanager
def read_handle(url, cache=None, mode="rb"):
    """Yield an open handle on `url` (io scopes applied) and close it afterwards.

    `cache` only concerns remote URLs: None/True read through the local cache, False always downloads,
    "purge" deletes the cached copy first and then caches a fresh download. A copy of a remote file in
    `$LUCID_MODEL_DIR` is used before any of these.
    """
    url = scope_url(url)
    scheme, location = resolve_url(url)
    if scheme:
        location = local_model_file(url)  # None unless a copy sits in $LUCID_MODEL_DIR
    if location is not None:
        if not os.path.isfile(location):
            raise FileNotFoundError("No such file: %r. Check the path (and any active io_scope)." % location)
        handle = open(location, mode)
    else:
        if cache == "purge":
            purge_cached(url)
            cache = None
        if cache is None:
            log.debug("Caching remote URL %s by default.", url)
            cache = True
        if cache:
            handle = _read_and_cache(url, mode)
        else:
            handle = _with_retries(url, lambda: _urlopen(url))
            if "b" not in mode:
                handle = io.TextIOWrapper(handle, encoding="utf-8")
    with closing(handle):
        yield handle


def remote_http_url(url):
    """The URL a remote `url` is fetched from: gs:// goes to `$LUCID_MODELZOO_URL` or storage.googleapis.com."""
    if not url.startswith("gs://"):
        return url
    mirror = os.environ.get("LUCID_MODELZOO_URL")
    if mirror:
        if mirror.lower().startswith("http://"):
            warnings.warn(
                "LUCID_MODELZOO_URL=%s is an http:// mirror: anyone on the way can change the models it serves. "
                "Use an https:// or file:// mirror." % mirror,
                stacklevel=2,
            )
        return mirror.rstrip("/") + "/" + url[len("gs://") :]
    return gcs_https_url(url)


def _relative_paths(url):
    """Where a copy of `url` may sit in a directory: its bucket/host and path, then ever shorter tails of them down
    to a folder and the file name (a bare file name would mix up files of the same name in different folders).

    "." and ".." are dropped, so no candidate leaves the directory.
    """
    parsed = urlparse(url)
    parts = [part for part in [parsed.netloc] + parsed.path.split("/") if part not in ("", ".", "..")]
    return [os.path.join(*parts[i:]) for i in range(max(1, len(parts) - 1))]


def local_model_file(url):
    """Path of an already-downloaded copy of the remote `url` in `$LUCID_MODEL_DIR`, or None."""
    directory = os.environ.get("LUCID_MODEL_DIR")
    if not directory:
        return None
    for relative_path in _relative_paths(url):
        path = os.path.join(directory, relative_path)
        if os.path.isfile(path):
            log.debug("Using %s for %s (LUCID_MODEL_DIR).", path, url)
            return path
    return None


def check_redirect(from_url, to_url):
    """Raise ValueError for a redirect from https to http: anyone on the way could then change the file, and send
    it on to any https address (a chain https -> http -> https ends encrypted but serves their bytes)."""
    if from_url.lower().startswith("https://") and not to_url.lower().startswith("https://"):
        raise ValueError(
            "%s redirected to the unencrypted %s; lucid does not follow redirects from https to http, as anyone on "
            "the way could change the file. Download it by hand if you trust that address." % (from_url, to_url)
        )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only after `check_redirect` allows that hop, so no hop of a chain goes from https to http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_redirect(req.full_url, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# What remote files are opened with: urllib's default handlers, redirects checked at every hop.
OPENER = urllib.request.build_opener(_CheckedRedirects)


def _urlopen(url):
    """One attempt at opening `url` (mirror applied); HTTP 404 and missing file:// paths are FileNotFoundError."""
    http_url = remote_http_url(url)
    try:
        return OPENER.open(http_url, timeout=DOWNLOAD_TIMEOUT)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise FileNotFoundError("%s was not found (HTTP 404 from %s)." % (url, http_url)) from error
        raise
    except urllib.error.URLError as error:
        if isinstance(error.reason, FileNotFoundError):
            raise FileNotFoundError("%s was not found (no file %s)." % (url, http_url)) from error
        raise


# Name resolution errors that say the host does not exist (not that the resolver is busy: EAI_AGAIN is retried).
_UNKNOWN_HOST_ERRORS = {
    getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_FAIL") if hasattr(socket, name)
}


def _is_transient(error):
    """Whether a failed download is worth retrying: network trouble, a cut-off body, a server-side HTTP error.

    An unknown host name or a refused connection fails at once: waiting does not make a host exist or a server
    listen, and an offline user should not wait for each missing file.
    """
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code in (408, 429)
    reason = getattr(error, "reason", error)
    if isinstance(reason, socket.gaierror) and reason.errno in _UNKNOWN_HOST_ERRORS:
        return False
    if isinstance(reason, ConnectionRefusedError):
        return False
    return isinstance(error, (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException))


def _with_retries(url, attempt):
    """`attempt()`, retried with exponential back-off on transient errors; then ConnectionError with a way out."""
    delay = RETRY_DELAY
    for number in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            return attempt()
        except Exception as error:
            if not _is_transient(error):
                if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
                    raise ConnectionError(_download_failed_message(url, error, number)) from error
                raise
            if number == DOWNLOAD_ATTEMPTS:
                raise ConnectionError(_download_failed_message(url, error, number)) from error
            log.warning(
                "Download of %s failed (%s); retrying in %.1f s (attempt %d of %d).",
                url,
                error,
                delay,
                number + 1,
                DOWNLOAD_ATTEMPTS,
            )
            time.sleep(delay)
            delay *= 2


def _download_failed_message(url, error, attempts):
    model_dir = os.environ.get("LUCID_MODEL_DIR")
    target = os.path.join(model_dir or "<dir>", _relative_paths(url)[0])
    return (
        "Could not download %s from %s (%d attempt%s; last error: %s).\n"
        "If this machine is offline or the server is unreachable, download the file by hand, e.g.\n"
        "    curl -o %s %s\n"
        "and put it at %s%s. It is then used without network. A mirror of storage.googleapis.com can be set "
        "with LUCID_MODELZOO_URL."
        % (
            url,
            remote_http_url(url),
            attempts,
            "" if attempts == 1 else "s",
            error,
            os.path.basename(target),
            remote_http_url(url),
            target,
            "" if model_dir else ", setting the environment variable LUCID_MODEL_DIR=<dir>",
        )
    )


def cache_dir():
    """The cache directory, read from the environment at each call."""
    root = os.environ.get("LUCID_CACHE_DIR")
    if root:
        return root
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, LUCID_CACHE_DIR_NAME)


def local_cache_path(remote_url):
    """Cache file for `remote_url`: a hash of the URL it is fetched from (a mirror's, when set) and its file name
    with characters outside [A-Za-z0-9_.-] as "_", cut to MAX_FILENAME_LENGTH. The name starts with the hash, so it
    can never leave the cache directory, and two URLs never share it."""
    fetched_from = remote_http_url(remote_url)
    digest = hashlib.sha256(fetched_from.encode("utf-8")).hexdigest()[:32]
    readable = RESERVED_PATH_CHARS.sub("_", urlparse(fetched_from).path.rsplit("/", 1)[-1])
    name = (digest + "-" + readable)[:MAX_FILENAME_LENGTH]
    directory = cache_dir()
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, name)


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_READ_BUFFER_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_intact(local_path):
    """Whether the cache entry has the sha256 recorded when it was downloaded (no record: not intact)."""
    try:
        with open(local_path + ".sha256") as handle:
            recorded = handle.read().split()[0]
    except (OSError, IndexError):
        return False
    return _sha256_of(local_path) == recorded


def _remove_entry(local_path):
    for path in (local_path, local_path + ".sha256"):
        if os.path.exists(path):
            os.remove(path)


@contextmanager
def _cache_lock(local_path):
    """Hold the cache entry's file lock, telling the user when another process holds it."""
    lock = filelock.FileLock(local_path + ".lockfile")
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        log.info("Waiting for another process to finish downloading %s.", local_path)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _read_and_cache(url, mode):
    """Open the cached copy of `url`, downloading it first if needed (see the module docstring)."""
    local_path = local_cache_path(url)
    with _cache_lock(local_path):
        if os.path.exists(local_path) and not _is_intact(local_path):
            log.warning("Cached %s for %s changed since its download; downloading it again.", local_path, url)
            _remove_entry(local_path)
        if os.path.exists(local_path):
            log.debug("Using cached %s for %s.", local_path, url)
        else:
            log.info("Downloading %s to cache %s.", url, local_path)
            _with_retries(url, lambda: _download(url, local_path))
        return open(local_path, mode)


def _download(url, local_path):
    """One attempt: stream `url` into a temporary file that becomes `local_path` only when complete, then record
    its sha256 next to it."""
    digest = hashlib.sha256()
    with closing(_urlopen(url)) as remote, write_handle(local_path, "wb") as cached:
        headers = getattr(remote, "headers", None)
        length = headers.get("Content-Length") if headers is not None else None
        expected = int(length) if length and length.isdigit() else None
        show_progress = expected is not None and expected >= PROGRESS_MIN_BYTES
        received = 0
        for chunk in iter(lambda: remote.read(_READ_BUFFER_SIZE), b""):
            cached.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            if show_progress:
                sys.stderr.write(
                    "\rDownloading %s: %3d%% of %.1f MB"
                    % (os.path.basename(url), 100 * received // expected, expected / 2**20)
                )
        if show_progress:
            sys.stderr.write("\n")
        if expected is not None and received != expected:
            raise ConnectionError("the download of %s stopped after %d of %d bytes" % (url, received, expected))
    with write_handle(local_path + ".sha256", "w") as record:
        record.write("%s  %s\n" % (digest.hexdigest(), remote_http_url(url)))


def purge_cached(url):
    """Delete the cached copy of `url`, if any."""
    local_path = local_cache_path(url)
    with _cache_lock(local_path):
        if os.path.exists(local_path):
            log.info("Purging cached %s.", local_path)
        _remove_entry(local_path)
