"""`from lucid import render` (a spelling from tutorials): every public name of `lucid.optvis.render`."""

from lucid.optvis.render import *  # noqa: F403
from lucid.optvis.render import __all__  # noqa: F401
