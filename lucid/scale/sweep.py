"""Render many units ("layer:channel") of a model on a Dask cluster into a resumable output store.

    render_units("EfficientNetLite0", ["block5", "block6:3"], "out")        # a local cluster sized to the machine
    render_units("net.pb", "conv1", "out", client="tcp://10.0.0.5:8786")    # an existing cluster

A script that starts the local cluster must guard its top level with `if __name__ == "__main__":`: the worker
processes are spawned and import the main module.
"""

import logging
import os

import tensorflow as tf

from lucid.modelzoo import nets_factory
from lucid.modelzoo.vision_base import Model
from lucid.optvis import precision
from lucid.optvis.checks import validate_size
from lucid.scale import tasks
from lucid.scale.cluster import check_client, connect, run_tasks
from lucid.scale.html import write_index_html
from lucid.scale.store import Store, index_written_last, model_hash, safe_name, unit_key

log = logging.getLogger(__name__)


def render_units(
    model,
    units,
    out_dir,
    client=None,
    steps=512,
    size=128,
    batch_size=16,
    seed=0,
    n_workers=None,
    progress=None,
    precision="float32",
):
    """Render each unit of `model` into the store `out_dir`, skipping units already rendered there the same way.

    Args:
      model: a zoo model name ("EfficientNetLite0"), the path of a .pb saved with `Model.save` (readable by every
        worker), or such a Model instance.
      units: "layer:channel" strings and layer names (every channel of the layer), or one such string.
      out_dir: the store (see lucid.scale.store): a local path or an fsspec URL (file://, memory://, s3://...).
        Each unit's PNG goes to `units/<key>/image.png`, keyed by the model's content, the unit and every
        setting below; `index.json` gets one record per unit (objective value, settings, seconds, status,
        error) and `index.html` one grid per layer.
      client: None starts a local cluster of `n_workers` processes on 127.0.0.1 (default: one per core, each
        running one task with one TensorFlow thread, the fastest layout in benchmarks/bench_sweep.py);
        a `distributed.Client` or a scheduler address ("tcp://host:8786") runs on that cluster.
      steps, size: optimization steps and image size of each render.
      batch_size: channels of one layer rendered together in one task.
      seed: the seed of each batch (repeatable for the same batch of channels); None for unseeded renders.
      progress: called as `progress(done, failed, total)` at the start and after each task, counting units.
      precision: "float32" (default), "bfloat16", "float16" or "auto", passed on to render_channels.

    A task that fails is retried once; if it fails again its units are recorded as failed and the rest go on.
    A rerun renders only the units not yet done with this model and these settings (failed ones included).

    Returns the latest record of each unit, in order.
    """
    settings = check_settings(steps=steps, size=size, batch_size=batch_size, seed=seed, precision=precision)
    check_client(client, n_workers)
    spec = model_spec(model)
    loaded = tasks.load_model(spec)
    model_name = model_display_name(spec)
    model_sha256 = model_hash(loaded)
    units = expand_units(loaded, parse_units(units), size)
    keys = {unit: unit_key("sweep", model_sha256, unit_name(*unit), settings) for unit in units}
    store = Store(out_dir)
    with store.lock():
        store.index()  # a damaged index stops the run here, before any work
        done = store.done_keys()
        todo = [unit for unit in units if keys[unit] not in done]
        log.info("Rendering %d of %d units of %s into %s.", len(todo), len(units), model_name, store.url)
        records = {}
        base = dict(settings, model=model_name, model_sha256=model_sha256, kind="sweep")

        def record(layer, channel, **fields):
            key = keys[(layer, channel)]
            return dict(base, key=key, layer=layer, channel=channel, unit=unit_name(layer, channel), **fields)

        def on_result(args, result, attempt):
            layer, channels = args[1], args[2]
            for channel, png, value in zip(channels, result["pngs"], result["values"]):
                fields = dict(value=value, seconds=result["seconds"] / len(channels), worker=result["worker"])
                entry = record(layer, channel, status="done", error=None, attempts=attempt, **fields)
                entry = store.put(entry, {"image.png": png})
                records[entry["key"]] = dict(entry, png=entry["files"]["image.png"])

        def on_failure(args, message, attempt):
            layer, channels = args[1], args[2]
            for channel in channels:
                failed = record(layer, channel, status="failed", error=message, attempts=attempt, value=None)
                records[failed["key"]] = dict(failed, png=None, seconds=None, worker=None, files={})

        jobs = [
            (tasks.render_batch, (spec, layer, channels, steps, size, seed, precision), len(channels))
            for layer, channels in batches(todo, batch_size)
        ]
        with index_written_last(store, records, then=write_index_html):
            if jobs:
                with connect(client, n_workers) as dask_client:
                    run_tasks(dask_client, jobs, on_result, on_failure, progress)
        latest = store.index()
    return [latest[keys[unit]] for unit in units]


