"""A Microscope of your own model: every unit's feature visualizations and dataset examples, as a static site.

    from lucid.scale import microscope
    microscope("EfficientNetLite0", "site", layers=["block4"], images="photos/", units=16)   # site/index.html

For each unit: the positive and negative visualizations and a diverse batch of 4 (tasks.render_views), and with
`images` the patches of those images that excite it most and least (lucid.scale.dataset) with its activation
over them; its circuits and classes; per layer DeepDream and caricatures of the images; class pages
(lucid.scale.techniques). Results go to the store at `site` (lucid.scale.store), keyed by the model's content and
the settings: a rerun with more layers, units or images does only the missing work. The pages
(lucid.scale.microscope_pages) are rewritten at the end of each run.
"""

import difflib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

import distributed
import numpy as np
import tensorflow as tf

from lucid.modelzoo import nets_factory
from lucid.modelzoo.vision_base import Model
from lucid.optvis.checks import validate_size
from lucid.scale import dataset, tasks, techniques
from lucid.scale.cluster import ClientLike, Progress, check_client, connect, run_batches
from lucid.scale.microscope_pages import write_site
from lucid.scale.store import Record, Store, index_written_last, model_hash, unit_key, unit_path
from lucid.scale.units import ModelSpec, check_settings, expand_units, model_display_name, model_spec, unit_name

__all__ = [
    "default_layers",
    "MAX_DEFAULT_LAYERS",
    "microscope",
    "microscope_spec",
]

log = logging.getLogger(__name__)

MAX_DEFAULT_LAYERS = 40  # a converted model listing more layers needs `layers`
DREAM_IMAGES = 3  # the user's images shown with DeepDream and caricatures on each layer page
CLASS_EXAMPLES = 6  # top dataset examples per class page


def microscope(
    model: Model | str,
    site: str,
    layers: str | Iterable[str] | None = None,
    images: str | None = None,
    client: ClientLike = None,
    n_workers: int | None = None,
    steps: int = 512,
    size: int = 128,
    seed: int | None = 0,
    units: int | None = None,
    batch_size: int = 4,
    precision: str = "float32",
    fast: bool = False,
    value_range: Sequence[float] | None = None,
    bgr: bool = False,
    top_k: int = 6,
    circuits: bool = True,
    classes: int | str | Iterable[int | str] | None = None,
    class_steps: int = 240,
    dream_steps: int = 128,
    progress: Progress | None = None,
) -> list[Record]:
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
      circuits: show each unit's strongest connections to the layers before and after it in `model.layers`,
        and the classes it raises and lowers most (lucid.recipes.circuits).
      classes: class pages for the first N classes (an int) or for the classes named (labels or any of their
        comma-separated names, or indices): the class's visualization (lucid.recipes.class_visualization,
        `class_steps` steps), its top dataset examples and the units driving it most.
      dream_steps: with `images`, DeepDream and caricatures of 3 of them on each layer page, `dream_steps` steps
        each (0: none).
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
    height = (getattr(loaded, "image_shape", None) or [None])[0]
    pass_size = 224 if height is None else int(height)  # the model's own size, else 224 (any size)
    model_layers = layer_shapes(loaded, layers, pass_size)
    labels, logits = class_names(loaded)
    class_indices = choose_classes(classes, labels)
    view_keys, example_keys = _unit_keys(model_sha256, wanted, settings, paths, images, pass_size, top_k)
    asked = dict(circuits=circuits, classes=class_indices, class_steps=class_steps, dream_steps=dream_steps)
    extras = _extra_jobs(spec, model_sha256, model_layers, layers, logits, paths, images, pass_size, asked)
    store = Store(site)
    name = model_display_name(spec)
    base = dict(model=name, model_sha256=model_sha256)

    pages = dict(
        title="Microscope: %s" % name,
        model_layers=model_layers,
        shown=per_layer,
        has_images=paths is not None,
        labels=labels,
        settings="Feature visualizations: %d steps at %d px, seed %s, %s." % (steps, size, seed, precision),
    )

    def finish(store, latest):
        found = _unit_results(latest, view_keys, example_keys)
        write_site(store, dict(pages, **found, **_extra_results(store, latest, extras, asked, labels, pass_size)))

    with store.lock():
        done = store.done_keys()
        todo = [unit for unit in wanted if view_keys[unit] not in done]
        lacking = {  # layer -> its channels without dataset examples yet
            layer: missing
            for layer, channels in (per_layer if paths is not None else [])
            if (missing := [c for c in channels if example_keys[(layer, c)] not in done])
        }
        extra_todo = [job for job in extras.values() if job["key"] not in done]
        log.info("%s: %d units to render, dataset examples for %d layers.", name, len(todo), len(lacking))
        with index_written_last(store, then=finish) as latest:
            if todo or lacking or extra_todo:
                with connect(client, n_workers) as dask_client:
                    # The renders first: a problem with the images never costs them.
                    _render(dask_client, store, spec, todo, settings, view_keys, base, progress)
                    if lacking:
                        _dataset_examples(
                            dask_client, store, spec, lacking, paths, images, pass_size, top_k, example_keys, base
                        )
                    _run_extras(dask_client, store, extra_todo, base)
    return [latest[view_keys[unit]] for unit in wanted]


