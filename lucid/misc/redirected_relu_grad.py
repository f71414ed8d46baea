"""The original's path of `lucid.optvis.overrides.redirected_relu_grad`: every public name of that module."""

from lucid.optvis.overrides.redirected_relu_grad import *  # noqa: F403
