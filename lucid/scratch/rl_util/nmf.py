"""LayerNMF: a layer's activations (or attributions) split into a few non-negative features, shown as feature
visualizations and as dataset examples, as in "Understanding RL Vision"."""

import numpy as np

from lucid.misc.channel_reducer import ChannelReducer
from lucid.optvis import objectives, param, render, transform
from lucid.scratch.rl_util.attribution import get_acts, get_attr


def argmax_nd(x, axes, max_rep=np.inf, max_rep_strict=None):
    """For each index of the axes of `x` not in `axes`, the position of the maximum over `axes`: a tuple of arrays,
    one per axis in `axes`, each shaped like the remaining axes.

    `max_rep` limits how often one value of the first of `axes` (e.g. the same observation) may be chosen; positions
    are assigned greedily from the largest value. If the limit cannot be met, repeats are allowed beyond it unless
    `max_rep_strict` is true, which raises ValueError.
    """
    x = np.asarray(x)
    axes = [a % x.ndim for a in axes]
    rest = [a for a in range(x.ndim) if a not in axes]
    flat = np.transpose(x, rest + axes).reshape(int(np.prod([x.shape[a] for a in rest])), -1)
    shape = [x.shape[a] for a in axes]
    if max_rep == np.inf:
        chosen = flat.argmax(axis=1)
    else:
        chosen = np.full(len(flat), -1)
        counts = {}
        for row, position in sorted(np.ndindex(*flat.shape), key=lambda rp: -flat[rp]):
            first = np.unravel_index(position, shape)[0]
            if chosen[row] < 0 and counts.get(first, 0) < max_rep:
                chosen[row] = position
                counts[first] = counts.get(first, 0) + 1
        if (chosen < 0).any():
            if max_rep_strict:
                message = "Cannot choose %d positions with each value used at most %r times." % (len(flat), max_rep)
                raise ValueError(message)
            chosen = np.where(chosen < 0, flat.argmax(axis=1), chosen)
    rest_shape = [x.shape[a] for a in rest]
    return tuple(index.reshape(rest_shape) for index in np.unravel_index(chosen, shape))


def rescale_opacity(images, min_opacity=15 / 255, opaque_frac=0.1, max_scale=10, keep_zeros=False):
    """RGBA images with the opacity stretched so that the most opaque `opaque_frac` of pixels are fully opaque (by
    at most `max_scale` times) and no pixel is fainter than `min_opacity` (pixels at 0 stay 0 with `keep_zeros`)."""
    images = np.array(images, dtype=np.float64)
    alpha = images[..., 3]
    top = np.quantile(alpha, 1 - opaque_frac)
    scale = min(max_scale, 1.0 / top) if top > 0 else max_scale
    scaled = np.clip(alpha * scale, min_opacity, 1.0)
    images[..., 3] = np.where((alpha == 0) & keep_zeros, 0.0, scaled)
    return images


