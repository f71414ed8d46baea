"""LayerNMF: a layer's activations (or attributions) split into a few non-negative features, shown as feature
visualizations and as dataset examples, as in "Understanding RL Vision"."""

import numpy as np
import scipy.ndimage as nd

from lucid.misc.channel_reducer import ChannelReducer
from lucid.optvis import objectives, param, render, transform
from lucid.scratch.rl_util.attribution import get_acts, get_attr


def argmax_nd(x, axes, *, max_rep=np.inf, max_rep_strict=None):
    """For each index of the axes of `x` not in `axes`, the position of the maximum over `axes`: a tuple of
    arrays, one per axis in `axes`, each shaped like the remaining axes.

    `max_rep` caps how many indices may share one position: in rounds, the indices holding an over-used position
    (weakest first) move to their next-best candidate of that round (the second best in round 1, the third in
    round 2...), until nothing moves. Rounds run once per candidate position, one more (wrapping to the best)
    unless `max_rep_strict`; the cap may still be exceeded at the end.
    """
    if not max_rep > 0:
        raise ValueError("max_rep must be positive, got %r." % (max_rep,))
    if not (np.isinf(max_rep) or max_rep_strict is not None):
        raise ValueError("max_rep_strict must be given (True or False) with a finite max_rep.")
    rest = [a for a in range(x.ndim) if a not in axes]
    x = x.transpose(list(axes) + rest)
    shape = x.shape
    candidates = int(np.prod(shape[: len(axes)], dtype=np.int64))
    x = x.reshape([candidates, -1])
    columns = np.arange(x.shape[1])
    ranked = np.argsort(-x, axis=0)  # ranked[k, col]: the (k+1)-th best candidate of column col
    result = ranked[0].copy()
    counts = np.bincount(result, minlength=candidates)
    for round_ in range(1, candidates + (0 if max_rep_strict else 1)):
        weakest_first = np.argsort(x[result, columns])
        held = result[weakest_first]
        over = counts.copy()
        moved = False
        for column, position in zip(weakest_first, held):
            if over[position] > max_rep:
                new_position = ranked[round_ % candidates][column]
                result[column] = new_position
                over[position] -= 1
                counts[position] -= 1
                counts[new_position] += 1
                moved = True
        if not moved:
            break
    return np.unravel_index(result.reshape(shape[len(axes) :]), shape[: len(axes)])


