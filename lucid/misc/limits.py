"""Caps on what a file from a stranger may make lucid walk through or allocate (see docs/trust.md).

A model file can nest or recurse its function calls until TensorFlow's stack overflows, or ask for a tensor of
billions of elements in a few hundred bytes; a small image file can decode to gigabytes. These caps turn that into a
clear error before anything runs or decodes. Raise one for a file you trust: set the attribute here
(`lucid.misc.limits.MAX_TENSOR_ELEMENTS = 2**30`) or the environment variable of the same name with a LUCID_ prefix
(`LUCID_MAX_TENSOR_ELEMENTS=1073741824`; it wins, and reaches the command lines and Dask workers).
"""

import os

__all__ = [
    "get",
    "how_to_raise",
    "MAX_CALL_DEPTH",
    "MAX_FUNCTIONS",
    "MAX_IMAGE_MEGAPIXELS",
    "MAX_TENSOR_ELEMENTS",
]

# Nested function calls in a GraphDef's library (a call chain longer than this is refused; cycles always are).
MAX_CALL_DEPTH = 32
# Functions in a GraphDef's library.
MAX_FUNCTIONS = 10_000
# Elements of one tensor whose size a GraphDef states (Const, Fill, Tile, BroadcastTo, Range, ...). VGG16's
# largest weight has 102.8M.
MAX_TENSOR_ELEMENTS = 2**28
# Pixels of an image file, in millions, checked before it is decoded.
MAX_IMAGE_MEGAPIXELS = 64


def get(name):
    """The cap `name` (e.g. "MAX_CALL_DEPTH"): the environment variable LUCID_<name> if set, else the attribute."""
    text = os.environ.get("LUCID_" + name, "").strip()
    if not text:
        return globals()[name]
    try:
        return float(text) if name == "MAX_IMAGE_MEGAPIXELS" else int(text)
    except ValueError:
        raise ValueError("The environment variable LUCID_{} must be a number, got {!r}.".format(name, text)) from None


def how_to_raise(name):
    """The end of an error message: how to raise the cap `name` for a file you trust."""
    return (
        "If you trust the file, raise the cap: set lucid.misc.limits.{0} or the environment variable LUCID_{0}.".format(
            name
        )
    )
