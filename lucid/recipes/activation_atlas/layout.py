"""2-D layouts of activation vectors for activation atlases: UMAP when umap-learn is installed, else t-SNE.

Both are imported when a layout is computed (umap-learn and scikit-learn are optional extras).
"""

import logging

import numpy as np

__all__ = [
    "aligned_layout",
    "aligned_umap",
    "normalize_layout",
]

log = logging.getLogger(__name__)


def normalize_layout(layout, min_percentile=1, max_percentile=99, relative_margin=0.1):
    """`layout` [N, 2] rescaled per axis to [0, 1]: the given percentiles map to `relative_margin` and
    1 - `relative_margin`, and outliers beyond them are clipped."""
    layout = np.asarray(layout, dtype=np.float64)
    if layout.ndim != 2:
        raise ValueError("normalize_layout needs a layout [N, dims], got shape %s." % (layout.shape,))
    low = np.percentile(layout, min_percentile, axis=0)
    high = np.percentile(layout, max_percentile, axis=0)
    scaled = (layout - low) / np.maximum(high - low, 1e-12)
    scaled = relative_margin + scaled * (1 - 2 * relative_margin)
    return np.clip(scaled, 0, 1)


def _umap(activations, options, verbose):
    try:
        import umap
    except ImportError:
        raise ImportError(
            "aligned_umap needs umap-learn (pip install umap-learn); aligned_layout falls back to "
            "scikit-learn's t-SNE without it."
        ) from None
    options = {
        "n_components": 2,
        "n_neighbors": 50,
        "min_dist": 0.05,
        "metric": "cosine",
        "verbose": verbose,
        **options,
    }
    return umap.UMAP(**options).fit_transform(activations)


def _tsne(activations, options, verbose):
    try:
        from sklearn.manifold import TSNE
    except ImportError:
        raise ImportError("Laying out activations needs umap-learn or scikit-learn: pip install scikit-learn") from None
    perplexity = min(30.0, max(1.0, (len(activations) - 1) / 3.0))
    # The exact method is quicker below about a thousand points; Barnes-Hut scales to many more.
    method = "exact" if len(activations) < 1000 else "barnes_hut"
    options = {
        "n_components": 2,
        "metric": "cosine",
        "perplexity": perplexity,
        "init": "pca",
        "random_state": 0,
        "method": method,
        "verbose": int(verbose),
        **options,
    }
    return TSNE(**options).fit_transform(activations)


def _fit(layout_f, activations, options, normalize, verbose):
    """Lay out an array [N, C], or a list of arrays fitted together and split back (so their layouts align)."""
    if isinstance(activations, (list, tuple)):
        arrays = [np.asarray(a, dtype=np.float32) for a in activations]
        combined = _fit(layout_f, np.concatenate(arrays), options, normalize, verbose)
        return np.split(combined, np.cumsum([len(a) for a in arrays])[:-1])
    activations = np.asarray(activations, dtype=np.float32)
    if activations.ndim != 2 or len(activations) < 4:
        raise ValueError("A layout needs at least 4 activation vectors [N, C], got shape %s." % (activations.shape,))
    layout = layout_f(activations, dict(options or {}), verbose)
    return normalize_layout(layout) if normalize else layout


def aligned_umap(activations, umap_options={}, normalize=True, verbose=False):  # noqa: B006 - the original's default; only read
    """UMAP layout [N, 2] (cosine metric, 50 neighbours, min_dist 0.05 unless `umap_options` says otherwise) of
    activations [N, C], or of a list of arrays fitted together and returned as a list of layouts."""
    return _fit(_umap, activations, umap_options, normalize, verbose)


def aligned_layout(activations, method=None, options=None, normalize=True, verbose=False):
    """Like `aligned_umap`, with `method` "umap" or "tsne"; None picks UMAP when umap-learn is installed."""
    if method is None:
        try:
            import umap  # noqa: F401

            method = "umap"
        except ImportError:
            method = "tsne"
            log.info("umap-learn is not installed; laying out activations with scikit-learn's t-SNE.")
    layouts = {"umap": _umap, "tsne": _tsne}
    if method not in layouts:
        raise ValueError("method must be 'umap', 'tsne' or None (automatic), got %r." % (method,))
    return _fit(layouts[method], activations, options, normalize, verbose)
