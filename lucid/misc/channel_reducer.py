"""Reduce the channels of activation tensors with a scikit-learn matrix factorization (NMF, PCA, ...).

    reducer = ChannelReducer(6, "NMF")
    spatial_factors = reducer.fit_transform(acts)   # acts [..., C] -> [..., 6]
    reducer.components                              # [6, C]: the channel direction of each factor

Needs scikit-learn (imported when a reducer is made).
"""

import logging
import numbers

import numpy as np

__all__ = [
    "ChannelReducer",
]

log = logging.getLogger(__name__)


def _decomposition_module():
    try:
        import sklearn.decomposition
    except ImportError:
        raise ImportError("ChannelReducer needs scikit-learn: pip install scikit-learn") from None
    return sklearn.decomposition


class ChannelReducer:
    """A scikit-learn decomposition (named by `reduction_alg`, or an estimator class) applied to the last axis.

    Arrays of any rank are flattened to [positions, channels] for the estimator and reshaped back, so
    `[H, W, C]` activations give `[H, W, n_components]` factors. Extra kwargs go to the estimator.
    """

    def __init__(self, n_components=3, reduction_alg="NMF", **kwargs):
        if isinstance(n_components, bool) or not isinstance(n_components, numbers.Integral) or n_components < 1:
            raise ValueError("n_components must be a positive int, got %r." % (n_components,))
        if isinstance(reduction_alg, str):
            decomposition = _decomposition_module()
            algorithm = getattr(decomposition, reduction_alg, None)
            if not isinstance(algorithm, type) or not hasattr(algorithm, "fit_transform"):
                names = sorted(
                    n
                    for n in dir(decomposition)
                    if isinstance(getattr(decomposition, n), type)
                    and hasattr(getattr(decomposition, n), "fit_transform")
                )
                raise ValueError(
                    "Unknown reduction_alg %r: use one of sklearn.decomposition's %s."
                    % (reduction_alg, ", ".join(names))
                )
        elif isinstance(reduction_alg, type) and hasattr(reduction_alg, "fit_transform"):
            algorithm = reduction_alg
        else:
            raise ValueError(
                "reduction_alg must be the name of a sklearn.decomposition estimator (e.g. 'NMF', "
                "'PCA') or such a class, got %r." % (reduction_alg,)
            )
        self.n_components = int(n_components)
        self._reducer = algorithm(n_components=self.n_components, **kwargs)
        self._is_fit = False

    @staticmethod
    def _flat(acts):
        """`acts` as an array flattened to [positions, channels]."""
        acts = np.asarray(acts)
        if acts.ndim < 1:
            raise ValueError("ChannelReducer needs arrays with a channel axis, got a scalar.")
        return acts, acts.reshape([-1, acts.shape[-1]])

    @classmethod
    def _apply_flat(cls, f, acts):
        """Apply `f` to `acts` flattened to [positions, channels]; restore the leading dims on the result."""
        acts, flat = cls._flat(acts)
        return f(flat).reshape(acts.shape[:-1] + (-1,))

    def fit(self, acts):
        """Fit the estimator on `acts`; returns what its `fit` returns (the estimator), as the original."""
        fitted = self._reducer.fit(self._flat(acts)[1])
        self._is_fit = True
        return fitted

    def fit_transform(self, acts):
        result = self._apply_flat(self._reducer.fit_transform, acts)
        self._is_fit = True
        return result

    def transform(self, acts):
        if not self._is_fit:
            raise RuntimeError("ChannelReducer.transform needs a fitted reducer: call fit or fit_transform first.")
        return self._apply_flat(self._reducer.transform, acts)

    def __call__(self, acts):
        """Fit on the first call, then only transform."""
        return self.transform(acts) if self._is_fit else self.fit_transform(acts)

    def __getattr__(self, name):
        """Fitted estimator attributes without the trailing underscore, e.g. `components` for `components_`."""
        if name.startswith("_"):
            raise AttributeError(name)
        reducer = self.__dict__.get("_reducer")
        if reducer is not None:
            if hasattr(reducer, name + "_"):
                return getattr(reducer, name + "_")
            if hasattr(reducer, name):
                return getattr(reducer, name)
        raise AttributeError(
            "ChannelReducer has no attribute %r (fit it first for fitted attributes such as 'components')." % name
        )

    def __dir__(self):
        fitted = [name[:-1] for name in dir(self._reducer) if name.endswith("_") and not name.startswith("_")]
        return sorted(set(super().__dir__()) | set(fitted))
