"""The precision setting: validation, what "auto" picks, the session config each precision builds, and that the
bfloat16 rewrite really runs on a real model while the image stays float32."""

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2

from lucid.cli import main
from lucid.modelzoo.vision_base import Model
from lucid.optvis import precision, render, session
from lucid.testing import random_inception_v1

ON = rewriter_config_pb2.RewriterConfig.ON
OFF = rewriter_config_pb2.RewriterConfig.OFF


@pytest.mark.parametrize("bad", ["fp32", "BFLOAT16", None, 16, "half"])
def test_bad_precision_is_a_value_error_naming_the_choices(model, bad):
    for call in (
        lambda: render.render_vis(model, "conv1:0", thresholds=(1,), verbose=False, precision=bad),
        lambda: render.render_channels(model, "conv1", [0], steps=2, precision=bad),
    ):
        with pytest.raises(ValueError, match="'float32', 'bfloat16', 'float16', 'auto'"):
            call()


def test_auto_picks_reduced_precision_only_where_the_hardware_has_it(monkeypatch):
    monkeypatch.setattr(precision, "_onednn_enabled", lambda: True)
    assert precision.resolve("auto", has_gpu=True, cpu_flags=set()) == "float16"
    # AVX512-BF16 without AMX: bfloat16 measured slower than float32 on EfficientNet-Lite0, so auto keeps float32.
    assert precision.resolve("auto", has_gpu=False, cpu_flags={"avx2", "avx512_bf16"}) == "float32"
    assert precision.resolve("auto", has_gpu=False, cpu_flags={"avx2", "amx_bf16"}) == "bfloat16"
    assert precision.resolve("auto", has_gpu=False, cpu_flags={"avx2", "avx512f"}) == "float32"
    monkeypatch.setattr(precision, "_onednn_enabled", lambda: False)  # TF_ENABLE_ONEDNN_OPTS=0: no bf16 kernels
    assert precision.resolve("auto", has_gpu=False, cpu_flags={"amx_bf16"}) == "float32"
    for p in ("float32", "bfloat16"):
        assert precision.resolve(p, has_gpu=False, cpu_flags=set()) == p
    with pytest.raises(ValueError, match="needs a GPU"):
        precision.resolve("float16", has_gpu=False)


def _rewrites(config):
    return config.graph_options.rewrite_options


def test_float32_session_config_is_unchanged():
    default = session.session_config()
    assert session.session_config("float32") == default
    rewrites = _rewrites(default)
    assert rewrites.auto_mixed_precision != ON and rewrites.auto_mixed_precision_onednn_bfloat16 != ON
    # On CPU, the passes that only cost time are off; those that change the numbers stay.
    assert rewrites.remapping == OFF and rewrites.loop_optimization == OFF and rewrites.shape_optimization == OFF
    assert rewrites.arithmetic_optimization != OFF and rewrites.common_subgraph_elimination != OFF
    assert rewrites.constant_folding != OFF


def test_bfloat16_session_config():
    rewrites = _rewrites(session.session_config("bfloat16"))
    assert rewrites.auto_mixed_precision_onednn_bfloat16 == ON and rewrites.auto_mixed_precision != ON
    assert rewrites.constant_folding != OFF  # folds the weights' casts to bfloat16 once, not at every step


def test_gpu_session_config(monkeypatch):
    """No GPU here: the config a render would build on one, with TF's device list faked."""
    real = tf.config.list_physical_devices
    monkeypatch.setattr(
        tf.config, "list_physical_devices", lambda kind=None: ["GPU:0"] if kind == "GPU" else real(kind)
    )
    for p in ("float16", "auto"):
        config = session.session_config(p)
        rewrites = _rewrites(config)
        assert rewrites.auto_mixed_precision == ON and rewrites.auto_mixed_precision_onednn_bfloat16 != ON
        # On a GPU machine the memory and layout optimizers stay at TF's defaults.
        assert rewrites.memory_optimization == rewriter_config_pb2.RewriterConfig.DEFAULT_MEM_OPT
        assert rewrites.layout_optimizer == rewriter_config_pb2.RewriterConfig.DEFAULT
        assert rewrites.constant_folding == rewriter_config_pb2.RewriterConfig.DEFAULT


@pytest.mark.skipif(not precision._onednn_enabled(), reason="the bfloat16 rewrite needs oneDNN kernels")
def test_bfloat16_render_differs_slightly_and_keeps_a_float32_image():
    model = random_inception_v1()

    def run(p):
        return render.render_vis(
            model, "mixed3a:7", image_size=48, thresholds=(0, 15), verbose=False, use_fixed_seed=True, precision=p
        )

    f32, bf16 = run("float32"), run("bfloat16")
    assert bf16[-1].dtype == np.float32 and np.isfinite(bf16[-1]).all()
    # The rewrite ran: the numbers changed from the first step on.
    assert np.abs(bf16[0] - f32[0]).max() > 0
    # Rounding the model's activations changed the optimization only a little: steps 1-15 moved the image in
    # much the same direction (correlation 0.63 when measured; unrelated images give ~0).
    moved_f32, moved_bf16 = (run_[1] - run_[0] for run_ in (f32, bf16))
    assert np.corrcoef(moved_f32.ravel(), moved_bf16.ravel())[0, 1] > 0.4


def test_cli_precision(tmp_path, capsys):
    out = str(tmp_path / "o.npy")
    argv = ["EfficientNetLite0", "block5:17", "-o", out, "--size", "32", "--steps", "3", "-q"]
    assert main(argv + ["--precision", "bfloat16"]) == 0
    assert np.load(out).shape == (32, 32, 3)
    with pytest.raises(SystemExit) as exit_info:
        main(argv + ["--precision", "fp8"])
    assert exit_info.value.code == 2 and "--precision" in capsys.readouterr().err


def _activations_model():
    """A small Keras model with the activations whose arithmetic Grappler rewrites (hard-swish, swish, GELU): on
    it, turning constant folding, the arithmetic optimizer or common-subexpression elimination off changes a
    24-step float32 image (by ~2e-7)."""
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    layers = keras.layers
    image = keras.Input((32, 32, 3))
    x = layers.Rescaling(1 / 127.5, offset=-1)(image)
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="hard_swish")(x)
    x = layers.DepthwiseConv2D(3, padding="same", activation="swish")(x)
    x = layers.Conv2D(24, 1, activation="gelu", name="mid")(x)
    return Model.from_keras(keras.Model(image, x), image_value_range=(0, 255))


def test_float32_images_do_not_depend_on_the_grappler_passes_left_out(monkeypatch):
    """The passes session_config turns off on CPU only cost time: with TF's defaults for them, the float32 images
    of 24-step renders are the same to the bit."""
    trimmed = session.session_config

    def with_every_pass(precision="float32"):
        config = trimmed(precision)
        for name in session._UNPAID_CPU_FLOAT32_PASSES:
            setattr(config.graph_options.rewrite_options, name, rewriter_config_pb2.RewriterConfig.DEFAULT)
        return config

    for model, objective, size in [(random_inception_v1(), "mixed4a:476", 64), (_activations_model(), "mid:3", 32)]:
        images = []
        for config in (trimmed, with_every_pass):
            monkeypatch.setattr(session, "session_config", config)
            images.append(
                render.render_vis(
                    model, objective, image_size=size, thresholds=(23,), verbose=False, use_fixed_seed=True
                )
            )
        np.testing.assert_array_equal(images[0], images[1])
