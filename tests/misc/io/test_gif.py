"""Animated GIFs: lucid.misc.io.save_gif, save(..., ".gif"), show.animation, and render_vis snapshots."""

import base64
import io
import os
import re

import IPython.display
import numpy as np
import PIL.Image
import pytest
from tiny_models import TinyConvNet

import lucid.misc.io.showing as showing
from lucid.misc.io import CaptureSaveContext, save, save_gif, show
from lucid.optvis import param, render


def _frames_of(path_or_bytes):
    """Every frame of a GIF as an RGB uint8 array, plus the GIF's info (duration, loop)."""
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    gif = PIL.Image.open(source)
    frames, durations = [], []
    for index in range(gif.n_frames):
        gif.seek(index)
        frames.append(np.asarray(gif.convert("RGB")))
        durations.append(gif.info["duration"])
    return frames, durations, gif.info


def _flat_frames(n=3, h=4, w=5):
    """Frames made of a few flat colours, which a GIF palette holds exactly."""
    colours = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], np.float32)
    frames = []
    for i in range(n):
        frame = np.empty((h, w, 3), np.float32)
        frame[:] = colours[i % 5]
        frame[:, : w // 2] = colours[(i + 2) % 5]
        frames.append(frame)
    return frames


def test_save_gif_list_of_images(tmp_path):
    frames = _flat_frames()
    path = str(tmp_path / "anim.gif")
    result = save_gif(frames, path, fps=20)
    assert result == {"type": "gif", "frames": 3, "fps": 20, "url": path}
    decoded, durations, info = _frames_of(path)
    assert len(decoded) == 3 and durations == [50, 50, 50] and info["loop"] == 0
    for got, want in zip(decoded, frames):
        np.testing.assert_array_equal(got, (want * 255).astype(np.uint8))
    assert sorted(os.listdir(tmp_path)) == ["anim.gif"]


def test_save_gif_array_and_render_vis_style_batches(tmp_path):
    frames = np.stack(_flat_frames(4))
    save_gif(frames, str(tmp_path / "array.gif"))
    decoded, durations, _ = _frames_of(str(tmp_path / "array.gif"))
    assert len(decoded) == 4 and durations == [100] * 4
    np.testing.assert_array_equal(decoded[3], (frames[3] * 255).astype(np.uint8))

    # render_vis returns a list of [batch, h, w, c]; a batch is laid side by side, as render_vis shows it.
    batches = [np.stack([a, b]) for a, b in zip(_flat_frames(2), _flat_frames(3)[1:])]
    save_gif(batches, str(tmp_path / "batches.gif"))
    decoded, _, _ = _frames_of(str(tmp_path / "batches.gif"))
    assert [f.shape for f in decoded] == [(4, 10, 3)] * 2
    np.testing.assert_array_equal(decoded[1], (np.hstack(batches[1]) * 255).astype(np.uint8))


def test_save_gif_domain_and_uint8(tmp_path):
    frames = [f * 255 for f in _flat_frames(2)]
    save_gif(frames, str(tmp_path / "domain.gif"), domain=(0, 255))
    save_gif([f.astype(np.uint8) for f in frames], str(tmp_path / "uint8.gif"))
    a, _, _ = _frames_of(str(tmp_path / "domain.gif"))
    b, _, _ = _frames_of(str(tmp_path / "uint8.gif"))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[1], frames[1].astype(np.uint8))


def test_save_with_gif_extension_and_capture(tmp_path):
    with CaptureSaveContext() as context:
        save(_flat_frames(2), str(tmp_path / "plain.gif"), fps=5)
    assert context.captured_saves == [{"type": "gif", "frames": 2, "fps": 5, "url": str(tmp_path / "plain.gif")}]
    assert _frames_of(str(tmp_path / "plain.gif"))[1] == [200, 200]


def test_save_gif_bad_input_leaves_no_file(tmp_path):
    path = tmp_path / "anim.gif"
    save_gif(_flat_frames(2), str(path))
    before = path.read_bytes()
    with pytest.raises(ValueError, match="same shape"):
        save_gif([np.zeros((4, 4, 3)), np.zeros((5, 4, 3))], str(path))
    with pytest.raises(ValueError, match="No frames"):
        save_gif([], str(path))
    with pytest.raises(ValueError, match="fps"):
        save_gif(_flat_frames(2), str(path), fps=0)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["anim.gif"]
    with pytest.raises(ValueError, match=r"\.gif"):
        save_gif(_flat_frames(2), str(tmp_path / "anim.png"))
    assert not (tmp_path / "anim.png").exists()


def test_show_animation_in_notebook_is_the_saved_gif(monkeypatch, tmp_path):
    html = []
    monkeypatch.setattr(showing, "_in_ipython", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj: html.append(obj.data))
    frames = _flat_frames(3)
    show.animation(frames, fps=4, w=200)
    assert len(html) == 1 and "width: 200px;" in html[0]
    (data,) = re.findall(r'<img src="data:image/GIF;base64,([^"]+)"', html[0])
    save_gif(frames, str(tmp_path / "a.gif"), fps=4)
    assert base64.b64decode(data) == (tmp_path / "a.gif").read_bytes()


def test_show_animation_in_terminal_writes_a_gif(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(showing, "_in_ipython", lambda: False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    show.animation(np.stack(_flat_frames(2)))
    match = re.fullmatch(r"\[lucid\.show\] animation saved to (\S+\.gif)\n", capsys.readouterr().out)
    assert match and len(_frames_of(match.group(1))[0]) == 2


def test_render_vis_thresholds_to_gif(tmp_path):
    images = render.render_vis(
        TinyConvNet(),
        "conv2:3",
        param_f=lambda: param.image(16, batch=2),
        thresholds=range(0, 12, 4),
        verbose=False,
        use_fixed_seed=True,
    )
    assert len(images) == 3
    save_gif(images, str(tmp_path / "steps.gif"), fps=10)
    decoded, _, _ = _frames_of(str(tmp_path / "steps.gif"))
    assert len(decoded) == 3 and decoded[0].shape == (16, 32, 3)
    # GIF palettes are approximate for photos-like frames; each frame stays close to its snapshot.
    for got, want in zip(decoded, images):
        assert np.abs(got.astype(float) - np.hstack(want) * 255).mean() < 12
    assert not np.array_equal(decoded[0], decoded[-1])
