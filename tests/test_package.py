"""Facts about the package as a whole: what importing it changes, and which way its layers import."""

import ast
import importlib
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

import lucid
import lucid.optvis.render


def _run_python(code):
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_import_leaves_warning_filters_alone():
    out = _run_python("""
        import warnings
        import tensorflow
        before = list(warnings.filters)
        import lucid, lucid.optvis.render, lucid.modelzoo.vision_models, lucid.misc.io, lucid.recipes.caricature
        print(before == list(warnings.filters))
    """)
    assert out.strip() == "True"


# Layers, lowest first: a module may import lucid modules of its own layer or a lower one, never a higher one.
# lucid.scratch, lucid.cli and lucid.testing sit above all of them.
LAYERS = ["lucid.misc", "lucid.modelzoo", "lucid.optvis", "lucid.recipes", "lucid.scale"]
# The original's paths of two lucid.optvis.overrides modules: each only re-exports the optvis module's names.
ALIASES = {"lucid.misc.gradient_override", "lucid.misc.redirected_relu_grad"}


def _layer(module):
    for rank, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return None


def _lucid_imports(path):
    """Every module name that the file at `path` imports (absolute imports; lucid uses no relative ones)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, "%s: relative import" % path
            yield node.module
            yield from ("%s.%s" % (node.module, alias.name) for alias in node.names)


def test_layers_import_downwards_only():
    root = pathlib.Path(lucid.__file__).parent
    upward = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")
        own = _layer(module)
        if own is None or module in ALIASES:
            continue
        for imported in _lucid_imports(path):
            other = _layer(imported)
            if other is not None and other > own:
                upward.append("%s imports %s" % (module, imported))
    assert not upward, upward


def _public_names(module):
    """What `from module import *` binds: `__all__`, or else every name without a leading underscore."""
    return sorted(getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]))


@pytest.mark.parametrize(
    "alias, module",
    [
        ("lucid.render", "lucid.optvis.render"),
        ("lucid.misc.gradient_override", "lucid.optvis.overrides.gradient_override"),
        ("lucid.misc.redirected_relu_grad", "lucid.optvis.overrides.redirected_relu_grad"),
    ],
)
def test_alias_modules_are_real_modules_with_every_public_name(alias, module):
    # They once replaced themselves in sys.modules, so `from <alias> import <function>` raised ImportError.
    alias, module = importlib.import_module(alias), importlib.import_module(module)
    assert alias is not module and sys.modules[alias.__name__] is alias
    assert _public_names(alias) == _public_names(module)
    assert all(getattr(alias, name) is getattr(module, name) for name in _public_names(module))


def test_original_import_spellings_of_the_aliases():
    from lucid import render
    from lucid.misc.gradient_override import gradient_override_map, use_gradient
    from lucid.misc.redirected_relu_grad import redirected_relu6_grad, redirected_relu_grad
    from lucid.optvis import overrides

    assert render.render_vis is lucid.optvis.render.render_vis
    assert render.redirected_relu_grad is redirected_relu_grad is overrides.redirected_relu_grad
    assert redirected_relu6_grad is overrides.redirected_relu6_grad
    assert gradient_override_map is overrides.gradient_override_map and use_gradient is overrides.use_gradient


def test_no_module_replaces_itself_in_sys_modules():
    root = pathlib.Path(lucid.__file__).parent
    replacing = re.compile(r"sys\.modules\[__name__\]\s*=[^=]")
    assert not [p for p in root.rglob("*.py") if replacing.search(p.read_text(encoding="utf-8"))]
