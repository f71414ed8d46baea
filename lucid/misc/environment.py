"""Facts about where lucid runs."""

import IPython

__all__ = [
    "is_notebook_environment",
]


def is_notebook_environment():
    """True inside a Jupyter kernel (ZMQInteractiveShell) or Google Colab ("Shell"), else False."""
    shell = IPython.get_ipython()
    return type(shell).__name__ in ("ZMQInteractiveShell", "Shell")
