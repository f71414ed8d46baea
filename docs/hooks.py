"""MkDocs hook: one API page per public lucid module, generated from the package tree at build time.

Generating the pages (instead of listing them by hand) keeps the reference complete when modules are added.
"""

import pathlib

from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIP = {"__main__"}


def public_modules():
    """Dotted names of lucid's modules, packages included, without private or entry-point modules."""
    names = []
    for path in sorted((ROOT / "lucid").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(part.startswith("_") or part in SKIP for part in parts):
            continue
        names.append(".".join(parts))
    return names


def on_files(files, config):
    for name in public_modules():
        page = "api/%s.md" % name.replace(".", "/")
        files.append(File.generated(config, page, content="# `%s`\n\n::: %s\n" % (name, name)))
    return files
