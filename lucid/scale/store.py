"""The result store of lucid.scale: one entry per unit, keyed by what was rendered, on any fsspec filesystem.

A unit's key is the sha256 of the model's content (its GraphDef and input metadata, see `model_hash`), the unit,
the kind of result, every setting that changes it (steps, size, seed, batch size, precision, ...) and the store's
format (STORE_FORMAT). Another model, even under the same file name, or other settings make another key, so they
never count as done. Layout under the root (a local path, file://, memory://, s3://, gs://...):

    units/<key>/<files>        the unit's images, written first
    units/<key>/entry.json     its record (done or failed), written after its files, with everything the index
                               shows: a unit is done when this holds a readable "done" record
    index.json, index.html     every entry's record, rebuilt from the entries at the end of each run

The store is crash-consistent: every file is written whole (on local disks a temporary file, fsync, then a rename;
one object put on object stores), so a run killed at any moment leaves at worst files without an entry, which
the next run writes again. An entry that cannot be read, or whose files are missing, is removed and made again;
entries of an older format are removed (one line says so) and rendered again.
"""

import hashlib
import json
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import filelock
import fsspec

if TYPE_CHECKING:  # for the hints only: importing Model loads TensorFlow, which the store does not need
    from lucid.modelzoo.vision_base import Model

__all__ = [
    "ENTRY_NAME",
    "INDEX_NAME",
    "STORE_FORMAT",
    "index_written_last",
    "model_hash",
    "safe_name",
    "Store",
    "unit_key",
    "unit_path",
]

log = logging.getLogger(__name__)

INDEX_NAME = "index.json"
ENTRY_NAME = "entry.json"
# The store's format, in every key and entry. Raise it when what an entry holds or means changes: older entries
# are then rendered again. (Not lucid's version: a release that changes no result keeps every store.)
STORE_FORMAT = 2
_KEY = re.compile(r"[0-9a-f]{64}")

# One entry's record: its key, status, unit, settings, files... (JSON-serializable).
Record = dict[str, Any]


def crash_point(name: str) -> None:
    """Testing hook for the store's crash-consistency: exit at once, as `kill -9` would, when the environment
    variable LUCID_FAULT names this point of a run."""
    if os.environ.get("LUCID_FAULT") == name:
        os._exit(70)


def unit_path(key: str, name: str) -> str:
    """The path, relative to the store's root, of the file `name` of the entry `key`."""
    return "units/%s/%s" % (key, safe_name(name))


def safe_name(name: str) -> str:
    """`name` as one path component: characters other than letters, digits, '.', '_' and '-' become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"


def model_hash(model: "Model") -> str:
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


def unit_key(kind: str, model_sha256: str, unit: str, settings: Mapping[str, Any]) -> str:
    """The key of one result: sha256 of its kind, model content, unit, settings and the store's format."""
    fields = dict(settings, kind=kind, model=model_sha256, unit=unit, store_format=STORE_FORMAT)
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