class LayerNMF:
    """NMF of `layer_name` of `model` over observations `obses` into `features` features (None: the layer's own
    channels, unreduced).

    With `attr_layer_name`, NMF is fitted to the attribution of that (later) layer to this one, its positive and
    negative parts stacked (computed with `attr_opts`); `acts_reduced` is always the layer's activations in the
    features. `channel_dirs` are the features' directions over the channels. `obses_full` (default `obses`) are
    the images dataset examples are cut from.
    """

    def __init__(
        self,
        model,
        layer_name,
        obses,
        obses_full=None,
        features=10,
        *,
        attr_layer_name=None,
        attr_opts={"integrate_steps": 10},  # noqa: B006 -- the original's default; only read
    ):
        self.model = model
        self.layer_name = layer_name
        self.obses = obses
        self.obses_full = obses if obses_full is None else obses_full
        self.features = features
        self.pad_h = 0
        self.pad_w = 0
        self.padded_obses = self.obses_full
        self.reducer = None if features is None else ChannelReducer(features)
        acts = get_acts(model, layer_name, obses)
        # One layer position covers patch_h x patch_w pixels of the full observations.
        self.patch_h = self.obses_full.shape[1] / acts.shape[1]
        self.patch_w = self.obses_full.shape[2] / acts.shape[2]
        if self.reducer is None:
            self.acts_reduced = acts
            self.channel_dirs = np.eye(acts.shape[-1])
            self.transform = lambda acts: acts.copy()
            self.inverse_transform = lambda acts: acts.copy()
            return
        if attr_layer_name is None:
            self.acts_reduced = self.reducer.fit_transform(acts)
        else:
            attrs = get_attr(model, attr_layer_name, layer_name, obses, **attr_opts)
            self.reducer.fit(np.concatenate([np.maximum(0, attrs), np.maximum(0, -attrs)], axis=0))
            self.acts_reduced = self.reducer.transform(acts)
        self.channel_dirs = self.reducer._reducer.components_
        self.transform = lambda acts: self.reducer.transform(acts)
        self.inverse_transform = lambda acts_r: ChannelReducer._apply_flat(
            self.reducer._reducer.inverse_transform, acts_r
        )

    def vis_traditional(
        self,
        feature_list=None,
        *,
        transforms=[transform.jitter(2)],  # noqa: B006, B008 -- the original's default; only read
        l2_coeff=0.0,
        l2_layer_name=None,
    ):
        """Feature visualizations [k, 64, 64, 3] of the features (all, or `feature_list`): each feature's
        direction maximized, less `l2_coeff` times the L2 of `l2_layer_name`."""
        if feature_list is None:
            feature_list = list(range(self.acts_reduced.shape[-1]))
        try:
            feature_list = list(feature_list)
        except TypeError:
            feature_list = [feature_list]
        # Batch item i shows feature_list[i] (the original used item number `feature`, which fails for a subset).
        obj = sum(
            [
                objectives.direction_neuron(self.layer_name, self.channel_dirs[feature], batch=i)
                for i, feature in enumerate(feature_list)
            ]
        )
        if l2_coeff != 0.0:
            if l2_layer_name is None:
                raise ValueError("l2_layer_name must be given with a non-zero l2_coeff.")
            obj -= objectives.L2(l2_layer_name) * l2_coeff
        return render.render_vis(
            self.model, obj, param_f=lambda: param.image(64, batch=len(feature_list)), transforms=transforms
        )[-1]

    def pad_obses(self, *, expand_mult=1):
        """Surround `obses_full` with a light grey checkerboard wide enough for patches `expand_mult` times the
        size of a layer position (kept in `padded_obses`; only ever grows)."""
        pad_h = np.ceil(self.patch_h * expand_mult).astype(int)
        pad_w = np.ceil(self.patch_w * expand_mult).astype(int)
        if pad_h <= self.pad_h and pad_w <= self.pad_w:
            return
        self.pad_h, self.pad_w = pad_h, pad_w
        n, h, w = self.obses_full.shape[:3]
        checks = np.indices((h + 2 * pad_h, w + 2 * pad_w)).sum(axis=0) % 2 * 0.25 + 0.75
        padded = checks.astype(self.obses_full.dtype)[None, ..., None].repeat(n, axis=0).repeat(3, axis=-1)
        padded[:, pad_h:-pad_h, pad_w:-pad_w, :] = self.obses_full
        self.padded_obses = padded

    def get_patch(self, obs_index, pos_h, pos_w, *, expand_mult=1):
        """The pixels of padded observation `obs_index` around layer position (pos_h, pos_w) (fractional: the
        position's centre is +0.5), `expand_mult` positions wide."""
        top = self.pad_h + (pos_h - 0.5 * expand_mult) * self.patch_h
        bottom = self.pad_h + (pos_h + 0.5 * expand_mult) * self.patch_h
        left = self.pad_w + (pos_w - 0.5 * expand_mult) * self.patch_w
        right = self.pad_w + (pos_w + 0.5 * expand_mult) * self.patch_w
        rows = slice(int(round(top)), int(round(bottom)))
        cols = slice(int(round(left)), int(round(right)))
        return self.padded_obses[obs_index, rows, cols]

    @staticmethod
    def _with_opacity(patches, strengths):
        """Each patch [h, w, 3] of the grid with an alpha channel (float64, as the original): its strength over
        the largest strength."""
        top = strengths.max()
        opacities = strengths / (1 if top == 0 else top)
        return [
            [np.concatenate([p, np.full(p.shape[:2] + (1,), o)], axis=-1) for p, o in zip(row, op_row)]
            for row, op_row in zip(patches, opacities)
        ]

    def vis_dataset(self, feature, *, subdiv_mult=1, expand_mult=1, top_frac=0.1):
        """(RGBA mosaic, observation indices): for each cell of the layer's grid, refined `subdiv_mult` times by
        linear interpolation, the patch of the observation activating `feature` most there (one observation
        used at most about a `top_frac` share of the cells), opacity by activation."""
        acts_h, acts_w = self.acts_reduced.shape[1:3]
        zoom_h = subdiv_mult - (subdiv_mult - 1) / (acts_h + 2)
        zoom_w = subdiv_mult - (subdiv_mult - 1) / (acts_w + 2)
        acts = np.pad(self.acts_reduced[..., feature], [(0, 0), (1, 1), (1, 1)], mode="edge")
        acts = nd.zoom(acts, [1, zoom_h, zoom_w], order=1, mode="nearest")[:, 1:-1, 1:-1]
        if acts.size == 0:
            raise RuntimeError("subdiv_mult of %s too small for %dx%d activations" % (subdiv_mult, acts_h, acts_w))
        poses = np.indices((acts_h + 2, acts_w + 2)).transpose((1, 2, 0)).astype(float)
        poses = nd.zoom(poses, [zoom_h, zoom_w, 1], order=1, mode="nearest")[1:-1, 1:-1, :] - 0.5
        with np.errstate(divide="ignore"):
            max_rep = np.ceil(np.divide(acts.shape[1] * acts.shape[2], acts.shape[0] * top_frac))
        obs_indices = argmax_nd(acts, axes=[0], max_rep=max_rep, max_rep_strict=False)[0]
        self.pad_obses(expand_mult=expand_mult)
        patches, strengths = [], np.zeros(obs_indices.shape)
        for i, j in np.ndindex(*obs_indices.shape):
            if j == 0:
                patches.append([])
            obs = obs_indices[i, j]
            patches[i].append(self.get_patch(obs, *poses[i, j], expand_mult=expand_mult))
            strengths[i, j] = acts[obs, i, j]
        patches = self._with_opacity(patches, strengths)
        image = np.concatenate([np.concatenate(row, axis=1) for row in patches], axis=0)
        return image, obs_indices.tolist()

    def vis_dataset_thumbnail(self, feature, *, num_mult=1, expand_mult=1, max_rep=None):
        """(RGBA thumbnail, observation indices): the num_mult^2 observations activating `feature` most (each at
        its best position, one position used at most `max_rep` times, default num_mult), their patches tiled in
        a num_mult x num_mult grid ordered by position (rows by h, then each row by w), opacity by activation."""
        if max_rep is None:
            max_rep = num_mult
        if self.acts_reduced.shape[0] < num_mult**2:
            raise RuntimeError(
                "At least %d observations are required to produce a thumbnail visualization." % num_mult**2
            )
        acts = self.acts_reduced[..., feature]
        pos_indices = argmax_nd(acts, axes=[1, 2], max_rep=max_rep, max_rep_strict=True)
        acts_single = acts[range(acts.shape[0]), pos_indices[0], pos_indices[1]]
        obs_indices = np.argsort(-acts_single, axis=0)[: num_mult**2]
        coords = np.array(list(zip(*pos_indices)), dtype=[("h", int), ("w", int)])[obs_indices]
        order = np.argsort(coords, axis=0, order=("h", "w")).reshape((num_mult, num_mult))
        for i in range(num_mult):
            order[i] = order[i][np.argsort(coords[order[i]], axis=0, order="w")]
        obs_indices = obs_indices[order]
        poses = np.array(pos_indices).transpose()[obs_indices] + 0.5
        self.pad_obses(expand_mult=expand_mult)
        patches = [
            [self.get_patch(obs_indices[i, j], *poses[i, j], expand_mult=expand_mult) for j in range(num_mult)]
            for i in range(num_mult)
        ]
        strengths = acts_single[obs_indices].astype(np.float64)
        min_h = min(p.shape[0] for row in patches for p in row)
        min_w = min(p.shape[1] for row in patches for p in row)
        patches = [[p[:min_h, :min_w] for p in row] for row in self._with_opacity(patches, strengths)]
        image = np.concatenate([np.concatenate(row, axis=1) for row in patches], axis=0)
        return image, obs_indices.tolist()


def rescale_opacity(images, min_opacity=15 / 255, opaque_frac=0.1, max_scale=10, keep_zeros=False):
    """RGBA images (one or a batch) with opacity rescaled per image: the `opaque_frac` most opaque pixels become
    fully opaque (scaling by at most `max_scale`), and every pixel at least `min_opacity` (those at 0 stay 0 with
    `keep_zeros`)."""
    rescaled = images.copy()
    opacities = images[..., 3].reshape(images.shape[:-3] + (images.shape[-3] * images.shape[-2],))
    threshold = np.percentile(opacities, (1 - opaque_frac) * 100, axis=-1)
    threshold = np.maximum(threshold, np.amax(opacities, axis=-1) / max_scale)[..., None, None]
    threshold[threshold == 0] = 1
    alpha = np.minimum(1, min_opacity + rescaled[..., 3] * (1 - min_opacity) / threshold)
    if keep_zeros:
        alpha[images[..., 3] == 0] = 0
    rescaled[..., 3] = alpha
    return rescaled
