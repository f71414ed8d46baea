"""Activation atlases: `activation_atlas(model, layer, activations=...)` and `aligned_activation_atlas(...)`."""

from lucid.recipes.activation_atlas.main import activation_atlas, aligned_activation_atlas

__all__ = ["activation_atlas", "aligned_activation_atlas"]
