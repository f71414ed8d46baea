"""The public API of lucid.optvis, lucid.modelzoo, lucid.misc.io and lucid.scale carries type hints (PEP 561:
lucid/py.typed ships them); mypy checks those packages in .ci/run with mypy.ini."""

import importlib
import inspect
import pkgutil

import pytest

PACKAGES = ["lucid.optvis", "lucid.modelzoo", "lucid.misc.io", "lucid.scale"]


def _modules():
    for package in PACKAGES:
        yield package
        for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            if not info.name.rsplit(".", 1)[-1].startswith("_"):
                yield info.name


def _unannotated(module_name):
    """`module.name(parameter)` for each parameter or return value of a public callable left without a hint."""
    module = importlib.import_module(module_name)
    callables = []
    for name in getattr(module, "__all__", []):
        obj = inspect.unwrap(getattr(module, name))  # through functools.wraps: lru_cache, contextmanager
        if getattr(obj, "__module__", None) != module_name:
            continue  # a re-export: checked where it is defined
        if inspect.isfunction(obj):
            callables.append((name, obj))
        elif inspect.isclass(obj):
            callables += [
                ("%s.%s" % (name, key), f)
                for key, f in vars(obj).items()
                if inspect.isfunction(getattr(f, "__func__", f)) and (key == "__init__" or not key.startswith("_"))
            ]
    missing = []
    for name, f in callables:
        signature = inspect.signature(getattr(f, "__func__", f))
        missing += [
            "%s(%s)" % (name, p.name)
            for p in signature.parameters.values()
            if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty
        ]
        if signature.return_annotation is inspect.Signature.empty:
            missing.append("%s -> ?" % name)
    return missing


@pytest.mark.parametrize("module_name", list(_modules()))
def test_public_callables_are_annotated(module_name):
    assert not _unannotated(module_name)