def check_settings(**settings):
    """The render settings checked: steps, size, batch_size integers >= 1, seed None or >= 0, a known precision."""
    for name in ("steps", "size", "batch_size"):
        settings[name] = validate_size(settings[name], name)
    if settings["seed"] is not None:
        settings["seed"] = validate_size(settings["seed"], "seed", 0)
    precision.check(settings["precision"])
    return settings


def model_display_name(spec):
    """A short readable name for the model of `spec` (a zoo name, or a file's name without extension)."""
    path = spec[0] if isinstance(spec, tuple) else spec
    return os.path.splitext(os.path.basename(path))[0] if path.endswith((".pb", ".keras")) else path


def model_spec(model):
    """What the workers load `model` from: a zoo class name, or the path (or URL) of a .pb saved by Model.save."""
    if isinstance(model, Model):
        model_class = type(model)
        if nets_factory.models_map.get(model_class.__name__) is model_class:
            return model_class.__name__
        if not (isinstance(model.model_path, str) and model.model_path.endswith(".pb")):
            raise TypeError(
                "Workers cannot load %s by name: save it with Model.save(...) to a .pb file and pass that path."
                % model.name
            )
        model = model.model_path
    if not isinstance(model, str):
        raise TypeError(
            "model must be a zoo model name, the path of a .pb saved by Model.save, or a Model; got %r." % (model,)
        )
    if model.endswith(".keras"):
        raise ValueError(
            "render_units takes a zoo model name or a .pb, not the Keras file %s: convert it with "
            "Model.from_keras(keras.models.load_model(path)).export('model.pb') and pass the .pb (lucid-microscope "
            "takes .keras files directly)." % model
        )
    if model.endswith(".pb") and "://" not in model:
        model = os.path.abspath(model)
        if not os.path.isfile(model):
            raise FileNotFoundError("No model file %s: pass the path of a .pb saved by Model.save." % model)
    return model


def parse_units(units):
    """`[(layer, channel)]` from "layer:channel" strings and layer names (channel None: every channel)."""
    if isinstance(units, str):
        units = [units]
    parsed = []
    for unit in units:
        if not isinstance(unit, str):
            raise TypeError("Each unit must be a string, 'layer:channel' or a layer name; got %r." % (unit,))
        layer, colon, channel = unit.rpartition(":")
        if not colon:
            parsed.append((unit, None))
        elif layer and channel.isascii() and channel.isdigit():
            parsed.append((layer, int(channel)))
        else:
            raise ValueError("Unit %r is neither a layer name nor 'layer:channel', e.g. 'mixed4a:476'." % unit)
    if not parsed:
        raise ValueError("units is empty: give layer names or 'layer:channel' strings, e.g. ['mixed4a'].")
    return parsed


def expand_units(model, parsed, size):
    """The distinct `(layer, channel)` pairs of `parsed`, channels checked against each layer's depth."""
    layers = list(dict.fromkeys(layer for layer, _ in parsed))
    folders = {}
    for layer in layers:
        other = folders.setdefault(safe_name(layer), layer)
        if other != layer:
            raise ValueError(
                "Layers %r and %r would share the folder %r; render them into different out_dirs."
                % (other, layer, safe_name(layer))
            )
    depths = _layer_depths(model, layers, size)
    units = []
    for layer, channel in parsed:
        depth = depths[layer]
        if channel is not None:
            if depth is not None and channel >= depth:
                raise ValueError(
                    "Channel %d is out of range: layer %r has channels 0 to %d." % (channel, layer, depth - 1)
                )
            units.append((layer, channel))
        elif depth is None:
            raise ValueError(
                "Cannot tell how many channels layer %r has (its last dimension is unknown); give its "
                "units as 'layer:channel' strings." % layer
            )
        else:
            units.extend((layer, c) for c in range(depth))
    return list(dict.fromkeys(units))


def _layer_depths(model, layers, size):
    """`{layer: channel count}` from the model's layer list, else from the layer's shape in the imported graph.

    A count the graph does not fix is None.
    """
    depths = {layer.name: layer.depth for layer in model.layers if layer.name in layers}
    unknown = [layer for layer in layers if layer not in depths]
    if unknown:
        with tf.Graph().as_default():
            T = model.import_graph(tf.compat.v1.placeholder(tf.float32, [1, size, size, 3]))
            for layer in unknown:
                shape = T(layer).shape  # KeyError naming close layer names if there is no such layer
                depths[layer] = shape[-1] if shape.rank else None
    return depths


def batches(units, batch_size):
    """`[(layer, channels)]`: the units grouped by layer, at most `batch_size` channels per batch."""
    by_layer = {}
    for layer, channel in units:
        by_layer.setdefault(layer, []).append(channel)
    return [
        (layer, channels[start : start + batch_size])
        for layer, channels in by_layer.items()
        for start in range(0, len(channels), batch_size)
    ]


def unit_name(layer, channel):
    return "%s:%d" % (layer, channel)
