"""Activation atlases (Carter et al. 2019): lay out many activation vectors of a layer in 2-D, average them on a
grid, and render one icon per grid cell, assembled into one image.

    acts = sample_activations(model, "block5", images)           # [N, C] from your images
    atlas = activation_atlas(model, "block5", activations=acts)  # [grid * icon, grid * icon, 3]
"""

import logging
from enum import Enum

import numpy as np

# aligned_umap, push_activations and layer_inverse_covariance are public names of this module, as in the original.
from lucid.modelzoo.aligned_activations import (  # noqa: F401
    NUMBER_OF_AVAILABLE_SAMPLES,
    layer_inverse_covariance,
    push_activations,
)
from lucid.recipes.activation_atlas.layout import aligned_layout, aligned_umap  # noqa: F401
from lucid.recipes.activation_atlas.render import render_icons
from lucid.recipes.image_activations import activations as layer_activations
from lucid.recipes.image_activations import layer_name

__all__ = [
    "activation_atlas",
    "ActivationTranslation",
    "aligned_activation_atlas",
    "aligned_umap",
    "bin_laid_out_activations",
    "layer_inverse_covariance",
    "make_canvas",
    "push_activations",
    "render_icons",
    "sample_activations",
]

log = logging.getLogger(__name__)


def sample_activations(model, layer, images, positions_per_image=4, batch_size=64, seed=0):
    """Activation vectors [N * positions_per_image, C] of `layer` at random spatial positions of `images`
    [N, H, W, 3] in [0, 1] (positions_per_image=None: every position)."""
    acts = layer_activations(model, layer, images, batch_size=batch_size)
    if acts.ndim == 2:
        return acts
    flat = acts.reshape(len(acts), -1, acts.shape[-1])
    if positions_per_image is None:
        return flat.reshape(-1, acts.shape[-1])
    rng = np.random.RandomState(seed)
    picks = rng.randint(0, flat.shape[1], size=(len(flat), positions_per_image))
    return flat[np.arange(len(flat))[:, None], picks].reshape(-1, acts.shape[-1])


def bin_laid_out_activations(layout, activations, grid_size, threshold=5):
    """Average the activations falling in each cell of a grid_size x grid_size grid over `layout` ([N, 2] in
    [0, 1]). Cells with more than `threshold` points are kept. Returns `(means [K, C], coordinates [(x, y)],
    counts [K])`; x indexes the first layout axis, y the second."""
    layout, activations = np.asarray(layout), np.asarray(activations)
    if len(layout) != len(activations):
        raise ValueError(
            "layout has %d points but there are %d activations; they must pair up." % (len(layout), len(activations))
        )
    edges = np.linspace(0, 1, grid_size + 1)
    edges[-1] = np.inf
    cells = [np.clip(np.digitize(layout[:, axis], edges) - 1, 0, grid_size - 1) for axis in (0, 1)]
    means, coordinates, counts = [], [], []
    for x in range(grid_size):
        for y in range(grid_size):
            in_cell = (cells[0] == x) & (cells[1] == y)
            count = int(in_cell.sum())
            if count > threshold:
                means.append(activations[in_cell].mean(0))
                coordinates.append((x, y))
                counts.append(count)
    if not means:
        raise RuntimeError(
            "No grid cell holds more than %d activations; lower threshold or grid_size, or use more "
            "activations." % threshold
        )
    return np.array(means), coordinates, np.array(counts)


def make_canvas(icon_batch, coordinates, grid_size):
    """One image of grid_size x grid_size icons on white: icon i at column x, row y of coordinates[i]."""
    icon_batch = np.asarray(icon_batch)
    _, size, _, channels = icon_batch.shape
    canvas = np.ones((grid_size * size, grid_size * size, channels), dtype=np.float32)
    for icon, (x, y) in zip(icon_batch, coordinates):
        canvas[y * size : (y + 1) * size, x * size : (x + 1) * size] = icon
    return canvas


def _icons(model, layer, directions, icon_size, icon_batch_size, n_steps, S, verbose):
    """Yield the icons for `directions`, rendered `icon_batch_size` at a time."""
    for start in range(0, len(directions), icon_batch_size):
        if verbose:
            log.info(
                "rendering icons %d-%d of %d", start, min(start + icon_batch_size, len(directions)), len(directions)
            )
        icons, _ = render_icons(
            directions[start : start + icon_batch_size],
            model,
            layer,
            size=icon_size,
            n_steps=n_steps,
            S=S,
            num_attempts=1,
        )
        yield icons


