"""A Microscope of your own model: every unit's feature visualizations and dataset examples, as a static site.

    from lucid.scale import microscope
    microscope("EfficientNetLite0", "site", layers=["block4"], images="photos/", units=16)   # site/index.html

For each unit: the positive and negative visualizations and a diverse batch of 4 (tasks.render_views), and with
`images` the patches of those images that excite it most and least (lucid.scale.dataset). Results go to the
store at `site` (lucid.scale.store), keyed by the model's content and the settings: a rerun with more layers,
units or images does only the missing work. The pages (lucid.scale.site) are rewritten at the end of each run.
"""

import logging
import os

from lucid.modelzoo import nets_factory
from lucid.optvis.checks import validate_size
from lucid.scale import dataset, tasks
from lucid.scale.cluster import check_client, connect, run_batches
from lucid.scale.site import write_site
from lucid.scale.store import Store, index_written_last, model_hash, unit_key, unit_path
from lucid.scale.units import check_settings, expand_units, model_display_name, model_spec, unit_name

__all__ = [
    "default_layers",
    "MAX_DEFAULT_LAYERS",
    "microscope",
    "microscope_spec",
]

log = logging.getLogger(__name__)

MAX_DEFAULT_LAYERS = 40  # a converted model listing more layers needs `layers`


def microscope(
    model,
    site,
    layers=None,
    images=None,
    client=None,
    n_workers=None,
    steps=512,
    size=128,
    seed=0,
    units=None,
    batch_size=4,
    precision="float32",
    fast=False,
    value_range=None,
    bgr=False,
    top_k=6,
    progress=None,
):
    """Build (or complete) the Microscope site of `model` at `site` (its pages start at `site/index.html`).

    Args:
      model: a zoo model name, the path of a .pb saved by Model.save, such a Model, or a saved Keras model
        (`.keras`, loaded with safe_mode=True; `value_range` and `bgr` say how it takes images).
      site: where the store and pages go: a local path or an fsspec URL (file://, memory://, s3://...).
      layers: the layers to show (default: the layers the model lists as "conv"; required for a converted
        model listing more than 40 layers).
      images: a folder of images for the dataset examples (None: the site has none, and says so).
      client, n_workers: as in render_units (None starts a local cluster on 127.0.0.1).
      steps, size, seed, batch_size, precision, fast: the renders' settings (batch_size channels per task; fast:
        render_vis's fast path, lucid.optvis.fast).
      units: the first `units` units of each layer (default: all).
      top_k: dataset examples shown per unit, most and least activating each.
      progress: `progress(done, failed, total)`, counting the units whose visualizations are rendered.

    Returns the latest visualization record of each unit shown, in order (status "done" or "failed").
    """
    settings = check_settings(steps=steps, size=size, batch_size=batch_size, seed=seed, precision=precision, fast=fast)
    check_client(client, n_workers)
    top_k = validate_size(top_k, "top_k")
    if units is not None:
        units = validate_size(units, "units")
    paths = dataset.list_images(images) if images is not None else None
    spec = microscope_spec(model, value_range, bgr)
    loaded = tasks.load_model(spec)
    layers = default_layers(loaded, spec, layers)
    chosen = expand_units(loaded, [(layer, None) for layer in layers], size)
    per_layer = [(layer, [c for name, c in chosen if name == layer][:units]) for layer in layers]
    wanted = [(layer, channel) for layer, channels in per_layer for channel in channels]
    model_sha256 = model_hash(loaded)
    pass_size = int(loaded.image_shape[0]) if getattr(loaded, "image_shape", None) else 224
    view_keys, example_keys = _unit_keys(model_sha256, wanted, settings, paths, images, pass_size, top_k)
    store = Store(site)
    name = model_display_name(spec)
    base = dict(model=name, model_sha256=model_sha256)

    def finish(store, latest):
        views = {
            unit: _linked(latest[key]) for unit, key in view_keys.items() if latest.get(key, {}).get("status") == "done"
        }
        found = {unit: _resolve(latest[key]) for unit, key in example_keys.items() if key in latest}
        write_site(store, "Microscope: %s" % name, per_layer, views, found, paths is not None)

    with store.lock():
        done = store.done_keys()
        todo = [unit for unit in wanted if view_keys[unit] not in done]
        lacking = {}  # layer -> its channels without dataset examples yet
        for layer, channels in per_layer if paths is not None else []:
            missing = [c for c in channels if example_keys[(layer, c)] not in done]
            if missing:
                lacking[layer] = missing
        log.info("%s: %d units to render, dataset examples for %d layers.", name, len(todo), len(lacking))
        with index_written_last(store, then=finish) as latest:
            if todo or lacking:
                with connect(client, n_workers) as dask_client:
                    # The renders first: a problem with the images never costs them.
                    _render(dask_client, store, spec, todo, settings, view_keys, base, progress)
                    if lacking:
                        _dataset_examples(
                            dask_client, store, spec, lacking, paths, images, pass_size, top_k, example_keys, base
                        )
    return [latest[view_keys[unit]] for unit in wanted]


