"""Facts about the package as a whole: what importing it changes, and which way its layers import."""

import ast
import pathlib
import subprocess
import sys
import textwrap

import lucid


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
# The original's paths of two lucid.optvis.overrides modules: each is only an alias of the optvis module.
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


def test_original_override_paths_are_aliases_of_the_optvis_modules():
    import lucid.misc.gradient_override as a
    import lucid.misc.redirected_relu_grad as b
    from lucid.optvis.overrides import gradient_override, redirected_relu_grad

    assert a is gradient_override and b is redirected_relu_grad
    assert pathlib.Path(a.__file__).parent.name == "overrides"  # the code lives in lucid/optvis/overrides
