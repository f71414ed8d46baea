"""Render many units ("layer:channel") of a model on a Dask cluster into a resumable output store.

    render_units("EfficientNetLite0", ["block5", "block6:3"], "out")        # a local cluster sized to the machine
    render_units("net.pb", "conv1", "out", client="tcp://10.0.0.5:8786")    # an existing cluster

A script that starts the local cluster must guard its top level with `if __name__ == "__main__":`: the worker
processes are spawned and import the main module.
"""

import logging
import numbers
import os
from contextlib import contextmanager

import tensorflow as tf

try:
    import distributed
    from dask.system import CPU_COUNT
except ImportError as error:
    raise ImportError(
        "lucid.scale runs on Dask's distributed scheduler: pip install 'lucid[scale]' (or 'dask[distributed]')."
    ) from error

from lucid.modelzoo import nets_factory
from lucid.modelzoo.vision_base import Model
from lucid.scale import tasks
from lucid.scale.html import write_index_html
from lucid.scale.store import Store, png_path, safe_name

log = logging.getLogger(__name__)

ATTEMPTS = 2  # a failed task is retried once, then its units are recorded as failed


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
):
    """Render each unit of `model` to `out_dir/<model>/<layer>/<channel>.png`, skipping units already done there.

    Args:
      model: a zoo model name ("EfficientNetLite0"), the path of a .pb saved with `Model.save` (readable by every
        worker), or such a Model instance.
      units: "layer:channel" strings and layer names (every channel of the layer), or one such string.
      out_dir: the store; also gets `index.jsonl` (one record per unit: objective value, steps, size, seed,
        seconds, status, error) and `index.html` (one grid per layer).
      client: None starts a local cluster of `n_workers` processes on 127.0.0.1 (default: one per core, each
        running one task with one TensorFlow thread, the fastest layout in benchmarks/bench_sweep.py);
        a `distributed.Client` or a scheduler address ("tcp://host:8786") runs on that cluster.
      steps, size: optimization steps and image size of each render.
      batch_size: channels of one layer rendered together in one task.
      seed: the seed of each batch (repeatable for the same batch of channels); None for unseeded renders.
      progress: called as `progress(done, failed, total)` at the start and after each task, counting units.

    A task that fails is retried once; if it fails again its units are recorded as failed and the rest go on.
    A rerun renders only the units not yet done (failed ones included).

    Returns the latest index record of each unit, in order.
    """
    steps, size, batch_size = (
        _check_count(name, value, 1) for name, value in (("steps", steps), ("size", size), ("batch_size", batch_size))
    )
    if seed is not None:
        seed = _check_count("seed", seed, 0)
    if not (client is None or isinstance(client, (str, distributed.Client))):
        raise TypeError(
            "client must be None (a local cluster), a distributed.Client or a scheduler address such as "
            "'tcp://127.0.0.1:8786'; got %r." % (client,)
        )
    if client is not None and n_workers is not None:
        raise ValueError("n_workers sizes the local cluster started when client is None; drop n_workers or client.")
    spec = _model_spec(model)
    model_name = os.path.splitext(os.path.basename(spec))[0] if spec.endswith(".pb") else spec
    units = _expand_units(tasks.load_model(spec), _parse_units(units), size)
    store = Store(out_dir)
    with store.lock():
        done = {key for key, record in store.latest().items() if store.is_done(record)}
        todo = [(layer, channel) for layer, channel in units if (model_name, _unit(layer, channel)) not in done]
        log.info(
            "Rendering %d units of %s into %s (%d already done).",
            len(todo),
            model_name,
            store.out_dir,
            len(units) - len(todo),
        )
        try:
            if todo:
                with _connect(client, n_workers) as dask_client:
                    _run(dask_client, store, spec, model_name, _batches(todo, batch_size), steps, size, seed, progress)
        finally:
            write_index_html(store)
        latest = store.latest()
    return [latest[(model_name, _unit(layer, channel))] for layer, channel in units]


