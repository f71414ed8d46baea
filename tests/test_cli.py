"""lucid.cli (`lucid-render`), run in-process with main([...])."""

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf
from tiny_models import tiny_conv_graph_def

import lucid
from lucid.cli import main, parse_objective
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives


@pytest.fixture
def tiny_pb(tmp_path):
    """The tiny conv net saved with Model.save (so it carries lucid's metadata)."""
    path = str(tmp_path / "tiny.pb")
    with tf.Graph().as_default(), tf.compat.v1.Session():
        tf.import_graph_def(tiny_conv_graph_def(), name="")
        Model.save(path, "input", ["softmax"], [32, 32, 3], (0, 1))
    return path


def _pixels(path):
    return np.asarray(PIL.Image.open(path))


def test_render_efficientnet_png_and_gif(tmp_path, capsys):
    png, gif = str(tmp_path / "out.png"), str(tmp_path / "out.gif")
    assert main(["EfficientNetLite0", "block5:17", "-o", png, "--size", "32", "--steps", "6", "--gif", gif]) == 0
    out = capsys.readouterr().out
    # verbose: render_vis's "step loss" line at each snapshot, then a summary.
    assert [line.split()[0] for line in out.splitlines()[:-1]] == ["0", "1", "2", "3", "4", "5"]
    assert out.splitlines()[-1].startswith("block5:17 of EfficientNetLite0, 6 steps in ")
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


def test_parse_objective():
    assert isinstance(parse_objective("block5:17"), objectives.Objective)
    assert isinstance(parse_objective("logits:daisy"), objectives.Objective)
    with pytest.raises(ValueError, match="layer:channel"):
        parse_objective("block5")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["EfficientNetLit0", "block5:17"], "Did you mean one of EfficientNetLite0"),
        (["missing/model.pb", "conv2:3"], "No model file"),
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


@pytest.mark.parametrize("extra", [["--steps", "0"], ["--gif", "x.png"], ["--fps", "0"], []])
def test_bad_arguments(tmp_path, capsys, extra):
    argv = ["EfficientNetLite0", "block5:17"] + extra + ([] if not extra else ["-o", str(tmp_path / "x.png")])
    with pytest.raises(SystemExit) as exit_info:
        main(argv)  # without -o (the last case) argparse asks for it
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err
