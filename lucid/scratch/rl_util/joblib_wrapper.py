"""Load and save joblib files (the RL-vision notebook's saved observations, models and NMF results). Needs joblib."""

from lucid.misc.io.loading import load_using_loader  # noqa: F401 -- the original's module has these names
from lucid.misc.io.reading import read_handle
from lucid.misc.io.saving import nullcontext  # noqa: F401
from lucid.misc.io.writing import write_handle


def load_joblib(url_or_handle, *, cache=None, allow_pickle=False, **kwargs):
    """Load a joblib file from a path, URL or open binary handle.

    joblib files are pickles: loading one runs whatever code its author put in it, so it is refused unless you pass
    `allow_pickle=True` for a file you trust. Other keywords go to `joblib.load`.
    """
    if not allow_pickle:
        raise ValueError(
            "Loading %r would unpickle it, and unpickling runs any code the file's author chose. If you trust it, "
            "call load_joblib(..., allow_pickle=True)." % (getattr(url_or_handle, "name", url_or_handle),)
        )
    import joblib

    if hasattr(url_or_handle, "read"):
        return joblib.load(url_or_handle, **kwargs)
    with read_handle(url_or_handle, cache=cache) as handle:
        return joblib.load(handle, **kwargs)


def save_joblib(value, url_or_handle, **kwargs):
    """Save `value` with joblib to a path or open binary handle (written to a temporary file, then renamed)."""
    import joblib

    if hasattr(url_or_handle, "write"):
        joblib.dump(value, url_or_handle, **kwargs)
        return
    with write_handle(url_or_handle, "wb") as handle:
        joblib.dump(value, handle, **kwargs)
