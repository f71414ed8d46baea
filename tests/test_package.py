"""Facts about the package as a whole: what importing it changes, and which way its layers import."""

import subprocess
import sys
import textwrap


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
