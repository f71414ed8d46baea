"""Mutation check: plant small bugs in the core behaviours, one at a time, and see whether the tests notice.

    python benchmarks/mutations.py            # every mutant
    python benchmarks/mutations.py safe_ops   # only mutants whose id contains "safe_ops"
    MUTATION_JOBS=1 python benchmarks/mutations.py   # one mutant at a time (default 2, each in its own copy)

Each mutant replaces one exact snippet of one file (it must occur exactly once) in a temporary copy of the tree,
then runs only the tests named for it (`pytest -x`); a failing run means the mutant was caught. The unmutated copy
must pass all the named tests first (one run), so that a catch is the mutant's doing. Mutants known to change no
behaviour are listed in EQUIVALENT with the reason, and are not run. Not part of .ci/run: it takes about half an
hour. A mutant whose snippet no longer occurs exactly once is reported as moved (update it in mutants.py).
"""

import concurrent.futures
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import tempfile
import time

from mutants import EQUIVALENT, MUTANTS

ROOT = pathlib.Path(__file__).resolve().parent.parent


def copy_tree(destination):
    """The files git tracks (and untracked, unignored ones), as they are in the work tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            target = destination / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run_tests(tree, tests):
    """(passed, the end of pytest's output) for `tests` in `tree` (the tree's own lucid first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(tree), TF_CPP_MIN_LOG_LEVEL="2")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", ""]
    command += ["--hypothesis-profile=mutations", *tests]
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    return result.returncode == 0, result.stdout[-3000:]


def apply(tree, mutant):
    path = tree / mutant["file"]
    text = path.read_text(encoding="utf-8")
    count = text.count(mutant["old"])
    if count != 1:
        raise ValueError(
            "%s: the snippet occurs %d times in %s (the code moved on: update it)"
            % (mutant["id"], count, mutant["file"])
        )
    path.write_text(text.replace(mutant["old"], mutant["new"]), encoding="utf-8")
    return text


def run_mutant(trees, mutant):
    """(mutant, caught, seconds): the mutant planted in a free copy of the tree, its tests run, the file restored.
    caught is None when the snippet moved."""
    tree = trees.get()
    started = time.perf_counter()
    try:
        try:
            original = apply(tree, mutant)
        except ValueError as error:
            print(error, flush=True)
            return mutant, None, 0.0
        try:
            passed, _ = run_tests(tree, mutant["tests"])
        finally:
            (tree / mutant["file"]).write_text(original, encoding="utf-8")
    finally:
        trees.put(tree)
    return mutant, not passed, time.perf_counter() - started


def main(pattern="", jobs=2):
    chosen = [m for m in MUTANTS if pattern in m["id"]]
    caught, missed, moved = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        trees = queue.Queue()
        for n in range(jobs):
            trees.put(pathlib.Path(folder) / str(n))
            copy_tree(pathlib.Path(folder) / str(n))
        everything = sorted({test for m in chosen for test in m["tests"]})
        passed, output = run_tests(pathlib.Path(folder) / "0", everything)
        if not passed:
            sys.exit("%s\nthe unmutated tree fails the tests above: fix that first" % output)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            for mutant, was_caught, seconds in pool.map(lambda m: run_mutant(trees, m), chosen):
                {True: caught, False: missed, None: moved}[was_caught].append(mutant["id"])
                verdict = {True: "caught", False: "NOT CAUGHT", None: "MOVED"}[was_caught]
                print("%-36s %-10s %5.0f s  %s" % (mutant["id"], verdict, seconds, mutant["what"]), flush=True)
    print("\ncaught %d of %d mutants" % (len(caught), len(chosen)))
    if missed:
        print("not caught: " + ", ".join(missed))
    if moved:
        print("snippet moved (not run): " + ", ".join(moved))
    for name, reason in EQUIVALENT.items():
        print("equivalent (not run): %s: %s" % (name, reason))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(arguments[0] if arguments else "", int(os.environ.get("MUTATION_JOBS", "2")))
