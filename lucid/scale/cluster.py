"""The Dask side of lucid.scale: connecting to (or starting) a cluster, and running tasks with one retry.

Local clusters listen on 127.0.0.1 only and speak TLS with a certificate made for the run: their scheduler and
workers accept pickled functions, which is running code, so neither the network nor another user of the machine
may reach them (a client without the run's certificate and key is refused). For a remote scheduler, see the
README (TLS).
"""

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from lucid.optvis.checks import validate_size
from lucid.scale.store import crash_point
from lucid.scale.units import ModelSpec, Unit, batches

try:
    import distributed
    from dask.system import CPU_COUNT
except ImportError as error:
    raise ImportError(
        "lucid.scale runs on Dask's distributed scheduler: pip install 'lucid[scale]' (or 'dask[distributed]')."
    ) from error

__all__ = [
    "ATTEMPTS",
    "check_client",
    "check_scheduler",
    "connect",
    "CONNECT_TIMEOUT",
    "local_cluster",
    "run_batches",
]

log = logging.getLogger(__name__)

ATTEMPTS = 2  # a failed task is retried once, then its units are recorded as failed
CONNECT_TIMEOUT = 5  # seconds to reach a scheduler given by address

# Where a run goes: None (a local cluster), a scheduler address or a Client.
ClientLike = distributed.Client | str | None
# `progress(done, failed, total)`, counting units.
Progress = Callable[[int, int, int], None]
# What run_batches runs: `task(spec, layer, channels, steps, size, seed, precision, fast)` -> a result dict.
BatchTask = Callable[[ModelSpec, str, Sequence[int], int, int, int | None, str, bool], dict[str, Any]]


def check_client(client: ClientLike, n_workers: int | None) -> None:
    """TypeError / ValueError for a `client` that is not None, an address or a Client, or for both arguments."""
    if not (client is None or isinstance(client, (str, distributed.Client))):
        raise TypeError(
            "client must be None (a local cluster), a distributed.Client or a scheduler address such as "
            "'tcp://127.0.0.1:8786'; got %r." % (client,)
        )
    if client is not None and n_workers is not None:
        raise ValueError("n_workers sizes the local cluster started when client is None; drop n_workers or client.")
    if n_workers is not None:
        validate_size(n_workers, "n_workers")


def check_scheduler(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """ValueError naming `address` if no Dask scheduler answers there within `timeout` seconds."""
    try:
        with distributed.Client(address, timeout=timeout):
            pass
    except (OSError, TimeoutError, ValueError) as error:
        raise ValueError(
            "No Dask scheduler answers at %s (%s); start one (dask scheduler) or drop --scheduler to use a local "
            "cluster." % (address, type(error).__name__)
        ) from None


@contextmanager
def connect(client: ClientLike, n_workers: int | None = None) -> Iterator[distributed.Client]:
    """A Client for `client`: None starts a local cluster and an address connects, both closed afterwards."""
    if client is None:
        with local_cluster(n_workers) as cluster, distributed.Client(cluster) as local_client:
            yield local_client
    elif isinstance(client, str):
        with distributed.Client(client, timeout=CONNECT_TIMEOUT) as remote_client:
            yield remote_client
    else:
        yield client


def local_cluster(n_workers: int | None = None) -> distributed.LocalCluster:
    """Worker processes on 127.0.0.1, one task at a time each, TensorFlow's threads sharing the cores among them;
    client, scheduler and workers authenticate each other with a temporary TLS certificate only this process holds."""
    n_workers = CPU_COUNT if n_workers is None else validate_size(n_workers, "n_workers")
    tf_threads = str(max(1, CPU_COUNT // n_workers))
    return distributed.LocalCluster(
        n_workers=n_workers,
        security=distributed.security.Security.temporary(),
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        env={"TF_NUM_INTRAOP_THREADS": tf_threads, "TF_NUM_INTEROP_THREADS": tf_threads},
    )


def run_batches(
    client: distributed.Client,
    task: BatchTask,
    spec: ModelSpec,
    units: Sequence[Unit],
    settings: Mapping[str, Any],
    on_done: Callable[..., None],
    on_failed: Callable[..., None],
    progress: Progress | None = None,
) -> None:
    """Run `task(spec, layer, channels, steps, size, seed, precision, fast)` on `client` for `units` ([(layer,
    channel)]), `settings["batch_size"]` channels of one layer per task, as the tasks finish; a failed task is
    retried once.

    `on_done(layer=, channels=, result=, fields=)` stores a batch's result and `on_failed(layer=, channels=,
    fields=)` a batch that failed twice; both run here, in the calling process, once per batch. `fields` are the
    record fields every unit of the batch shares: status, error, attempts, seconds (per unit), worker (and for a
    failure, files: none).
    `progress(done, failed, total)` counts units. Losing a worker is not a failure: Dask runs its tasks again
    elsewhere and each result still arrives once.
    """
    args = tuple(settings[name] for name in ("steps", "size", "seed", "precision")) + (bool(settings.get("fast")),)

    def submit(layer, channels, attempt):
        future = client.submit(task, spec, layer, channels, *args, pure=False)
        submitted[future] = (layer, channels, attempt)
        return future

    jobs = batches(units, settings["batch_size"])
    if not jobs:  # e.g. a Microscope rerun that only adds dataset examples: no unit to count
        return
    submitted: dict[distributed.Future, tuple[str, list[int], int]] = {}  # future -> layer, channels, attempt
    pending = distributed.as_completed([submit(layer, channels, 1) for layer, channels in jobs])
    crash_point("after-submit")
    total = len(units)
    counts = {"done": 0, "failed": 0}
    if progress:
        progress(0, 0, total)
    for future in pending:
        layer, channels, attempt = submitted.pop(future)
        try:
            result = future.result()
        except Exception as error:  # the task's own error, or KilledWorker after repeated worker deaths
            message = "%s: %s" % (type(error).__name__, error)
            if attempt < ATTEMPTS:
                log.warning("%s of %s %s failed (%s); retrying.", task.__name__, layer, channels, message)
                pending.add(submit(layer, channels, attempt + 1))
                continue
            log.error("%s of %s %s failed again (%s); recording it as failed.", task.__name__, layer, channels, message)
            fields = dict(status="failed", error=message, attempts=attempt, seconds=None, worker=None, files={})
            on_failed(layer=layer, channels=channels, fields=fields)
            counts["failed"] += len(channels)
        else:
            seconds = result["seconds"] / len(channels)
            fields = dict(status="done", error=None, attempts=attempt, seconds=seconds, worker=result["worker"])
            on_done(layer=layer, channels=channels, result=result, fields=fields)
            counts["done"] += len(channels)
        if progress:
            progress(counts["done"], counts["failed"], total)
