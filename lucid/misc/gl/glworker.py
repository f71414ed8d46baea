"""The render process: OpenGL runs in a child process that never imports TensorFlow.

Mesa's software OpenGL (llvmpipe) and TensorFlow each bring their own LLVM; loaded into one process they crash
(at the first draw, or when TensorFlow is imported after a context exists). So `glrenderer.MeshRenderer` sends
its meshes to one shared child, started with `python -m lucid.misc.gl.glworker`, which draws with
`glrenderer.draw` and sends frames back. Requests and replies are pickled tuples over the child's stdin/stdout;
only this module talks to the child it started.
"""

import atexit
import os
import pickle
import subprocess
import sys
import threading

__all__ = [
    "shared_worker",
    "Worker",
]

_shared = None
_shared_lock = threading.Lock()


class Worker:
    """A running render process; `call(kind, *args)` sends one request and returns its reply."""

    def __init__(self):
        env = dict(os.environ)
        env.setdefault("PYOPENGL_PLATFORM", "egl")
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in [root, env.get("PYTHONPATH")] if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lucid.misc.gl.glworker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.lock = threading.Lock()

    def call(self, kind, *args):
        with self.lock:
            try:
                pickle.dump((kind, args), self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self.process.stdin.flush()
                ok, result = pickle.load(self.process.stdout)
            except (OSError, EOFError, pickle.UnpicklingError):
                raise RuntimeError(
                    "The OpenGL render process exited (code %s); its error is printed above." % self.process.poll()
                ) from None
        if not ok:
            raise RuntimeError(result)
        return result

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def shared_worker():
    """The render process of this Python process, started on first use (and again if it died)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.process.poll() is not None:
            _shared = Worker()
            atexit.register(_shared.close)
        return _shared


def _serve(requests, replies):
    """Answer requests until stdin closes: ("context", size) -> platform; ("render", ...) -> a frame."""
    from lucid.misc.gl import glcontext, glrenderer

    handlers = {"context": glcontext.create_local_context, "render": glrenderer.draw}
    while True:
        try:
            kind, args = pickle.load(requests)
        except EOFError:
            return
        try:
            reply = (True, handlers[kind](*args))
        except Exception as error:  # noqa: BLE001 - every failure goes back to the caller as a message
            reply = (False, "%s: %s" % (type(error).__name__, error))
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


if __name__ == "__main__":
    # Replies use a private copy of stdout; anything a library prints goes to stderr instead.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _serve(sys.stdin.buffer, replies)
