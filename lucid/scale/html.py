"""The old name of lucid.scale.sweep_index (the sweep's index.html), kept so that existing imports work."""

from lucid.scale.sweep_index import write_index_html  # noqa: F401

__all__ = ["write_index_html"]