def _unit_results(latest, view_keys, example_keys):
    """The pages' `views` (each done unit's visualizations) and `examples` (its dataset examples) from the store."""
    done = {unit: key for unit, key in view_keys.items() if latest.get(key, {}).get("status") == "done"}
    views = {unit: _linked(latest[key]) for unit, key in done.items()}
    examples = {unit: _resolve(latest[key]) for unit, key in example_keys.items() if key in latest}
    return dict(views=views, examples=examples)


def _unit_keys(model_sha256, wanted, settings, paths, images, pass_size, top_k):
    """The store keys of each unit's visualizations, and of its dataset examples (none without images)."""
    view_keys = {unit: unit_key("views", model_sha256, unit_name(*unit), settings) for unit in wanted}
    if paths is None:
        return view_keys, {}
    pass_settings = dict(images=dataset.fingerprint(paths, images), pass_size=pass_size, top_k=top_k, maps=True)
    return view_keys, {unit: unit_key("examples", model_sha256, unit_name(*unit), pass_settings) for unit in wanted}


def microscope_spec(model: Model | str, value_range: Sequence[float] | None, bgr: bool) -> ModelSpec:
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


def default_layers(model: Model, spec: ModelSpec, layers: str | Iterable[str] | None) -> list[str]:
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
        wanted = {}  # image index -> the channels whose examples it holds
        for side in ("top", "bottom"):
            for image, channel in zip(extremes[layer][side][1].astype(int).ravel(), _channel_grid(extremes, layer)):
                if channel in channels:
                    wanted.setdefault(int(image), set()).add(channel)
        wanted = {image: sorted(found) for image, found in wanted.items()}
        maps = client.submit(techniques.example_maps, spec, layer, paths, wanted, size, pure=False).result()
        for channel in channels:
            files, lists = {}, {}
            for side in ("top", "bottom"):
                lists[side] = []
                found = dataset.patches(paths, size, fields[layer], extremes[layer][side], channel, maps)
                for rank, (value, path, jpeg, overlay) in enumerate(found):
                    name = "%s-%d.jpg" % (side, rank)
                    files[name] = jpeg
                    if overlay:
                        files["map-" + name] = overlay
                    lists[side].append(dict(value=value, image=os.path.relpath(path, folder), name=name))
            unit = (layer, channel)
            entry = dict(base, kind="examples", key=keys[unit], layer=layer, channel=channel, unit=unit_name(*unit))
            store.put(dict(entry, status="done", **lists), files)


def _linked(record):
    """A views record with its files' paths built from its own key (never from strings stored in the entry)."""
    return dict(record, files={name: unit_path(record["key"], name) for name in record["files"]})


def _channel_grid(extremes, layer):
    """The channel of each element of an extremes array's `[k, channels]` planes, flattened like them."""
    k, channels = extremes[layer]["top"].shape[1:]
    return np.broadcast_to(np.arange(channels), (k, channels)).ravel()


def _resolve(record):
    """An examples record with each example's file path and its activation map's (relative to the store root,
    from the record's key) under "file" and "map", and the record's key."""
    key = record["key"]
    found = {
        side: [
            dict(
                example,
                file=unit_path(key, example["name"]),
                map=unit_path(key, "map-" + example["name"]) if "map-" + example["name"] in record["files"] else None,
            )
            for example in record.get(side, [])
        ]
        for side in ("top", "bottom")
    }
    return dict(found, key=record["key"])


# Techniques beyond each unit's own renders (lucid.scale.techniques), each stored as one entry.


def layer_shapes(model: Model, shown: Iterable[str], size: int) -> list[dict[str, Any]]:
    """`[{"name", "depth", "tags", "shape"}]` of the layers the model lists (then any other shown layer), with
    their spatial size at `size` px ("shape", None for layers without one) and their rank."""
    listed = [(layer.name, layer.depth, sorted(layer.tags)) for layer in getattr(model, "layers", None) or []]
    listed += [(name, None, []) for name in shown if name not in {layer[0] for layer in listed}]
    found = []
    with tf.Graph().as_default():
        T = model.import_graph(tf.compat.v1.placeholder(tf.float32, [1, size, size, 3]), forget_xy_shape=False)
        for name, depth, tags in listed:
            shape = T(name).shape
            spatial = [int(side) for side in shape[1:3]] if shape.rank == 4 and None not in shape[1:3] else None
            depth = depth or (int(shape[-1]) if shape.rank and shape[-1] is not None else None)
            found.append(dict(name=name, depth=depth, tags=tags, shape=spatial, rank=shape.rank))
    return found


