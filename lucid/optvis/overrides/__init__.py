"""Gradient overrides for feature visualization and attribution, and context managers that apply them.

Use as `with overrides.relu_overrides(): T = model.import_graph(...)`: only ops created inside are affected.
"""

from lucid.optvis.overrides.redirected_relu_grad import redirected_relu6_grad, redirected_relu_grad

# `overrides.gradient_override` is an attribute of the package, as in the original.
from lucid.optvis.overrides.gradient_override import gradient_override_map, use_gradient
from lucid.optvis.overrides.identity_grad import identity_grad
from lucid.optvis.overrides.smoothed_maxpool_grad import avg_smoothed_maxpool_grad

__all__ = [
    "avg_smoothed_maxpool_grad",
    "default_overrides",
    "default_overrides_map",
    "gradient_override_map",
    "identity_grad",
    "linearization_overrides",
    "linearization_overrides_map",
    "pooling_overrides",
    "pooling_overrides_map",
    "redirected_relu6_grad",
    "redirected_relu_grad",
    "relu_overrides",
    "relu_overrides_map",
    "use_gradient",
]

pooling_overrides_map = {"MaxPool": avg_smoothed_maxpool_grad}
relu_overrides_map = {"Relu": redirected_relu_grad, "Relu6": redirected_relu6_grad}
default_overrides_map = {**pooling_overrides_map, **relu_overrides_map}
linearization_overrides_map = {"Relu": identity_grad, **pooling_overrides_map}


def relu_overrides():
    return gradient_override_map(relu_overrides_map)


def pooling_overrides():
    return gradient_override_map(pooling_overrides_map)


def default_overrides():
    return gradient_override_map(default_overrides_map)


def linearization_overrides():
    return gradient_override_map(linearization_overrides_map)
