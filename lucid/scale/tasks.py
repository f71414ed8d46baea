"""What the Dask workers run: load a model once per process, render a batch of channels, encode the PNGs.

Tasks carry plain values only (a model spec string, a layer name, channel numbers), never TensorFlow objects,
so any worker process can run any task.
"""

import functools
import logging
import os
import socket
import threading
import time

import lucid
from lucid.misc.io.serialize_array import serialize_array
from lucid.modelzoo import nets_factory
from lucid.modelzoo.vision_base import Model
from lucid.optvis.render import render_channels

log = logging.getLogger(__name__)

# render_channels takes its seed from the global `lucid.seed`: seeded batches in one process run one at a time.
_SEED_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4)
def load_model(spec):
    """The Model for `spec`, a zoo class name or a `.pb` path saved by Model.save; loaded once per process."""
    if spec.endswith(".pb"):
        return Model.load(spec)
    return nets_factory.get_model(spec)


def render_batch(spec, layer, channels, steps, size, seed):
    """Render `channels` of `layer` as one batch; return their PNG bytes, objective values and timing.

    `seed` None leaves the render unseeded; an int makes it repeatable for the same batch of channels.
    """
    render = functools.partial(
        render_channels, load_model(spec), layer, channels, batch_size=len(channels), steps=steps, image_size=size
    )
    start = time.perf_counter()
    if seed is None:
        images, values = render()
    else:
        with _SEED_LOCK:
            previous_seed, lucid.seed = lucid.seed, seed
            try:
                images, values = render(use_fixed_seed=True)
            finally:
                lucid.seed = previous_seed
    return {
        "pngs": [serialize_array(image) for image in images],
        "values": [float(value) for value in values],
        "seconds": time.perf_counter() - start,
        "worker": "%s:%d" % (socket.gethostname(), os.getpid()),
    }