def _run(client, store, spec, model_name, batches, steps, size, seed, progress):
    """Submit one task per batch, record each result as it comes, retry a failed task once."""

    def submit(layer, channels, attempt):
        future = client.submit(tasks.render_batch, spec, layer, channels, steps, size, seed, pure=False)
        submitted[future] = (layer, channels, attempt)
        return future

    submitted = {}
    pending = distributed.as_completed([submit(layer, channels, 1) for layer, channels in batches])
    total = sum(len(channels) for _, channels in batches)
    counts = {"done": 0, "failed": 0}
    if progress:
        progress(0, 0, total)
    for future in pending:
        layer, channels, attempt = submitted.pop(future)
        settings = dict(model=model_name, layer=layer, steps=steps, size=size, seed=seed, attempts=attempt)
        try:
            result = future.result()
        except Exception as error:  # the task's own error, or KilledWorker after repeated worker deaths
            message = "%s: %s" % (type(error).__name__, error)
            if attempt < ATTEMPTS:
                log.warning("Rendering %s channels %s failed (%s); retrying.", layer, channels, message)
                pending.add(submit(layer, channels, attempt + 1))
                continue
            log.error("Rendering %s channels %s failed again (%s); recording them as failed.", layer, channels, message)
            records = [
                dict(
                    settings,
                    unit=_unit(layer, channel),
                    channel=channel,
                    status="failed",
                    error=message,
                    value=None,
                    png=None,
                    seconds=None,
                    worker=None,
                )
                for channel in channels
            ]
        else:
            records = []
            for channel, png, value in zip(channels, result["pngs"], result["values"]):
                path = png_path(model_name, layer, channel)
                store.write_png(path, png)
                records.append(
                    dict(
                        settings,
                        unit=_unit(layer, channel),
                        channel=channel,
                        status="done",
                        error=None,
                        value=value,
                        png=path,
                        seconds=result["seconds"] / len(channels),
                        worker=result["worker"],
                    )
                )
        store.append(records)
        counts[records[0]["status"]] += len(records)
        if progress:
            progress(counts["done"], counts["failed"], total)


@contextmanager
def _connect(client, n_workers):
    """A Client for `client`: None starts a local cluster and an address connects, both closed afterwards."""
    if client is None:
        with _local_cluster(n_workers) as cluster, distributed.Client(cluster) as local_client:
            yield local_client
    elif isinstance(client, str):
        with distributed.Client(client) as remote_client:
            yield remote_client
    else:
        yield client


def _local_cluster(n_workers):
    """Worker processes on 127.0.0.1, one task at a time each, TensorFlow's threads sharing the cores among them."""
    if n_workers is None:
        n_workers = CPU_COUNT
    n_workers = _check_count("n_workers", n_workers, 1)
    tf_threads = str(max(1, CPU_COUNT // n_workers))
    return distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        env={"TF_NUM_INTRAOP_THREADS": tf_threads, "TF_NUM_INTEROP_THREADS": tf_threads},
    )


def _model_spec(model):
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
    if model.endswith(".pb") and "://" not in model:
        model = os.path.abspath(model)
        if not os.path.isfile(model):
            raise FileNotFoundError("No model file %s: pass the path of a .pb saved by Model.save." % model)
    return model


def _parse_units(units):
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


def _expand_units(model, parsed, size):
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


def _batches(units, batch_size):
    """`[(layer, channels)]`: the units grouped by layer, at most `batch_size` channels per batch."""
    by_layer = {}
    for layer, channel in units:
        by_layer.setdefault(layer, []).append(channel)
    return [
        (layer, channels[start : start + batch_size])
        for layer, channels in by_layer.items()
        for start in range(0, len(channels), batch_size)
    ]


def _unit(layer, channel):
    return "%s:%d" % (layer, channel)


def _check_count(name, value, least):
    """`value` as an int, or ValueError if it is not an integer >= `least`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError("%s must be an integer >= %d, got %r." % (name, least, value))
    return int(value)