def class_names(model: Model) -> tuple[list[str], str] | tuple[None, None]:
    """`(labels, logits layer)` of a model with class logits among its layers, else `(None, None)`."""
    try:
        labels = list(model.labels or [])
    except (AttributeError, FileNotFoundError, ValueError, RuntimeError):
        return None, None
    for layer in getattr(model, "layers", None) or []:
        if "dense" in layer.tags and "softmax" not in layer.name.lower() and layer.depth == len(labels):
            return [str(label) for label in labels], layer.name
    return None, None


def choose_classes(classes: int | str | Iterable[int | str] | None, labels: Sequence[str] | None) -> list[int]:
    """The class indices asked for: None or 0 (none), N (the first N), or a list of labels, any of their
    comma-separated names, or indices."""
    if classes is None or classes == 0:
        return []
    if labels is None:
        raise ValueError("This model has no class labels and logits among its layers; drop classes (--classes).")
    if isinstance(classes, int):
        return list(range(min(validate_size(classes, "classes"), len(labels))))
    names: dict[str, int] = {}  # lower-case label or name -> class index
    for index, label in enumerate(labels):
        for name in [label] + [part.strip() for part in label.split(",")]:
            names.setdefault(name.lower(), index)
    chosen = []
    for wanted in [classes] if isinstance(classes, str) else classes:
        text = str(wanted).strip()
        if text.isdigit() and int(text) < len(labels):
            chosen.append(int(text))
        elif text.lower() in names:
            chosen.append(names[text.lower()])
        else:
            close = difflib.get_close_matches(text.lower(), list(names), n=3)
            raise ValueError(
                "No class %r in the model's labels%s; give a label, one of its names, or an index below %d."
                % (text, " (did you mean %s?)" % ", ".join(close) if close else "", len(labels))
            )
    return list(dict.fromkeys(chosen))


def _extra_jobs(spec, model_sha256, model_layers, shown, logits, paths, folder, size, asked):
    """`{name: job}` of the techniques asked for, each job `{"key", "kind", "function", "args", "files"}` where
    `files(result)` gives the entry's files."""
    jobs = {}
    ranks = {layer["name"]: layer["rank"] for layer in model_layers}
    names = [layer["name"] for layer in model_layers]

    def add(kind, label, settings, function, args, files, **info):
        key = unit_key(kind, model_sha256, label, settings)
        jobs[(kind, label)] = dict(info, key=key, kind=kind, label=label, function=function, args=args, files=files)

    as_json = lambda result: {"data.json": json.dumps(result, sort_keys=True)}  # noqa: E731
    if asked["circuits"]:
        pairs = set()
        for layer in shown:
            at = names.index(layer)
            if at > 0 and ranks[names[at - 1]] == 4:
                pairs.add((names[at - 1], layer))
            if at + 1 < len(names) and ranks[names[at + 1]] == 4:
                pairs.add((layer, names[at + 1]))
        for source, target in sorted(pairs):
            args = (spec, source, target, size)
            add("circuits", "%s>%s" % (source, target), dict(size=size), techniques.circuit_pair, args, as_json)
        if logits is not None:
            args = (spec, list(shown), logits, size)
            add("classes", ",".join(shown), dict(size=size), techniques.class_weights, args, as_json)
    for start in range(0, len(asked["classes"]), 4):
        batch = asked["classes"][start : start + 4]
        settings = dict(steps=asked["class_steps"], size=techniques.MACO_SIZE, recipe="class_visualization 2 views")
        args = (spec, batch, asked["class_steps"], logits)
        files = lambda pngs, batch=batch: {"%d.png" % c: png for c, png in zip(batch, pngs)}  # noqa: E731
        add("class-views", ",".join(map(str, batch)), settings, techniques.class_views, args, files)
    if paths is not None and asked["classes"]:
        fingerprint = dataset.fingerprint(paths, folder)
        args = (spec, logits, asked["classes"], paths, size)
        label = ",".join(map(str, asked["classes"]))
        add("class-examples", label, dict(images=fingerprint, size=size), _class_examples, args, lambda r: r)
    if paths is not None and asked["dream_steps"]:
        for path in paths[:DREAM_IMAGES]:
            image = os.path.relpath(path, folder)
            settings = dict(images=dataset.fingerprint([path], folder), steps=asked["dream_steps"], size=size)
            args = (spec, list(shown), path, size, asked["dream_steps"])
            label = json.dumps([image, shown])
            function = techniques.dream_and_caricatures
            add("dreams", label, settings, function, args, _dream_files, image=image, path=path, layers=list(shown))
    return jobs


