"""A real `lucid-render-sweep` killed at named points of a run (LUCID_FAULT, see lucid.scale.store.crash_point) and
at a random moment, then run again: the store ends whole (issue 23, "the store is crash-consistent").

Each case is two command lines on a local cluster of one worker.
"""

import glob
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest

pytest.importorskip("distributed")

from tiny_models import save_tiny_pb  # noqa: E402

SIZE = 32
UNITS = ["conv1:0", "conv1:1", "conv1:2", "conv1:3"]  # two tasks of two channels
COMMAND = "import sys; from lucid.cli import sweep_main; sys.exit(sweep_main())"
FAULTS = [
    "after-submit",  # tasks sent, nothing stored
    "before-rename-image.png",  # an image written to its temporary file only
    "before-rename-entry.json",  # a unit's image stored, its entry in a temporary file only
    "after-entry-write",  # one unit stored, no index
    "before-rename-index.json",  # every unit stored, the new index in a temporary file only
    "after-index-write",  # index.json written, index.html not
]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return save_tiny_pb(str(tmp_path_factory.mktemp("model") / "tiny.pb"), SIZE)


def start_sweep(model_path, out, mark, fault=None):
    """`lucid-render-sweep` of UNITS into `out`, its processes (workers included) marked by LUCID_TEST_MARK."""
    argv = [sys.executable, "-c", COMMAND, model_path, *UNITS, "-o", out, "--workers", "1", "--steps", "4"]
    argv += ["--size", str(SIZE), "--batch-size", "2"]
    env = dict(os.environ, PYTHONPATH=os.getcwd(), LUCID_TEST_MARK=mark)
    env.pop("LUCID_FAULT", None)
    if fault:
        env["LUCID_FAULT"] = fault
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def marked_processes(mark):
    """The pids of the processes still running with LUCID_TEST_MARK=mark (the run's and its workers')."""
    pids = []
    for environ in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(environ, "rb") as handle:
                if ("LUCID_TEST_MARK=%s" % mark).encode() in handle.read().split(b"\0"):
                    pids.append(int(environ.split("/")[2]))
        except OSError:  # gone meanwhile, or not ours to read
            pass
    return pids


def assert_no_process_left(mark, patience=60):
    deadline = time.monotonic() + patience
    while marked_processes(mark) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert marked_processes(mark) == [], "processes of the killed run are still running"


def stored_images(out):
    """`{key: mtime of its image}` of the units with a readable, done entry."""
    found = {}
    for path in glob.glob(os.path.join(out, "units", "*", "entry.json")):
        try:
            record = json.load(open(path))
        except ValueError:
            continue
        image = os.path.join(os.path.dirname(path), "image.png")
        if record.get("status") == "done" and os.path.exists(image):
            found[record["key"]] = os.stat(image).st_mtime_ns
    return found


def kill_then_rerun(model_path, out, fault):
    """Run the sweep until it dies at `fault` ("random": SIGKILLed at a random moment once it holds the store's
    lock), check no process of it is left, run it again to the end; return the images stored before the rerun."""
    mark = uuid.uuid4().hex
    run = start_sweep(model_path, out, mark, None if fault == "random" else fault)
    if fault == "random":
        while not os.path.exists(os.path.join(out, ".lock")) and run.poll() is None:
            time.sleep(0.1)
        moment = random.uniform(0, 15)  # a whole run takes about 10 to 15 s here on a quiet machine
        print("killed %.1f s after the store was locked" % moment)
        time.sleep(moment)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
    else:
        assert run.wait(timeout=600) == 70, run.stderr.read()[-2000:]  # lucid.scale.store.crash_point's status
    run.stderr.close()
    assert_no_process_left(mark)
    before = stored_images(out)
    rerun = start_sweep(model_path, out, mark)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0 and "4 of 4 units done" in err, err[-2000:]
    assert_no_process_left(mark)
    return before


def assert_store_whole(out, before):
    """Exactly one readable done entry and one index row per unit, nothing half-written, and the units stored
    before the rerun kept as they were (not rendered again)."""
    records = [json.load(open(path)) for path in glob.glob(os.path.join(out, "units", "*", "entry.json"))]
    assert sorted(record["unit"] for record in records) == UNITS
    assert all(record["status"] == "done" for record in records)
    rows = json.load(open(os.path.join(out, "index.json")))["records"]
    assert sorted(row["unit"] for row in rows) == UNITS and sorted(rows, key=records.index) == records
    assert open(os.path.join(out, "index.html")).read().count("<img ") == 4
    assert not glob.glob(os.path.join(out, "**", "*.tmp-*"), recursive=True)
    after = stored_images(out)
    assert {key: after[key] for key in before} == before


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS + ["random"])
def test_a_sweep_killed_at_any_point_is_completed_by_the_next_run(model_path, tmp_path, fault):
    before = kill_then_rerun(model_path, str(tmp_path), fault)
    assert_store_whole(str(tmp_path), before)
