"""Make strings usable as single path components."""

__all__ = [
    "sanitize",
]


def sanitize(string):
    """Replace "/" so a name such as a layer "mixed4a/conv" stays one file name."""
    return string.replace("/", "_")
