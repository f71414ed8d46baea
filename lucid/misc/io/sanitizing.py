"""Make strings usable as single path components."""

from __future__ import annotations

__all__ = [
    "sanitize",
]


def sanitize(string: str) -> str:
    """Replace "/" so a name such as a layer "mixed4a/conv" stays one file name."""
    return string.replace("/", "_")
