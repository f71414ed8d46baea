"""The output store of a sweep: `out_dir/<model>/<layer>/<channel>.png` plus `out_dir/index.jsonl`.

The index is a JSON-lines log, one record per unit rendered or failed; a unit's latest record is its state.
Only the process running the sweep writes here: PNGs atomically (temporary file, then os.replace), then the
index line, appended and fsynced. So a "done" record always has its PNG, and a crash can at worst cut the last
index line, which `records` skips. `lock` keeps a second sweep out of the same out_dir meanwhile.
"""

import json
import logging
import os
import re
from contextlib import contextmanager

import filelock

from lucid.misc.io.writing import write

log = logging.getLogger(__name__)

INDEX_NAME = "index.jsonl"


def safe_name(name):
    """`name` as one path component: characters other than letters, digits, '.', '_' and '-' become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"


def png_path(model, layer, channel):
    """The PNG of a unit, relative to out_dir, with '/' separators (also its URL in index.html)."""
    return "%s/%s/%d.png" % (safe_name(model), safe_name(layer), channel)


class Store:
    """Read and write the PNGs and index of one out_dir."""

    def __init__(self, out_dir):
        self.out_dir = os.path.abspath(out_dir)
        self.index_path = os.path.join(self.out_dir, INDEX_NAME)

    @contextmanager
    def lock(self):
        """Hold out_dir for one sweep; a second concurrent sweep into it raises RuntimeError."""
        os.makedirs(self.out_dir, exist_ok=True)
        lock = filelock.FileLock(os.path.join(self.out_dir, ".lock"))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise RuntimeError(
                "Another sweep is writing to %s; wait for it to finish or choose another out_dir." % self.out_dir
            ) from None
        try:
            self._end_last_line()
            yield self
        finally:
            lock.release()

    def _end_last_line(self):
        """Close a last index line cut short by a crash, so the next record starts on a line of its own."""
        if not os.path.exists(self.index_path):
            return
        with open(self.index_path, "rb+") as handle:
            if handle.seek(0, os.SEEK_END) == 0:
                return
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                handle.write(b"\n")

    def records(self):
        """Every index record in order; a line cut short by a crash is skipped with a warning."""
        if not os.path.exists(self.index_path):
            return []
        records = []
        with open(self.index_path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    log.warning("Skipping unreadable line %d of %s (cut short by a crash?).", number, self.index_path)
        return records

    def latest(self):
        """`{(model, unit): record}`: the latest record of each unit."""
        return {(record["model"], record["unit"]): record for record in self.records()}

    def is_done(self, record):
        """Whether `record` is a finished render whose PNG is on disk."""
        return record["status"] == "done" and os.path.exists(os.path.join(self.out_dir, record["png"]))

    def write_png(self, relative_path, data):
        write(data, os.path.join(self.out_dir, relative_path))

    def append(self, records):
        """Add `records` to the index in one write, flushed to disk."""
        text = "".join(json.dumps(record, sort_keys=True) + "\n" for record in records)
        with open(self.index_path, "a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
