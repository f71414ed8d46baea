"""Replace the gradient of ops in a tf.compat.v1 graph.

`gradient_override_map` overrides by op type inside a `with` block; `use_gradient` gives one Python function
a custom gradient `grad_f(op, grad)` with the same signature as a registered TF gradient.
"""

import functools
import uuid
from contextlib import contextmanager

import tensorflow as tf

__all__ = [
    "gradient_override_map",
    "register_to_random_name",
    "use_gradient",
]


def register_to_random_name(grad_f):
    """Register `grad_f` as a TF gradient under a fresh unique name and return that name."""
    name = "%s_%s" % (grad_f.__name__, uuid.uuid4())
    tf.RegisterGradient(name)(grad_f)
    return name


# Gradient functions registered by `gradient_override_map`, so that repeated renders reuse one registry entry
# per function instead of growing TF's global gradient registry on every call.
_names_by_function: dict = {}


def _registered_name(grad_f):
    if grad_f not in _names_by_function:
        _names_by_function[grad_f] = register_to_random_name(grad_f)
    return _names_by_function[grad_f]


@contextmanager
def gradient_override_map(override_dict):
    """Within the block, ops of each type in `override_dict` use the given gradient.

    Values are registered gradient names or gradient functions `f(op, grad)` (registered on the fly).
    Keys are op types such as "Relu", "Relu6" or "MaxPool". Only ops created inside the block are affected.
    """
    by_name = {
        op_type: grad if isinstance(grad, str) else _registered_name(grad) for op_type, grad in override_dict.items()
    }
    with tf.compat.v1.get_default_graph().gradient_override_map(by_name):
        yield


class _OpView:
    """What a `use_gradient` grad_f sees as `op`: the wrapped function's inputs and output."""

    def __init__(self, op):
        self._op = op
        self.inputs = list(op.inputs)[1:]
        self.outputs = list(op.outputs)[:1]
        self.graph = op.graph
        self.name = op.name

    def get_attr(self, name):
        return self._op.get_attr(name)


def use_gradient(grad_f):
    """Decorator: `f(*inputs)` keeps its value but back-propagates `grad_f(op, grad)`.

    `op.inputs` are f's inputs and `op.outputs[0]` its output; `grad_f` returns one gradient per input (or a
    single tensor for one input). Unlike the original (two `py_func`s), the graph stays serialisable: the
    value passes through an `IdentityN` op whose gradient is overridden and which sends nothing back into f.
    """

    def _grad(op, *grads):
        result = grad_f(_OpView(op), grads[0])
        if not isinstance(result, (list, tuple)):
            result = [result]
        return [None] + list(result)

    grad_name = register_to_random_name(_grad)

    def decorator(f):
        @functools.wraps(f)
        def inner(*inputs):
            inputs = [tf.convert_to_tensor(x) for x in inputs]
            out = f(*inputs)
            with gradient_override_map({"IdentityN": grad_name}):
                passed = tf.raw_ops.IdentityN(input=[out] + inputs, name="use_gradient_" + f.__name__)
            result = passed[0]
            result.set_shape(out.shape)
            return result

        del inner.__wrapped__  # its signature stays `(*inputs)`, as the original's decorated functions show
        return inner

    return decorator
