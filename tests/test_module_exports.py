"""Every public module says what it exports (`__all__`), and exports at least the original's names, so
`from lucid.<module> import *` keeps working for code written against the original."""

import ast
import importlib
import json
import pathlib

import pytest

import lucid

ROOT = pathlib.Path(lucid.__file__).parent
ORIGINAL = json.loads((pathlib.Path(__file__).parent / "data" / "original_public_api.json").read_text())
# Not checked: lucid.scratch, and
NOT_CHECKED = {
    # Plain re-exports of another module: a star import gives that module's __all__.
    "lucid.misc.gradient_override",
    "lucid.misc.redirected_relu_grad",
}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        if "scratch" in parts or any(p.startswith("_") and p != "__init__" for p in parts) or name in NOT_CHECKED:
            continue
        if path.name == "__init__.py" and len(ast.parse(path.read_text(encoding="utf-8")).body) <= 1:
            continue  # a package that holds nothing but its docstring
        yield name


@pytest.mark.parametrize("name", list(_modules()))
def test_module_has_an_all_with_the_originals_names(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, "%s has no __all__" % name
    assert all(hasattr(module, n) for n in exported), [n for n in exported if not hasattr(module, n)]
    # The original's names that this module has (tests/test_api_parity.py checks that it has them all).
    original = {
        n for n, entry in ORIGINAL.get(name, {}).items() if isinstance(entry, dict) and entry.get("kind") != "module"
    }
    original = {n for n in original if hasattr(module, n)}
    assert original <= set(exported), sorted(original - set(exported))