def activation_atlas(
    model,
    layer,
    grid_size=10,
    icon_size=96,
    number_activations=NUMBER_OF_AVAILABLE_SAMPLES,
    icon_batch_size=32,
    verbose=False,
    activations=None,
    n_steps=128,
    threshold=5,
    layout_method=None,
    layout_options=None,
):
    """An activation atlas of `layer`: an image [grid_size * icon_size, grid_size * icon_size, 3].

    activations: [N, C] vectors to lay out (e.g. from `sample_activations`); None uses `layer.activations`
    (the model zoo's aligned activations, a download). At most `number_activations` are used. The layout is
    UMAP when umap-learn is installed, else t-SNE (`layout_method` forces one, `layout_options` go to the
    estimator); cells with more than
    `threshold` vectors get an icon rendering their mean with `direction_neuron_cossim_S`.
    """
    if activations is None:
        activations = layer.activations
    activations = np.asarray(activations, dtype=np.float32)[:number_activations]
    layout = aligned_layout(activations, method=layout_method, options=layout_options, verbose=verbose)
    directions, coordinates, _ = bin_laid_out_activations(layout, activations, grid_size, threshold=threshold)
    icons = np.concatenate(
        list(_icons(model, layer_name(layer), directions, icon_size, icon_batch_size, n_steps, None, verbose))
    )
    return make_canvas(icons, coordinates, grid_size)


class ActivationTranslation(Enum):
    ONE_TO_TWO = 1
    BIDIRECTIONAL = 2


def _covariance(acts1, acts2=None):
    acts2 = acts1 if acts2 is None else acts2
    return acts1.T @ acts2 / len(acts1)


def _push_activations(acts, from_acts, to_acts):
    """`acts` of the first layer mapped to the second by the least-squares linear map between the paired
    activations `from_acts` and `to_acts` (the same inputs through both layers)."""
    return acts @ np.linalg.pinv(_covariance(from_acts)) @ _covariance(from_acts, to_acts)


def _combine_activations(
    layer1,
    layer2,
    activations1=None,
    activations2=None,
    mode=ActivationTranslation.BIDIRECTIONAL,
    number_activations=NUMBER_OF_AVAILABLE_SAMPLES,
):
    """Activations of both layers in each layer's own space, for aligned layouts.

    activations1/2: paired [N, C1] and [N, C2] vectors (same inputs; default the layers' aligned activations).
    ONE_TO_TWO gives (acts1, acts1 pushed to layer 2); BIDIRECTIONAL also pushes acts2 into layer 1 and appends
    each layer's own vectors, giving two arrays of 2N vectors in the same order.
    """
    acts1 = np.asarray(layer1.activations if activations1 is None else activations1)[:number_activations]
    acts2 = np.asarray(layer2.activations if activations2 is None else activations2)[:number_activations]
    if len(acts1) != len(acts2):
        raise ValueError(
            "activations1 and activations2 must be paired (same inputs): got %d and %d vectors."
            % (len(acts1), len(acts2))
        )
    one_to_two = _push_activations(acts1, acts1, acts2)
    if mode is ActivationTranslation.ONE_TO_TWO:
        return acts1, one_to_two
    if mode is ActivationTranslation.BIDIRECTIONAL:
        two_to_one = _push_activations(acts2, acts2, acts1)
        return np.concatenate([acts1, two_to_one]), np.concatenate([one_to_two, acts2])
    raise ValueError("mode must be an ActivationTranslation, got %r." % (mode,))


def aligned_activation_atlas(
    model1,
    layer1,
    model2,
    layer2,
    grid_size=10,
    icon_size=80,
    num_steps=1024,
    whiten_layers=True,
    number_activations=NUMBER_OF_AVAILABLE_SAMPLES,
    icon_batch_size=32,
    verbose=False,
    activations1=None,
    activations2=None,
    layout_method=None,
    layout_options=None,
):
    """Atlases of two layers (of two models) over one shared layout, so the same cell shows the same inputs.

    The layout is fitted on each input's activations in both layers side by side (layer 1's vectors next to
    their translation into layer 2 and the reverse, see `_combine_activations`).

    Yields, for model 1 then model 2, a generator of that model's canvas after each batch of icons (the last is
    the finished atlas). activations1/2: paired activation vectors (default the layers' aligned activations).
    whiten_layers renders each layer's icons with its inverse covariance as whitening matrix.
    """
    combined = _combine_activations(layer1, layer2, activations1, activations2, number_activations=number_activations)
    # One layout for both: each point is an input seen in both spaces, scaled so that neither space dominates.
    scaled = [acts / (np.linalg.norm(acts, axis=1).mean() + 1e-12) for acts in combined]
    layout = aligned_layout(
        np.concatenate(scaled, axis=1), method=layout_method, options=layout_options, verbose=verbose
    )
    for model, layer, acts in zip((model1, model2), (layer1, layer2), combined):
        directions, coordinates, _ = bin_laid_out_activations(layout, acts, grid_size, threshold=10)
        S = np.linalg.pinv(_covariance(acts)) if whiten_layers else None
        yield _progressive_canvases(
            model,
            layer_name(layer),
            directions,
            coordinates,
            grid_size,
            icon_size,
            icon_batch_size,
            num_steps,
            S,
            verbose,
        )


def _progressive_canvases(
    model, layer, directions, coordinates, grid_size, icon_size, icon_batch_size, n_steps, S, verbose
):
    """Yield the atlas canvas each time another batch of icons is done."""
    icons = []
    for batch in _icons(model, layer, directions, icon_size, icon_batch_size, n_steps, S, verbose):
        icons.extend(batch)
        yield make_canvas(np.array(icons), coordinates[: len(icons)], grid_size)