class LayerNMF:
    """NMF of `layer_name` of `model` over observations `obses` ([n, h, w, c] in [0, 1]) into `features` features.

    With `attr_layer_name`, the factorisation is of the attribution of that (later) layer to this one (its positive
    part, computed with `attr_opts`), so features are what the later layer uses; `acts_reduced` is always the
    layer's activations projected on the features. `obses_full` (default `obses`) are the images patches are cut
    from: larger versions of the observations, say.
    """

    def __init__(
        self,
        model,
        layer_name,
        obses,
        obses_full=None,
        features=10,
        attr_layer_name=None,
        attr_opts={"integrate_steps": 10},  # noqa: B006 -- the original's default; only read
    ):
        self.model = model
        self.layer_name = layer_name
        self.obses = np.asarray(obses, dtype=np.float32)
        self.obses_full = self.obses if obses_full is None else np.asarray(obses_full, dtype=np.float32)
        self.features = features
        acts = get_acts(model, layer_name, self.obses)
        if acts.ndim != 4:
            raise ValueError("LayerNMF needs a spatial layer [n, h, w, c]; %s has shape %s." % (layer_name, acts.shape))
        fit_on = acts if attr_layer_name is None else get_attr(model, attr_layer_name, layer_name, obses, **attr_opts)
        self.reducer = ChannelReducer(features)
        self.reducer.fit(np.maximum(fit_on, 0))
        self.acts_reduced = self.reducer.transform(np.maximum(acts, 0))
        components = self.reducer.components
        self.channel_dirs = components / np.maximum(np.linalg.norm(components, axis=1, keepdims=True), 1e-12)
        # One layer position covers patch_h x patch_w pixels of the full observations.
        self.patch_h = self.obses_full.shape[1] / acts.shape[1]
        self.patch_w = self.obses_full.shape[2] / acts.shape[2]

    def vis_traditional(
        self,
        feature_list=None,
        transforms=[transform.jitter(2)],  # noqa: B006, B008 -- the original's default; only read
        l2_coeff=0.0,
        l2_layer_name=None,
    ):
        """Feature visualizations of the features (all, or `feature_list`): images [k, h, w, 3] maximizing each
        feature's direction, with an optional L2 penalty of `l2_coeff` on `l2_layer_name`'s activations."""
        feature_list = list(range(self.features)) if feature_list is None else list(feature_list)
        objective = sum(
            objectives.direction(self.layer_name, self.channel_dirs[f], batch=b) for b, f in enumerate(feature_list)
        )
        if l2_coeff:
            objective = objective - l2_coeff * objectives.L2(l2_layer_name or self.layer_name)
        h, w = self.obses.shape[1:3]
        images = render.render_vis(
            self.model,
            objective,
            param_f=lambda: param.image(w, h, batch=len(feature_list)),
            transforms=transforms,
            verbose=False,
        )
        return images[-1]

    def pad_obses(self, expand_mult=1):
        """`obses_full` padded with zeros by half a patch (times `expand_mult`) on each side, as cut by get_patch."""
        pad_h = int(np.ceil(self.patch_h * expand_mult / 2))
        pad_w = int(np.ceil(self.patch_w * expand_mult / 2))
        return np.pad(self.obses_full, [(0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)])

    def get_patch(self, obs_index, pos_h, pos_w, expand_mult=1, padded=None):
        """The pixels of observation `obs_index` under layer position (pos_h, pos_w), `expand_mult` times as wide."""
        padded = self.pad_obses(expand_mult) if padded is None else padded
        pad_h = (padded.shape[1] - self.obses_full.shape[1]) // 2
        pad_w = (padded.shape[2] - self.obses_full.shape[2]) // 2
        size_h = int(round(self.patch_h * expand_mult))
        size_w = int(round(self.patch_w * expand_mult))
        top = int(round((pos_h + 0.5) * self.patch_h - size_h / 2)) + pad_h
        left = int(round((pos_w + 0.5) * self.patch_w - size_w / 2)) + pad_w
        return padded[obs_index, top : top + size_h, left : left + size_w]

    def vis_dataset(self, feature, subdiv_mult=1, expand_mult=1, top_frac=0.1):
        """An RGBA map of the layer's grid: at each position the patch of the observation that activates `feature`
        most there, its opacity growing with that activation (the top `top_frac` of positions fully opaque).

        `subdiv_mult` > 1 splits each position into subdiv_mult^2 cells, each with the observation strongest at the
        nearest position (a finer mosaic).
        """
        acts = self.acts_reduced[..., feature]
        fine = acts.repeat(subdiv_mult, axis=1).repeat(subdiv_mult, axis=2)
        best = fine.argmax(axis=0)
        padded = self.pad_obses(expand_mult)
        rows = []
        for i in range(fine.shape[1]):
            row = []
            for j in range(fine.shape[2]):
                patch = self.get_patch(best[i, j], i // subdiv_mult, j // subdiv_mult, expand_mult, padded)
                row.append(self._cell(patch, fine[best[i, j], i, j], subdiv_mult))
            rows.append(np.concatenate(row, axis=1))
        grid = np.concatenate(rows, axis=0)
        return rescale_opacity(grid, opaque_frac=top_frac)

    def _cell(self, patch, strength, subdiv_mult):
        size_h = max(int(round(self.patch_h / subdiv_mult)), 1)
        size_w = max(int(round(self.patch_w / subdiv_mult)), 1)
        top = (patch.shape[0] - size_h) // 2
        left = (patch.shape[1] - size_w) // 2
        rgb = patch[top : top + size_h, left : left + size_w, :3]
        return np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), strength, rgb.dtype)], axis=-1)

    def vis_dataset_thumbnail(self, feature, num_mult=1, expand_mult=1, max_rep=None):
        """The num_mult^2 patches activating `feature` most (one observation used at most `max_rep` times), tiled in
        a num_mult x num_mult RGBA thumbnail with opacity by activation; returns (thumbnail, opacities)."""
        acts = self.acts_reduced[..., feature]
        count = num_mult**2
        order = np.argsort(-acts, axis=None, kind="stable")
        picks, used = [], {}
        for flat in order:
            obs, h, w = np.unravel_index(flat, acts.shape)
            if max_rep is None or used.get(obs, 0) < max_rep:
                picks.append((obs, h, w))
                used[obs] = used.get(obs, 0) + 1
            if len(picks) == count:
                break
        padded = self.pad_obses(expand_mult)
        strengths = np.array([acts[p] for p in picks])
        opacities = strengths / strengths.max() if strengths.max() > 0 else np.zeros_like(strengths)
        patches = [self.get_patch(*p, expand_mult, padded)[..., :3] for p in picks]
        tiles = [np.concatenate([t, np.full(t.shape[:2] + (1,), o, t.dtype)], -1) for t, o in zip(patches, opacities)]
        tiles += [np.zeros_like(tiles[0])] * (count - len(tiles))
        rows = [np.concatenate(tiles[r * num_mult : (r + 1) * num_mult], axis=1) for r in range(num_mult)]
        return np.concatenate(rows, axis=0), opacities
