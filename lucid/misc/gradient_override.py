"""The original's path of `lucid.optvis.overrides.gradient_override`: every public name of that module."""

from lucid.optvis.overrides.gradient_override import *  # noqa: F403
