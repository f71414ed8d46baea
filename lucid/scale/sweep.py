"""Render many units ("layer:channel") of a model on a Dask cluster into a resumable output store.

    render_units("EfficientNetLite0", ["block5", "block6:3"], "out")        # a local cluster sized to the machine
    render_units("net.pb", "conv1", "out", client="tcp://10.0.0.5:8786")    # an existing cluster

A script that starts the local cluster must guard its top level with `if __name__ == "__main__":`: the worker
processes are spawned and import the main module.
"""

import logging
from collections.abc import Iterable

from lucid.modelzoo.vision_base import Model
from lucid.scale import tasks
from lucid.scale.cluster import ClientLike, Progress, check_client, connect, run_batches
from lucid.scale.store import Record, Store, index_written_last, model_hash, unit_key, unit_path
from lucid.scale.sweep_index import write_index_html
from lucid.scale.units import check_settings, expand_units, model_display_name, model_spec, parse_units, unit_name

__all__ = [
    "render_units",
]

log = logging.getLogger(__name__)


def render_units(
    model: Model | str,
    units: str | Iterable[str],
    out_dir: str,
    client: ClientLike = None,
    steps: int = 512,
    size: int = 128,
    batch_size: int = 16,
    seed: int | None = 0,
    n_workers: int | None = None,
    progress: Progress | None = None,
    precision: str = "float32",
    fast: bool = False,
) -> list[Record]:
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
      fast: render_channels's fast path (lucid.optvis.fast); part of the store's keys.

    A task that fails is retried once; if it fails again its units are recorded as failed and the rest go on.
    A rerun renders only the units not yet done with this model and these settings (failed ones included).

    Returns the latest record of each unit, in order.
    """
    settings = check_settings(steps=steps, size=size, batch_size=batch_size, seed=seed, precision=precision, fast=fast)
    check_client(client, n_workers)
    spec = model_spec(model)
    loaded = tasks.load_model(spec)
    model_name = model_display_name(spec)
    model_sha256 = model_hash(loaded)
    wanted = expand_units(loaded, parse_units(units), size)
    keys = {unit: unit_key("sweep", model_sha256, unit_name(*unit), settings) for unit in wanted}
    store = Store(out_dir)
    with store.lock():
        done = store.done_keys()
        todo = [unit for unit in wanted if keys[unit] not in done]
        log.info("Rendering %d of %d units of %s into %s.", len(todo), len(wanted), model_name, store.url)
        base = dict(settings, model=model_name, model_sha256=model_sha256, kind="sweep")

        def record(layer, channel, **fields):
            key = keys[(layer, channel)]
            return dict(base, key=key, layer=layer, channel=channel, unit=unit_name(layer, channel), **fields)

        def on_done(layer, channels, result, fields):
            for channel, png, value in zip(channels, result["pngs"], result["values"]):
                path = unit_path(keys[(layer, channel)], "image.png")
                store.put(record(layer, channel, value=value, png=path, **fields), {"image.png": png})

        def on_failed(layer, channels, fields):
            for channel in channels:
                store.put(record(layer, channel, value=None, png=None, **fields), {})

        def write_page(store, latest):  # this run's units first, in the order asked, then the store's others
            order = {keys[unit]: number for number, unit in enumerate(wanted)}
            write_index_html(store, dict(sorted(latest.items(), key=lambda item: order.get(item[0], len(order)))))

        with index_written_last(store, then=write_page) as latest:
            if todo:
                with connect(client, n_workers) as dask_client:
                    run_batches(dask_client, tasks.render_batch, spec, todo, settings, on_done, on_failed, progress)
    return [latest[keys[unit]] for unit in wanted]