def _unit_keys(model_sha256, wanted, settings, paths, images, pass_size, top_k):
    """The store keys of each unit's visualizations, and of its dataset examples (none without images)."""
    view_keys = {unit: unit_key("views", model_sha256, unit_name(*unit), settings) for unit in wanted}
    if paths is None:
        return view_keys, {}
    pass_settings = dict(images=dataset.fingerprint(paths, images), pass_size=pass_size, top_k=top_k)
    return view_keys, {unit: unit_key("examples", model_sha256, unit_name(*unit), pass_settings) for unit in wanted}


def microscope_spec(model, value_range, bgr):
    """What workers load the model from; a `.keras` file becomes `(path, value_range, is_BGR)`."""
    if isinstance(model, str) and model.endswith(".keras"):
        path = os.path.abspath(model)
        if not os.path.isfile(path):
            raise FileNotFoundError("No Keras model file %s: pass the path of a model saved with model.save()." % path)
        value_range = None if value_range is None else tuple(float(v) for v in value_range)
        return (path, value_range, bool(bgr))
    if value_range is not None or bgr:
        raise ValueError("value_range and bgr describe a .keras model; zoo models and .pb files carry their own.")
    return model_spec(model)


def default_layers(model, spec, layers):
    """`layers` checked, or the layers the model lists as conv (a converted model with over 40 layers: error),
    without the `<name>_pre_activation` twins of converted layers (the same units before their activation)."""
    if layers is not None:
        layers = [layers] if isinstance(layers, str) else list(layers)
        if not layers or not all(isinstance(layer, str) for layer in layers):
            raise ValueError("layers must be a non-empty list of layer names, e.g. ['block4', 'block5'].")
        return list(dict.fromkeys(layers))
    listed = list(getattr(model, "layers", None) or [])
    if not (isinstance(spec, str) and spec in nets_factory.models_map) and len(listed) > MAX_DEFAULT_LAYERS:
        raise ValueError(
            "%s lists %d layers; choose the ones to show with layers=[...] (--layers), e.g. %s."
            % (model_display_name(spec), len(listed), ", ".join(layer.name for layer in listed[-3:]))
        )
    conv = [layer.name for layer in listed if "conv" in layer.tags and not layer.name.endswith("_pre_activation")]
    if not conv:
        raise ValueError("The model lists no conv layers; name the layers to show with layers=[...] (--layers).")
    return conv


def _render(client, store, spec, todo, settings, keys, base, progress):
    """Render the views of the units `todo`, batch_size channels per task, storing each unit as it arrives."""

    def record(layer, channel, **fields):
        unit = (layer, channel)
        return dict(
            settings,
            **base,
            kind="views",
            key=keys[unit],
            layer=layer,
            channel=channel,
            unit=unit_name(*unit),
            **fields,
        )

    def on_done(layer, channels, result, fields):
        for channel, views, thumb in zip(channels, result["images"], result["thumbs"]):
            files = dict(("%s.png" % view, data) for view, data in views.items())
            files["thumb.jpg"] = thumb
            store.put(record(layer, channel, **fields), files)

    def on_failed(layer, channels, fields):
        for channel in channels:
            store.put(record(layer, channel, **fields), {})

    run_batches(client, tasks.render_views, spec, todo, settings, on_done, on_failed, progress)


def _dataset_examples(client, store, spec, lacking, paths, folder, size, k, keys, base):
    """One chunked pass over `paths` for the layers of `lacking` (`{layer: channels}`), then each of those units'
    example patches stored as its entry."""
    layers = list(lacking)
    fields = client.submit(tasks.receptive_fields, spec, layers, size, pure=False).result()
    extremes = dataset.extremes_over_images(client, spec, layers, paths, size, k)
    for layer, channels in lacking.items():
        for channel in channels:
            files, lists = {}, {}
            for side in ("top", "bottom"):
                lists[side] = []
                found = dataset.patches(paths, size, fields[layer], extremes[layer][side], channel)
                for rank, (value, path, jpeg) in enumerate(found):
                    files["%s-%d.jpg" % (side, rank)] = jpeg
                    lists[side].append(
                        dict(value=value, image=os.path.relpath(path, folder), name="%s-%d.jpg" % (side, rank))
                    )
            unit = (layer, channel)
            entry = dict(base, kind="examples", key=keys[unit], layer=layer, channel=channel, unit=unit_name(*unit))
            store.put(dict(entry, status="done", **lists), files)


def _linked(record):
    """A views record with its files' paths built from its own key (never from strings stored in the entry)."""
    return dict(record, files={name: unit_path(record["key"], name) for name in record["files"]})


def _resolve(record):
    """An examples record with each example's file path (relative to the store root, from the record's key)
    under "file"."""
    return {
        side: [dict(example, file=unit_path(record["key"], example["name"])) for example in record.get(side, [])]
        for side in ("top", "bottom")
    }
