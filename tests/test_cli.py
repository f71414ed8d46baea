"""lucid.cli (`lucid-render`), run in-process with main([...])."""

import os
import subprocess
import sys

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf
from tiny_models import save_tiny_pb

import lucid
from lucid import cli
from lucid.cli import main, parse_objective


@pytest.fixture
def tiny_pb(tmp_path):
    """The tiny conv net saved with Model.save (so it carries lucid's metadata)."""
    return save_tiny_pb(str(tmp_path / "tiny.pb"))


def _pixels(path):
    return np.asarray(PIL.Image.open(path))


def test_render_efficientnet_png_and_gif(tmp_path, capsys):
    png, gif = str(tmp_path / "out.png"), str(tmp_path / "out.gif")
    assert main(["EfficientNetLite0", "block5:17", "-o", png, "--size", "32", "--steps", "6", "--gif", gif]) == 0
    out = capsys.readouterr().out
    # verbose: the progress bar (stderr), then one summary line; no "step loss" lines from render_vis.
    (summary,) = out.splitlines()
    assert summary.startswith("block5:17 of EfficientNetLite0, 6 steps in ")
    image = _pixels(png)
    assert image.shape == (32, 32, 3) and image.std() > 5
    animation = PIL.Image.open(gif)
    assert animation.n_frames == 6 and animation.size == (32, 32)

    # Same seed, same image (the GIF's snapshots do not change the optimization).
    again = str(tmp_path / "again.png")
    assert main(["EfficientNetLite0", "block5:17", "-o", again, "--size", "32", "--steps", "6", "-q"]) == 0
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(_pixels(again), image)


