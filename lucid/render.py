"""`from lucid import render` is `lucid.optvis.render`, the same module object (a spelling from tutorials)."""

import sys

from lucid.optvis import render as _render

sys.modules[__name__] = _render
