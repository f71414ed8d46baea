"""The graph and session of one render: Grappler configuration, seeding, variable initialization."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf.rewriter_config_pb2 import RewriterConfig

import lucid
from lucid.optvis.precision import configure as configure_precision
from lucid.optvis.precision import resolve as resolve_precision

__all__ = [
    "default_session",
    "graph_and_session",
    "initialize_variables",
    "seeded",
    "session_config",
]


@contextmanager
def graph_and_session(precision: str = "float32") -> Iterator[tuple[tf.Graph, tf.compat.v1.Session]]:
    """A fresh graph made default, with its session (configured by `session_config` for `precision`); both are
    freed on exit. For render_vis and for loops built on make_vis_T.

    TF graphs hold reference cycles, so without a collection each render would keep its graph (a copy of the
    model's weights) until Python's cyclic collector happens to run: repeated renders would grow memory.
    """
    try:
        config = session_config(precision)
        with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph, config=config) as sess:
            yield graph, sess
    finally:
        gc.collect()


def session_config(precision: str = "float32") -> tf.compat.v1.ConfigProto:
    """Grappler settings for a render: one round of graph optimizations instead of two and, on CPU-only machines,
    only the passes that pay. Measured on InceptionV1 and EfficientNet-Lite0 at 128 and 224 px: the memory and
    layout optimizers changed a dozen of ~800 nodes and no step time; in float32, the remapper (its fused
    convolutions), shape, dependency and loop optimization and the implementation selector took 40-110 ms of
    each render's first run (seconds on VGG16's logits, whose 540 MB of weights every pass copies) and sped no
    step up. Constant folding, the arithmetic optimizer and common-subexpression elimination stay: images of
    models with swish, hard-swish or GELU change without them. A reduced `precision` adds its mixed-precision
    rewrite (lucid.optvis.precision) to TF's default passes. The one place a render resolves `precision`."""
    resolved = resolve_precision(precision)
    config = tf.compat.v1.ConfigProto()
    rewrites = config.graph_options.rewrite_options
    rewrites.meta_optimizer_iterations = RewriterConfig.ONE
    if not tf.config.list_physical_devices("GPU"):
        rewrites.memory_optimization = RewriterConfig.NO_MEM_OPT
        rewrites.layout_optimizer = RewriterConfig.OFF
        if resolved == "float32":
            for unpaid in _UNPAID_CPU_FLOAT32_PASSES:
                setattr(rewrites, unpaid, RewriterConfig.OFF)
    return configure_precision(config, resolved)


# Grappler passes that cost a float32 CPU render time and gain it nothing (see session_config).
_UNPAID_CPU_FLOAT32_PASSES = (
    "remapping",
    "shape_optimization",
    "dependency_optimization",
    "loop_optimization",
    "implementation_selector",
)


def default_session(caller: str) -> tf.compat.v1.Session:
    """The default session for graph-building `caller` (e.g. "make_vis_T"), or a RuntimeError saying how to get
    one: these functions build into the default graph and run initializers in its session."""
    if tf.executing_eagerly():
        raise RuntimeError(
            "%s builds a graph and needs a default graph and session; call it inside "
            "`with tf.Graph().as_default(), tf.compat.v1.Session():` (or use render_vis, which does that)." % caller
        )
    sess = tf.compat.v1.get_default_session()
    if sess is None:
        raise RuntimeError(
            "%s needs a default session: call it inside `with tf.compat.v1.Session().as_default():` "
            "(or `with tf.compat.v1.Session():`)." % caller
        )
    return sess


def initialize_variables(sess: tf.compat.v1.Session) -> None:
    """Run every variable's initializer; for loops built on make_vis_T. A list of initializers rather than
    global_variables_initializer(): that would add a control dependency to ops a session already ran (make_vis_T
    ran the global step's), which TF reports as a graph mutation in a warning."""
    sess.run([v.initializer for v in tf.compat.v1.global_variables()])


# NumPy's global RNG is process-wide: renders with use_fixed_seed in several threads build their graphs in turn.
_seed_lock = threading.Lock()


@contextmanager
def seeded(use_fixed_seed: bool) -> Iterator[None]:
    """Seed TF's graph-level seed and NumPy's global RNG (restored afterwards) with `lucid.seed`."""
    if not use_fixed_seed:
        yield
        return
    with _seed_lock:
        tf.compat.v1.set_random_seed(lucid.seed)
        state = np.random.get_state()
        np.random.seed(lucid.seed)
        try:
            yield
        finally:
            np.random.set_state(state)
