"""The Objective type every objective factory builds: a function of T with a name, a description and the layers of
the model it reads, combined with numbers and other objectives through `+ - * /`; and `wrap_objective`, the
decorator that turns a factory of functions of T into a factory of Objectives (lucid.optvis.objectives and
lucid.optvis.regularizers are written with it)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from lucid.optvis.checks import is_number
from lucid.optvis.objectives_util import _make_arg_str, _T_force_NHWC, _T_handle_batch, graph_layers

__all__ = ["Objective", "ObjectiveFunc", "TLookup", "handle_batch", "wrap_objective"]

# T: a layer or tensor name -> its tensor ("input": the image, "labels": the model's labels).
TLookup = Callable[[str], Any]
# What an objective is at heart: a function of T returning the value to maximize.
ObjectiveFunc = Callable[[TLookup], Any]


def _lift(other, operation):
    """Return `other` as an Objective for `operation`: Objectives as is, functions of T wrapped by name (reading
    layers nobody declared)."""
    if isinstance(other, Objective):
        return other
    if callable(other):
        name = getattr(other, "__name__", "")
        return Objective(other, name, name)
    raise TypeError(
        "Cannot use %r (type %s) with an objective in %s: use a number, an Objective or a function "
        "of T." % (other, type(other).__name__, operation)
    )


def _layers_of(objs):
    """The model layers a combination of objectives reads: the union of theirs, None if one of them does not say."""
    layers = [obj.layers for obj in objs]
    return None if None in layers else frozenset().union(*layers)


class Objective:
    """A function of T to maximise, with a short `name`, a readable `description` of how it was built and the
    `layers` of the model it reads (a frozenset of names; None when unknown, as for a function of T)."""

    # Makes NumPy scalars defer to our reflected operators, so `np.float32(2) * obj` is an Objective.
    __array_ufunc__ = None

    def __init__(
        self, objective_func: ObjectiveFunc, name: str = "", description: str = "", layers: frozenset | None = None
    ) -> None:
        self.objective_func = objective_func
        self.name = name
        self.description = description
        self.layers = layers

    def __call__(self, T: TLookup) -> Any:
        return self.objective_func(T)

    def __add__(self, other):
        if is_number(other):
            return Objective(lambda T: other + self(T), self.name, self.description, self.layers)
        other = _lift(other, "+")
        name = ", ".join([self.name, other.name])
        description = "Sum(" + " +\n".join([self.description, other.description]) + ")"
        return Objective(lambda T: self(T) + other(T), name, description, _layers_of([self, other]))

    __radd__ = __add__

    def __neg__(self):
        return -1 * self

    def __sub__(self, other):
        return self + (-other if is_number(other) else -_lift(other, "-"))

    def __rsub__(self, other):
        return -self + other

    def __mul__(self, other):
        """Scale by a number, or multiply values with another objective; keeps self's name and description."""
        if is_number(other):
            return Objective(lambda T: other * self(T), self.name, self.description, self.layers)
        other = _lift(other, "*")
        return Objective(lambda T: self(T) * other(T), self.name, self.description, _layers_of([self, other]))

    __rmul__ = __mul__

    def __truediv__(self, other):
        if not is_number(other):
            raise TypeError(
                "An objective can only be divided by a number, got %r (type %s)." % (other, type(other).__name__)
            )
        if other == 0:
            raise ZeroDivisionError("Objective %r divided by zero." % self.name)
        return Objective(lambda T: self(T) / other, self.name, self.description, self.layers)

    @staticmethod
    def sum(objs: Iterable[Objective | ObjectiveFunc]) -> Objective:
        """One objective adding up all of `objs` (Objectives or functions of T)."""
        lifted = [_lift(obj, "Objective.sum") for obj in objs]
        name = ", ".join(obj.name for obj in lifted)
        description = "Sum(" + " +\n".join(obj.description for obj in lifted) + ")"
        return Objective(lambda T: sum([obj(T) for obj in lifted]), name, description, _layers_of(lifted))


def wrap_objective(
    require_format: str | Callable | None = None, handle_batch: bool = False, reads: Sequence[str] | None = None
) -> Callable:
    """Decorator turning a factory `f(*args) -> (T -> tensor)` into one returning a described `Objective`.

    The Objective is named `f.__name__`; its description lists all positional arguments, defaults included,
    e.g. "Channel [mixed4a_pre_relu, 476, None]". With `require_format="NHWC"` the objective sees layers through
    `_T_force_NHWC`. `reads` names the factory's parameters that hold the layers the objective reads (`()`: it
    reads only T("input") or T("labels")); the Objective declares them as its `layers`, so a render imports
    only the model's part computing them without a trial build. `handle_batch` is accepted for compatibility
    and has no effect (factories slice batches themselves with `handle_batch(batch)`). Works with parentheses or
    bare, as `@wrap_objective`.
    """
    if callable(require_format):
        return wrap_objective()(require_format)
    if require_format not in (None, "NHWC"):
        raise ValueError('require_format must be None or "NHWC", got %r.' % (require_format,))

    def decorator(f):
        signature = inspect.signature(f)

        @functools.wraps(f)
        def factory(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            objective_func = f(*bound.args, **bound.kwargs)
            description = f.__name__.title() + " [" + ", ".join(_make_arg_str(a) for a in bound.args) + "]"
            layers = _declared_layers([bound.arguments[name] for name in reads]) if reads is not None else None
            if require_format == "NHWC":
                return Objective(lambda T: objective_func(_T_force_NHWC(T)), f.__name__, description, layers)
            return Objective(objective_func, f.__name__, description, layers)

        return factory

    return decorator


def _declared_layers(names):
    """The model layers among the layer arguments `names` ("input" and "labels" are not the model's); None if
    one is not a name (the objective's build then reports it)."""
    if not all(isinstance(name, str) for name in names):
        return None
    return graph_layers(names)


def handle_batch(batch: int | None = None) -> Callable[[ObjectiveFunc], ObjectiveFunc]:
    """Decorator for an objective's inner function: its T returns only example `batch` (None: all examples)."""
    return lambda f: lambda T: f(_T_handle_batch(T, batch=batch))
