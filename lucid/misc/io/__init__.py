"""Reading, writing and showing things: `load`, `save`, `save_gif`, `show`, plus io scopes and save capture."""

from lucid.misc.io.loading import load
from lucid.misc.io.saving import CaptureSaveContext, batch_save, save, save_gif
from lucid.misc.io.scoping import io_scope, scope_url
from lucid.misc.io.showing import show

__all__ = ["show", "load", "save", "save_gif", "CaptureSaveContext", "batch_save", "io_scope", "scope_url"]
