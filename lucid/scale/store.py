"""The result store of lucid.scale: one entry per unit, keyed by what was rendered, on any fsspec filesystem.

A unit's key is the sha256 of the model's content (its GraphDef and input metadata, see `model_hash`), the unit,
the kind of result and every setting that changes it (steps, size, seed, batch size, precision, lucid's version,
...). Another model, even under the same file name, or other settings make another key, so they never count as
done. Layout under the root (a local path, file://, memory://, s3://, gs://...):

    units/<key>/<files>        the unit's images, written first
    units/<key>/entry.json     its record, written after its files: a unit is done when this exists
    index.json                 every record (done or failed) of the store, rewritten last by each run

Files are written whole (a temporary file then a rename on local disks; one object put on object stores), so an
interrupted run leaves at worst files without an entry, which the next run writes again.
"""

import hashlib
import json
import logging
import os
import re
import uuid
from contextlib import contextmanager

import filelock
import fsspec

import lucid

__all__ = [
    "ENTRY_NAME",
    "INDEX_NAME",
    "index_written_last",
    "model_hash",
    "safe_name",
    "Store",
    "unit_key",
]

log = logging.getLogger(__name__)

INDEX_NAME = "index.json"
ENTRY_NAME = "entry.json"


def safe_name(name):
    """`name` as one path component: characters other than letters, digits, '.', '_' and '-' become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"


def model_hash(model):
    """sha256 of what a render depends on in `model`: its GraphDef and how images are fed to it."""
    digest = hashlib.sha256(model.graph_def.SerializeToString(deterministic=True))
    metadata = [
        getattr(model, "input_name", None),
        list(getattr(model, "image_shape", None) or []),
        list(getattr(model, "image_value_range", None) or []),
        bool(getattr(model, "is_BGR", False)),
    ]
    digest.update(json.dumps(metadata, default=str).encode())
    return digest.hexdigest()


def unit_key(kind, model_sha256, unit, settings):
    """The key of one result: sha256 of its kind, model content, unit, settings and lucid's version."""
    fields = dict(settings, kind=kind, model=model_sha256, unit=unit, lucid=lucid.__version__)
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


class Store:
    """Read and write the entries and index of one store root (a path or fsspec URL)."""

    def __init__(self, url):
        if not isinstance(url, str) or not url:
            raise TypeError("The store must be a local path or an fsspec URL such as 's3://bucket/site'; got %r." % url)
        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as error:
            raise ValueError("Cannot open the store %s: %s (install its fsspec package)." % (url, error)) from None
        self.local = "file" in _protocols(self.fs)
        self.root = os.path.abspath(root) if self.local else root.rstrip("/")
        self.url = self.root if self.local else "%s://%s" % (_protocols(self.fs)[0], self.root)

    def path(self, relative):
        return "%s/%s" % (self.root, relative)

    @contextmanager
    def lock(self):
        """Hold a local store for one run; a second concurrent run into it raises RuntimeError.

        Object stores have no such lock: give each concurrent run its own store.
        """
        if not self.local:
            yield self
            return
        os.makedirs(self.root, exist_ok=True)
        lock = filelock.FileLock(os.path.join(self.root, ".lock"))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise RuntimeError(
                "Another run is writing to %s; wait for it to finish or choose another store." % self.root
            ) from None
        try:
            yield self
        finally:
            lock.release()

    def done_keys(self):
        """The keys of every unit with an entry, from one listing of the store."""
        found = self.fs.glob(self.path("units/*/" + ENTRY_NAME)) if self.fs.exists(self.path("units")) else []
        return {path.rstrip("/").split("/")[-2] for path in found}

    def entry(self, key):
        """The record of `key`'s entry, or None if it has none (or an unreadable one, which is rendered again)."""
        try:
            return json.loads(self.fs.cat_file(self.path("units/%s/%s" % (key, ENTRY_NAME))))
        except FileNotFoundError:
            return None
        except ValueError:
            log.warning("The entry of %s in %s is unreadable; it will be made again.", key, self.url)
            return None

    def put(self, record, files):
        """Store `files` ({name: bytes}) under `record["key"]`, then its entry; return the record with `files`
        mapped to their paths relative to the root."""
        key = record["key"]
        paths = {name: "units/%s/%s" % (key, safe_name(name)) for name in files}
        for name, data in files.items():
            self.write(paths[name], data)
        record = dict(record, files=paths)
        self.write("units/%s/%s" % (key, ENTRY_NAME), json.dumps(record, sort_keys=True))
        return record

    def write(self, relative, data):
        """Write `data` (bytes or str) whole to `relative` under the root."""
        data = data.encode("utf-8") if isinstance(data, str) else data
        path = self.path(relative)
        if not self.local:
            self.fs.pipe_file(path, data)
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temp = "%s.tmp-%s" % (path, uuid.uuid4().hex[:12])
        try:
            with open(temp, "xb") as handle:
                handle.write(data)
            os.replace(temp, path)
        finally:
            if os.path.exists(temp):
                os.remove(temp)

    def read(self, relative):
        return self.fs.cat_file(self.path(relative))

    def index(self):
        """`{key: record}` from index.json ({} if there is none); a damaged index raises ValueError."""
        path = self.path(INDEX_NAME)
        try:
            data = self.fs.cat_file(path)
        except FileNotFoundError:
            return {}
        try:
            records = json.loads(data)["records"]
            return {record["key"]: record for record in records}
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                "The index %s of the store is damaged (%s: %s). Delete it: the next run rebuilds it from the "
                "entries under units/." % (self.url + "/" + INDEX_NAME, type(error).__name__, error)
            ) from None

    def write_index(self, records):
        """Merge `records` ({key: record}) into index.json and every entry not yet in it; return the merged records.

        Entries found in the store but missing from the index (a run that stopped before its index) are added.
        """
        merged = self.index()
        for key in self.done_keys() - set(merged) - set(records):
            entry = self.entry(key)
            if entry is not None:
                merged[key] = entry
        merged.update(records)
        self.write(INDEX_NAME, json.dumps({"records": list(merged.values())}, sort_keys=True))
        return merged


@contextmanager
def index_written_last(store, records, then=None):
    """Run the block, then merge `records` into the store's index and call `then(store, merged records)`, also
    when the block raised. Then a failure to write the index is logged, never raised in place of the block's error.
    """
    try:
        yield
    except BaseException:
        try:
            _finish(store, records, then)
        except Exception as error:
            log.error("Could not write the index of %s: %s", store.url, error)
        raise
    _finish(store, records, then)


def _finish(store, records, then):
    merged = store.write_index(records)
    if then is not None:
        then(store, merged)


def _protocols(fs):
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
