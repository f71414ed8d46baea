"""The arithmetic precision of a render's model, set in its session config.

    "float32"   every op in float32: the original Lucid's numbers, identical on every machine (the default).
    "bfloat16"  CPU mixed precision: Grappler's oneDNN bfloat16 rewrite runs the model's convolutions, matmuls and
                the ops between them in bfloat16 (fast on CPUs with AVX512-BF16 or AMX).
    "float16"   GPU mixed precision: Grappler's auto-mixed-precision rewrite, float16 on the GPU.
    "auto"      the reduced precision the hardware computes fast (a GPU: float16; a CPU with AMX: bfloat16),
                float32 elsewhere. AVX512-BF16 alone does not count: on such a CPU (measured here) a bfloat16
                EfficientNet-Lite0 render took 2.5-3.6x the float32 time (its depthwise convolutions), so "auto"
                would have been slower than float32.

Both rewrites leave variables, optimizer updates and reductions (Mean, Sum: the loss) in float32, so the image
variable, Adam's state and the loss stay float32; only the activations and gradients inside the model are rounded.
"""

from __future__ import annotations

import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2

__all__ = [
    "check",
    "configure",
    "PRECISIONS",
    "resolve",
]

PRECISIONS = ("float32", "bfloat16", "float16", "auto")

# /proc/cpuinfo flags of CPUs on which "auto" picks bfloat16 (see the module docstring).
_BF16_CPU_FLAGS = ("amx_bf16",)


def check(precision: str) -> str:
    """`precision` itself, or a ValueError naming the choices."""
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise ValueError(
            "precision must be one of %s, got %r. float32 (the default) gives the original's numbers; bfloat16 "
            "(CPU) and float16 (GPU) are faster, slightly different mixed precision; auto picks the one this "
            "hardware computes fast." % (", ".join(repr(p) for p in PRECISIONS), precision)
        )
    return precision


def resolve(precision: str, has_gpu: bool | None = None, cpu_flags: set[str] | None = None) -> str:
    """The concrete precision ("float32", "bfloat16" or "float16") that `precision` means on this machine.

    `has_gpu` and `cpu_flags` (a set of /proc/cpuinfo flags) default to this machine's; tests pass others.
    float16 needs a GPU (the rewrite does nothing on CPU): asking for it without one is a ValueError.
    """
    check(precision)
    if has_gpu is None:
        has_gpu = bool(tf.config.list_physical_devices("GPU"))
    if precision == "float16" and not has_gpu:
        raise ValueError("precision='float16' needs a GPU and none is visible; on CPU use 'bfloat16' or 'auto'.")
    if precision != "auto":
        return precision
    if has_gpu:
        return "float16"
    if cpu_flags is None:
        cpu_flags = _cpu_flags()
    if _onednn_enabled() and any(flag in cpu_flags for flag in _BF16_CPU_FLAGS):
        return "bfloat16"
    return "float32"


def configure(config: tf.compat.v1.ConfigProto, resolved: str) -> tf.compat.v1.ConfigProto:
    """Turn on, in the tf.compat.v1.ConfigProto `config`, the rewrite of `resolved` (a precision that `resolve`
    returned); return `config`. float32 changes nothing."""
    rewrites = config.graph_options.rewrite_options
    if resolved == "bfloat16":
        rewrites.auto_mixed_precision_onednn_bfloat16 = rewriter_config_pb2.RewriterConfig.ON
    elif resolved == "float16":
        rewrites.auto_mixed_precision = rewriter_config_pb2.RewriterConfig.ON
    return config


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _onednn_enabled():
    """Whether this TensorFlow runs oneDNN kernels (off with TF_ENABLE_ONEDNN_OPTS=0): the bfloat16 rewrite needs
    them."""
    try:
        from tensorflow.python.util import _pywrap_util_port

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return False