def test_render_saved_pb_and_seed(tiny_pb, tmp_path):
    outputs = {}
    for name, seed in (("a", "0"), ("b", "0"), ("c", "1")):
        outputs[name] = str(tmp_path / (name + ".png"))
        assert (
            main([tiny_pb, "conv2:3", "-o", outputs[name], "--size", "24", "--steps", "5", "--seed", seed, "-q"]) == 0
        )
    a, b, c = (_pixels(outputs[name]) for name in "abc")
    assert a.shape == (24, 24, 3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert lucid.seed == 0


def test_gif_frame_spacing(tiny_pb, tmp_path):
    gif = str(tmp_path / "o.gif")
    main(
        [
            tiny_pb,
            "conv2:3",
            "-o",
            str(tmp_path / "o.npy"),
            "--size",
            "16",
            "--steps",
            "130",
            "--gif",
            gif,
            "--fps",
            "25",
            "-q",
        ]
    )
    animation = PIL.Image.open(gif)
    # every 130 // 64 = 2 steps: 0, 2, ..., 128, plus the last step 129
    assert animation.n_frames == 66 and animation.info["duration"] == 40
    assert np.load(str(tmp_path / "o.npy")).shape == (16, 16, 3)


def test_parse_objective(sess):
    """A number is a channel (its mean over the layer), a label is class_logit (that label's logit)."""
    block5 = np.random.rand(2, 3, 3, 20).astype(np.float32)
    logits = np.random.rand(2, 4).astype(np.float32)
    tensors = {"block5": tf.constant(block5), "logits": tf.constant(logits), "labels": ["ox", "tench", "daisy", "3"]}

    def value(text):
        return sess.run(parse_objective(text)(tensors.__getitem__))

    assert np.isclose(value("block5:17"), block5[..., 17].mean(), rtol=1e-5)
    assert np.isclose(value("logits:daisy"), logits[:, 2].sum(), rtol=1e-5)
    assert np.isclose(value(" logits : tench "), logits[:, 1].sum(), rtol=1e-5)
    assert np.isclose(value("logits:3"), logits[:, 3].mean(), rtol=1e-5)  # a channel, not the label "3"
    with pytest.raises(ValueError, match="layer:channel"):
        parse_objective("block5")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["EfficientNetLit0", "block5:17"], "Did you mean one of EfficientNetLite0"),
        (["missing/model.pb", "conv2:3"], "no model file"),
        (["TINY", "conv2"], "layer:channel"),
        (["TINY", "softmax:daisy"], "daisy"),
        (["TINY", "nolayer:3"], "nolayer"),
    ],
)
def test_bad_input_exits_with_a_message(tiny_pb, tmp_path, capsys, argv, message):
    argv = [tiny_pb if arg == "TINY" else arg for arg in argv]
    with pytest.raises(SystemExit) as exit_info:
        main(argv + ["-o", str(tmp_path / "x.png"), "--size", "16", "--steps", "2", "-q"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("lucid-render: error: ") and message in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("extra", [["--steps", "0"], ["--size", "-3"], []])
def test_bad_arguments(tmp_path, capsys, extra):
    argv = ["EfficientNetLite0", "block5:17"] + extra + ([] if not extra else ["-o", str(tmp_path / "x.png")])
    with pytest.raises(SystemExit) as exit_info:
        main(argv)  # without -o (the last case) argparse asks for it
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("lucid-render: error: ") and err.count("\n") == 1  # one line, no usage block


@pytest.fixture
def nothing_loads(monkeypatch):
    """Fail the test if a model is loaded or a graph is built."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a model was loaded before the arguments were checked")

    monkeypatch.setattr(cli, "load_model", forbidden)
    monkeypatch.setattr(cli.render, "render_vis", forbidden)
    monkeypatch.setattr(tf.compat.v1, "import_graph_def", forbidden)


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "{out}/name-without-extension"], "-o '{out}/name-without-extension' needs one of the extensions "),
        (["-o", "{out}/x.pb"], "-o '{out}/x.pb' needs one of the extensions .png, .jpg, .jpeg, .webp, .npy"),
        (["-o", "{out}/dir.png"], "-o '{out}/dir.png' is a directory; give a file name such as "),
        (["-o", "{out}/file.txt/x.png"], "-o '{out}/file.txt/x.png' cannot be created: '{out}/file.txt' is a file"),
        (["-o", "{out}/x.png", "--gif", "{out}/file.txt/x.gif"], "--gif '{out}/file.txt/x.gif' cannot be created"),
        (["-o", "{out}/x.png", "--gif", "{out}/dir.png"], "--gif '{out}/dir.png' needs one of the extensions .gif"),
        (["-o", "{out}/x.png", "--size", "1000000"], "--size must be at most 1024, got 1000000"),
        (["-o", "{out}/x.png", "--size", "1025"], "--size must be at most 1024, got 1025"),  # the cap is exact
        (["-o", "{out}/x.png", "--fps", "0"], "--fps must be positive, got 0.0"),
        (["-o", "{out}/x.png", "--gif", "{out}/x.png"], "--gif '{out}/x.png' needs one of the extensions .gif"),
        (["-o", "{out}/x.png", "--gif", "{out}/sub/../x.gif", "--steps", "3"], None),
    ],
)
def test_bad_values_exit_before_any_model_loads(tmp_path, capsys, nothing_loads, args, message):
    out = str(tmp_path)
    (tmp_path / "dir.png").mkdir()
    (tmp_path / "file.txt").write_text("a file")
    before = sorted(os.listdir(tmp_path))
    argv = ["EfficientNetLite0", "block5:17"] + [arg.format(out=out) for arg in args]
    if message is None:  # a good command line reaches the model loading (stubbed to fail here)
        with pytest.raises(AssertionError, match="a model was loaded"):
            main(argv)
        return
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == "lucid-render: error: " + message.format(out=out) + err.split(message.format(out=out), 1)[1]
    assert err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == before


def test_png_keeps_the_unit_range_although_save_stretches_by_default(tiny_pb, tmp_path, monkeypatch):
    # save()'s default domain is now the original's None (min..max stretched); the command keeps (0, 1).
    image = np.linspace(0.2, 0.6, 16 * 16 * 3, dtype=np.float32).reshape(1, 16, 16, 3)
    monkeypatch.setattr(cli.render, "render_vis", lambda *args, **kwargs: [image])
    assert main([tiny_pb, "conv2:3", "-o", str(tmp_path / "o.png"), "--size", "16", "--steps", "2", "-q"]) == 0
    np.testing.assert_array_equal(_pixels(tmp_path / "o.png"), (image[0] * 255).astype(np.uint8))


def test_failed_gif_removes_the_png(tiny_pb, tmp_path, monkeypatch, capsys):
    def disk_full(*args, **kwargs):
        raise ValueError("disk full")

    real_save = cli.save
    monkeypatch.setattr(
        cli, "save", lambda thing, path, **kw: (disk_full if path.endswith(".gif") else real_save)(thing, path, **kw)
    )
    with pytest.raises(SystemExit):
        main(
            [
                tiny_pb,
                "conv2:3",
                "-o",
                str(tmp_path / "o.png"),
                "--gif",
                str(tmp_path / "o.gif"),
                "--size",
                "16",
                "--steps",
                "2",
                "-q",
            ]
        )
    assert "disk full" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["tiny.pb"]


@pytest.mark.slow
def test_command_output_is_clean(tmp_path):
    """A real `lucid-render` process: no TensorFlow start-up lines, no "step loss" lines, one summary line."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    png = str(tmp_path / "o.png")
    command = [sys.executable, "-m", "lucid.cli", "EfficientNetLite0", "block5:17", "-o", png, "--size", "32"]
    result = subprocess.run(command + ["--steps", "3"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    (summary,) = result.stdout.splitlines()
    assert summary.startswith("block5:17 of EfficientNetLite0, 3 steps in ") and summary.endswith(png)
    assert "absl" not in result.stderr and "I0000" not in result.stderr and "oneDNN" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # text mode turns the bar's \r into \n
    assert all(line.startswith("[") for line in lines), result.stderr  # nothing but the progress bar
    assert lines[-1].startswith("[####################] 3/3  loss ")


@pytest.mark.parametrize("precision", ["bfloat16", "float16", "auto"])
def test_precision_reaches_the_render(tiny_pb, tmp_path, monkeypatch, precision):
    """`--precision` is passed on to render_vis (a command that dropped it would render in float32)."""
    seen = {}

    def fake_render_vis(*args, **kwargs):
        seen.update(kwargs)
        return [np.zeros((1, 24, 24, 3), np.float32)]

    monkeypatch.setattr(cli.render, "render_vis", fake_render_vis)
    out = str(tmp_path / "out.png")
    assert main([tiny_pb, "conv2:3", "-o", out, "--size", "24", "--steps", "2", "--precision", precision, "-q"]) == 0
    assert seen["precision"] == precision