def _dream_files(result):
    if "unreadable" in result:
        return {"unreadable.txt": result["unreadable"]}
    files = {"input.png": result["input"]}
    for number, pictures in enumerate(result["layers"].values()):
        files.update({"%d-%s.png" % (number, kind): png for kind, png in pictures.items()})
    return files


def _class_examples(spec, logits, classes, paths, size):
    """Runs on a worker: JPEG bytes of each class's top images, `{"<class>-<rank>.jpg": JPEG}`, and
    `"data.json"` with their logits and images."""
    scores = np.concatenate(
        [
            techniques.class_scores(spec, logits, classes, paths[i : i + 32], i, size)[1]
            for i in range(0, len(paths), 32)
        ]
    )
    files, data = {}, {}
    for column, index in enumerate(classes):
        order = np.argsort(-scores[:, column], kind="stable")[:CLASS_EXAMPLES]
        data[index] = []
        for rank, image in enumerate(order):
            name = "%d-%d.jpg" % (index, rank)
            files[name] = tasks.encode_jpeg(tasks.load_square_image(paths[image], size), size=dataset.PATCH_PX * 2)
            data[index].append([name, float(scores[image, column]), paths[image]])
    files["data.json"] = json.dumps(data)
    return files


def _run_extras(client, store, jobs, base):
    """Run the technique jobs on `client`, storing each result as its entry as it arrives; a failed job is
    recorded as failed (the next run tries it again)."""
    futures = {client.submit(job["function"], *job["args"], pure=False): job for job in jobs}
    for future in distributed.as_completed(list(futures)):
        job = futures.pop(future)
        record = dict(base, kind=job["kind"], key=job["key"], unit=job["label"])
        try:
            result = future.result()
        except Exception as error:  # the task's own error, or KilledWorker after repeated worker deaths
            message = "%s: %s" % (type(error).__name__, error)
            log.error("%s of %s failed: %s", job["kind"], job["label"], message)
            store.put(dict(record, status="failed", error=message), {})
        else:
            store.put(dict(record, status="done", error=None), job["files"](result))


def _extra_results(store, merged, jobs, asked, labels, size):
    """What the pages show of the techniques, read from their entries (missing or failed ones: absent)."""

    def done(job):
        record = merged.get(job["key"])
        return record if record and record.get("status") == "done" else None

    def data(record):
        return json.loads(store.read(unit_path(record["key"], "data.json")))

    circuits, class_data, dreams, unreadable, views, examples = {}, None, {}, [], {}, {}
    for (kind, _), job in jobs.items():
        record = done(job)
        if record is None:
            continue
        if kind == "circuits":
            pair = data(record)
            circuits.setdefault(pair["target"], {})["inputs"] = pair
            circuits.setdefault(pair["source"], {})["outputs"] = pair
        elif kind == "classes":
            class_data = data(record)
        elif kind == "class-views":
            views.update({int(name[:-4]): unit_path(record["key"], name) for name in record["files"]})
        elif kind == "class-examples":
            for index, found in data(record).items():
                examples[int(index)] = [
                    (unit_path(record["key"], name), value, os.path.basename(path)) for name, value, path in found
                ]
        elif kind == "dreams" and "unreadable.txt" in record["files"]:
            reason = store.read(unit_path(record["key"], "unreadable.txt")).decode("utf-8", "replace")
            unreadable.append((job["image"], reason.replace(job["path"], job["image"])))  # no local paths shown
        elif kind == "dreams":
            files = {name: unit_path(record["key"], name) for name in record["files"]}
            for number, layer in enumerate(job["layers"]):
                pictures = {view: files["%d-%s.png" % (number, view)] for view in ("deepdream", "caricature")}
                dreams.setdefault(layer, []).append(dict(pictures, image=job["image"], input=files["input.png"]))
    class_settings = "lucid.recipes.class_visualization (MACO, 2 flipped random crops per step) at %d px, %d steps." % (
        techniques.MACO_SIZE,
        asked["class_steps"],
    )
    return dict(
        circuits=circuits,
        classes=class_data if labels else None,
        class_pages=[
            dict(index=index, view=views.get(index), examples=examples.get(index, []), settings=class_settings)
            for index in asked["classes"]
        ],
        dreams=dreams,
        unreadable_dreams=sorted(unreadable),
        dream_settings="DeepDream (objectives.deepdream of the layer) and caricatures (lucid.recipes.caricature) "
        "of the first %d images, %d steps each at %d px." % (DREAM_IMAGES, asked["dream_steps"], size),
    )
