"""What lucid's command lines share: one-line argument errors, and TensorFlow imported without its start-up noise."""

import argparse
import os
import re
import sys
import tempfile

__all__ = [
    "import_tensorflow_quietly",
    "OneLineParser",
]

# TensorFlow's C++ start-up lines ("oneDNN custom operations are on", ...) are not for the user of a command.
# TensorFlow's start-up lines: info and warnings, and the CUDA wheel's "failed call to cuInit" on a machine without
# a GPU driver (an error line, but it only says that there is no GPU).
_STARTUP_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\)|[IW]\d{4} |E\d{4} .*failed call to cuInit"
)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, `prog: error: message (see --help)`, with exit status 2."""

    def error(self, message):
        self.exit(2, "%s: error: %s (see --help)\n" % (self.prog, " ".join(str(message).split())))


def unwritable_problem(path, what):
    """Why the file or directory `path` (the `what` argument) cannot be created or written, or None if it can:
    checked before anything is loaded, so a bad output fails at once instead of after the work."""
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if existing != os.path.abspath(path) and not os.path.isdir(existing):
        return "%s %r cannot be created: %r is a file, not a directory" % (what, path, existing)
    folder = existing if os.path.isdir(existing) else os.path.dirname(existing)
    if not os.access(folder, os.W_OK | os.X_OK):
        return "%s %r cannot be written: no write permission in %r" % (what, path, folder)
    return None


def import_tensorflow_quietly():
    """Import TensorFlow with TF_CPP_MIN_LOG_LEVEL=2 and without its C++ start-up info lines, unless the user set
    TF_CPP_MIN_LOG_LEVEL (then everything shows). Some of those lines ignore the level, so stderr is captured
    while TensorFlow loads and only other lines (errors) are passed on."""
    if "tensorflow" in sys.modules or "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow

            tensorflow.config.list_physical_devices()  # looks for GPUs now, so that its lines are captured too
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode("utf-8", "replace").splitlines(True):
                if not _STARTUP_NOISE.match(line):
                    sys.stderr.write(line)
