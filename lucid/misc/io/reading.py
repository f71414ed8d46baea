"""Read local files and remote URLs (http, https, gs), keeping a local cache of remote files.

gs:// URLs are fetched anonymously over https (`gcs_https_url`), so public model files need no GCS
credentials. The cache lives in `$LUCID_CACHE_DIR`, else `$XDG_CACHE_HOME/lucid`, else `~/.cache/lucid`.
"""
import hashlib
import io
import logging
import os
import re
import shutil
import urllib.error
import urllib.request
from contextlib import closing, contextmanager

import filelock

from lucid.misc.io.scoping import gcs_https_url, resolve_url, scope_url
from lucid.misc.io.writing import write_handle

log = logging.getLogger(__name__)

MAX_FILENAME_LENGTH = 200
_READ_BUFFER_SIZE = 1048576


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
    "purge" deletes the cached copy first and then caches a fresh download.
    """
    url = scope_url(url)
    scheme, location = resolve_url(url)
    if not scheme:
        if not os.path.isfile(location):
            raise FileNotFoundError("No such file: %r. Check the path (and any active io_scope)." % location)
        handle = open(location, mode)
    else:
        if cache == "purge":
            _purge_cached(url)
            cache = None
        if cache is None:
            log.debug("Caching remote URL %s by default.", url)
            cache = True
        if cache:
            handle = _read_and_cache(url, mode)
        else:
            handle = _open_remote(url)
            if "b" not in mode:
                handle = io.TextIOWrapper(handle, encoding="utf-8")
    with closing(handle):
        yield handle


def _open_remote(url):
    """Open a binary stream on an http(s) or gs:// URL; HTTP 404 becomes FileNotFoundError."""
    http_url = gcs_https_url(url) if url.startswith("gs://") else url
    try:
        return urllib.request.urlopen(http_url)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise FileNotFoundError("%s was not found (HTTP 404 from %s)." % (url, http_url)) from error
        raise


def cache_dir():
    """The cache directory, read from the environment at each call."""
    root = os.environ.get("LUCID_CACHE_DIR")
    if root:
        return root
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "lucid")


def local_cache_path(remote_url):
    """Cache file for `remote_url`: its characters outside [a-zA-Z0-9] become "_" (so the name cannot leave
    the cache directory); names over MAX_FILENAME_LENGTH are cut and suffixed with "-" + sha256."""
    name = re.sub("[^a-zA-Z0-9]", "_", remote_url)
    if len(name) > MAX_FILENAME_LENGTH:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
        name = name[: MAX_FILENAME_LENGTH - len(digest) - 1] + "-" + digest
    directory = cache_dir()
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, name)


def _read_and_cache(url, mode):
    """Open the cached copy of `url`, downloading it first if needed.

    The download streams into a temporary file that replaces the cache entry only when complete, so an
    interrupted download leaves no partial entry. A file lock keeps concurrent processes from racing.
    """
    local_path = local_cache_path(url)
    with filelock.FileLock(local_path + ".lockfile"):
        if os.path.exists(local_path):
            log.debug("Using cached %s for %s.", local_path, url)
        else:
            log.info("Downloading %s to cache %s.", url, local_path)
            try:
                with closing(_open_remote(url)) as remote, write_handle(local_path, "wb") as cached:
                    shutil.copyfileobj(remote, cached, _READ_BUFFER_SIZE)
            except Exception as error:
                log.warning("Download of %s failed: %s", url, error)
                raise
        return open(local_path, mode)


def _purge_cached(url):
    """Delete the cached copy of `url`, if any."""
    local_path = local_cache_path(url)
    with filelock.FileLock(local_path + ".lockfile"):
        if os.path.exists(local_path):
            log.info("Purging cached %s.", local_path)
            os.remove(local_path)