class Store:
    """Read and write the entries and index of one store root (a path or fsspec URL)."""

    def __init__(self, url: str) -> None:
        if not isinstance(url, str) or not url:
            raise TypeError("The store must be a local path or an fsspec URL such as 's3://bucket/site'; got %r." % url)
        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as error:
            raise ValueError("Cannot open the store %s: %s (install its fsspec package)." % (url, error)) from None
        self.local = "file" in _protocols(self.fs)
        self.root = os.path.abspath(root) if self.local else root.rstrip("/")
        self.url = self.root if self.local else "%s://%s" % (_protocols(self.fs)[0], self.root)

    def path(self, relative: str) -> str:
        return "%s/%s" % (self.root, relative)

    @contextmanager
    def lock(self) -> Iterator["Store"]:
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

    def done_keys(self) -> set[str]:
        """The keys of every unit with a readable entry of a done record."""
        return {key for key, record in self.entries().items() if record["status"] == "done"}

    def entries(self) -> dict[str, Record]:
        """`{key: record}` of every readable entry, from one listing of the store.

        Removed on the way, each with one warning: entries that cannot be read, that hold another key or whose
        files are missing (made again by the next run), leftover temporary files; with one line for all of them,
        entries of an older store format (rendered again). An entry of a newer format raises ValueError.
        """
        if not self.fs.exists(self.path("units")):
            return {}
        listed: dict[str, set[str]] = {}  # unit folder -> the names of its files
        for path in self.fs.find(self.path("units")):
            folder, _, name = path[len(self.path("units/")) :].rpartition("/")
            if ".tmp-" in name:
                self.fs.rm_file(path)
            else:
                listed.setdefault(folder, set()).add(name)
        paths = [
            self.path("units/%s/%s" % (folder, ENTRY_NAME)) for folder, names in listed.items() if ENTRY_NAME in names
        ]
        found, older = {}, []
        for path, data in self.fs.cat(paths, on_error="return").items() if paths else ():
            key = path.rstrip("/").split("/")[-2]
            record = _parse_entry(data)
            problem = _entry_problem(key, record, listed[key])
            if problem == "older":
                older.append(key)
            elif problem:
                log.warning("The entry %s of the store %s %s; it will be made again.", key, self.url, problem)
                self.fs.rm(self.path("units/" + key), recursive=True)
            else:
                found[key] = record
        if older:
            log.warning(
                "%d entries of %s are of an older store format than this lucid's (%d); their units will be rendered "
                "again.",
                len(older),
                self.url,
                STORE_FORMAT,
            )
            for key in older:
                self.fs.rm(self.path("units/" + key), recursive=True)
        return found

    def put(self, record: Mapping[str, Any], files: Mapping[str, bytes | str]) -> Record:
        """Store `files` ({name: bytes}) under `record["key"]`, then its entry (also for a failed record, with no
        files); return the record as stored: with the store's format and `files` mapped to their paths
        relative to the root."""
        key = record["key"]
        for name, data in files.items():
            self.write(unit_path(key, name), data)
            crash_point("after-file-write")
        record = dict(record, files={name: unit_path(key, name) for name in files}, store_format=STORE_FORMAT)
        self.write(unit_path(key, ENTRY_NAME), json.dumps(record, sort_keys=True))
        crash_point("after-entry-write")
        return record

    def write(self, relative: str, data: bytes | str) -> None:
        """Write `data` (bytes or str) whole to `relative` under the root: on local disks to a temporary file,
        flushed to the disk, then renamed over the target, so a crash leaves the old file or the new one."""
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
                handle.flush()
                os.fsync(handle.fileno())
            crash_point("before-rename-" + os.path.basename(path))
            os.replace(temp, path)
            _fsync_directory(os.path.dirname(path))
        finally:
            if os.path.exists(temp):
                os.remove(temp)

    def read(self, relative: str) -> bytes:
        return self.fs.cat_file(self.path(relative))

    def write_index(self) -> dict[str, Record]:
        """Rebuild index.json from the entries; return its records (`{key: record}`)."""
        for path in self.fs.glob(self.path("*.tmp-*")):  # left by a run killed while writing its index
            self.fs.rm_file(path)
        records = self.entries()
        self.write(INDEX_NAME, json.dumps({"records": list(records.values())}, sort_keys=True))
        crash_point("after-index-write")
        return records


def _parse_entry(data):
    """The record in an entry's bytes, or None if they are not a JSON object (or an error reading them)."""
    if isinstance(data, Exception):
        return None
    try:
        record = json.loads(data)
    except ValueError:  # UnicodeDecodeError included
        return None
    return record if isinstance(record, dict) else None


def _entry_problem(key, record, names):
    """Why the entry of `key` (its record, and the file names of its folder) cannot be used: None if it can,
    "older" for an older store format, else a phrase for the log. A newer format raises ValueError."""
    if record is None:
        return "cannot be read"
    store_format = record.get("store_format")
    if not isinstance(store_format, int) or store_format < STORE_FORMAT:
        return "older"
    if store_format > STORE_FORMAT:
        raise ValueError(
            "The store holds entries of a newer format (%d) than this lucid writes (%d): use the lucid that made it, "
            "or another store." % (store_format, STORE_FORMAT)
        )
    files = record.get("files")
    if not (_KEY.fullmatch(key) and record.get("key") == key and record.get("status") in ("done", "failed")):
        return "holds another key or no status"
    if not isinstance(files, dict) or any(
        files[name] != unit_path(key, name) or safe_name(name) not in names for name in files
    ):
        return "lists files it does not hold"
    return None


def _fsync_directory(path):
    """Flush a directory's entries (a rename in it) to the disk, where the system allows it."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextmanager
def index_written_last(
    store: Store, then: Callable[[Store, dict[str, Record]], None] | None = None
) -> Iterator[dict[str, Record]]:
    """Run the block, then rebuild the store's index from its entries and call `then(store, records)`, also when
    the block raised. Then a failure to write the index is logged, never raised in place of the block's error.

    Yields a dict that holds the index's records (`{key: record}`) after the block.
    """
    index: dict[str, Record] = {}
    try:
        yield index
    except BaseException:
        try:
            _finish(store, then, index)
        except Exception as error:
            log.error("Could not write the index of %s: %s", store.url, error)
        raise
    _finish(store, then, index)


def _finish(store, then, index):
    index.update(store.write_index())
    if then is not None:
        then(store, index)


def _protocols(fs):
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
