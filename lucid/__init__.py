"""lucid: feature visualization for TensorFlow graphs, a TF2 (tf.compat.v1) successor of Google's Lucid.

Importing lucid changes no global state: no eager switch, no v2-behavior toggle, no warning filters.
"""

__all__ = [
    "seed",
]

__version__ = "1.0.0"

# Seed used by `render_vis(use_fixed_seed=True)` and other code that asks for a fixed seed.
seed = 0
