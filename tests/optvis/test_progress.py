"""lucid.optvis.progress.RenderProgress: notebook mode (fake IPython display) and terminal mode."""

import base64
import io
import re

import IPython.display
import numpy as np
import PIL.Image
import pytest

from lucid.misc import environment
from lucid.optvis.progress import RenderProgress


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class FakeHandle:
    def __init__(self, obj):
        self.shown = [obj]

    def update(self, obj):
        self.shown.append(obj)


@pytest.fixture
def notebook(monkeypatch):
    """Pretend to run in a notebook kernel; returns the display handles made, in order."""
    handles = []

    def display(obj, display_id=None):
        assert display_id is True, "progress displays must be updatable"
        handles.append(FakeHandle(obj))
        return handles[-1]

    monkeypatch.setattr(environment, "is_notebook_environment", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    return handles


@pytest.fixture
def terminal(monkeypatch, tmp_path):
    monkeypatch.setattr(environment, "is_notebook_environment", lambda: False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))


def _decoded(html):
    (data,) = re.findall(r'src="data:image/PNG;base64,([^"]+)"', html)
    return np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(data))))


def _run(reporter, clock, steps=10, snapshots=(4, 9), seconds_per_step=0.25, images=None):
    """Feed `steps` updates, 0.25 s apart, with loss = step / 2 and an image at each snapshot step."""
    for step in range(steps):
        clock.now += seconds_per_step
        image = images[step] if images and step in snapshots else None
        reporter.update(step, np.float32(step / 2), image=image)


def test_notebook_one_text_line_and_one_image_updated_in_place(notebook, capsys):
    clock = FakeClock()
    images = {4: np.random.rand(1, 6, 5, 3).astype(np.float32), 9: np.random.rand(2, 6, 5, 3).astype(np.float32)}
    reporter = RenderProgress(10, clock=clock)
    _run(reporter, clock, images=images)
    reporter.close()

    assert len(notebook) == 2  # one display for the status line, one for the image
    text, image = notebook
    assert all(isinstance(obj, IPython.display.Pretty) for obj in text.shown)
    assert text.shown[0].data.startswith("[##..................] 1/10  loss 0  4.0 steps/s  ETA 0:02")
    assert text.shown[-1].data == "[####################] 10/10  loss 4.5  4.0 steps/s  took 0:02"
    assert [step.data.split()[1] for step in text.shown] == ["%d/10" % n for n in range(1, 11)] + ["10/10"]

    assert len(image.shown) == 2
    np.testing.assert_array_equal(_decoded(image.shown[0].data), (images[4][0] * 255).astype(np.uint8))
    np.testing.assert_array_equal(_decoded(image.shown[1].data), (np.hstack(images[9]) * 255).astype(np.uint8))
    assert capsys.readouterr() == ("", "")


def test_notebook_text_is_throttled_but_images_always_update(notebook):
    clock = FakeClock()
    reporter = RenderProgress(100, clock=clock, min_interval=1.0)
    images = {step: np.full((1, 2, 2, 3), step / 100) for step in (10, 20)}
    _run(reporter, clock, steps=30, snapshots=(10, 20), seconds_per_step=0.1, images=images)
    text, image = notebook
    # Drawn at step 0, then when 1 s has passed or an image came: steps 0, 10 (image), 20 (image), 30 -> none yet.
    assert [obj.data.split()[1] for obj in text.shown] == ["1/100", "11/100", "21/100"]
    assert len(image.shown) == 2
    clock.now += 1.0
    reporter.update(30, 1.0)
    assert text.shown[-1].data.split()[1] == "31/100"


def test_notebook_flags(notebook):
    clock = FakeClock()
    images = {1: np.random.rand(1, 3, 3, 3)}
    quiet = RenderProgress(3, verbose=False, clock=clock)
    _run(quiet, clock, steps=3, snapshots=(1,), images=images)
    quiet.close()
    assert len(notebook) == 1 and isinstance(notebook[0].shown[0], IPython.display.HTML)
    no_image = RenderProgress(3, show_image=False, clock=clock)
    _run(no_image, clock, steps=3, snapshots=(1,), images=images)
    no_image.close()
    assert len(notebook) == 2 and all(isinstance(obj, IPython.display.Pretty) for obj in notebook[1].shown)


def test_terminal_bar_on_stderr_and_upstream_prints_on_stdout(terminal, capsys):
    clock = FakeClock()
    images = {4: np.random.rand(1, 4, 4, 3), 9: np.random.rand(1, 4, 4, 3)}
    reporter = RenderProgress(10, show_image=False, clock=clock, min_interval=0)
    _run(reporter, clock, images=images)
    reporter.close()
    out, err = capsys.readouterr()
    assert out == "4 2.0\n9 4.5\n"
    assert err.endswith("\r[####################] 10/10  loss 4.5  4.0 steps/s  took 0:02\n")
    assert err.count("\n") == 1
    assert "\r[######..............] 3/10  loss 1  4.0 steps/s  ETA 0:02" in err
    # Before each "step loss" line the bar is wiped, so stdout starts on a clean line.
    assert err.count("\r" + " " * len("[####................] 4/10  loss 1.5  4.0 steps/s  ETA 0:02") + "\r") == 1


def test_terminal_image_goes_to_one_png_replaced_at_each_snapshot(terminal, capsys):
    clock = FakeClock()
    images = {1: np.random.rand(1, 4, 5, 3), 2: np.random.rand(1, 4, 5, 3)}
    reporter = RenderProgress(3, verbose=False, clock=clock)
    _run(reporter, clock, steps=3, snapshots=(1, 2), images=images)
    reporter.close()
    out, err = capsys.readouterr()
    match = re.fullmatch(r"\[lucid\] image \(updated at each snapshot\) saved to (\S+\.png)\n", out)
    assert match and err == ""
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(match.group(1))), (images[2][0] * 255).astype(np.uint8))


def test_terminal_silent_when_not_verbose(terminal, capsys):
    clock = FakeClock()
    with RenderProgress(5, verbose=False, show_image=False, clock=clock) as reporter:
        _run(reporter, clock, steps=5, snapshots=(4,), images={4: np.zeros((1, 2, 2, 3))})
    assert capsys.readouterr() == ("", "")


def test_close_is_idempotent_and_runs_on_interrupt(terminal, capsys):
    clock = FakeClock()
    with pytest.raises(KeyboardInterrupt):
        with RenderProgress(5, clock=clock) as reporter:
            reporter.update(0, 1.0)
            raise KeyboardInterrupt
    err = capsys.readouterr().err
    assert err.endswith("1/5  loss 1  - steps/s  took 0:00\n") and err.count("\n") == 1
    reporter.close()
    assert capsys.readouterr() == ("", "")
    with pytest.raises(RuntimeError, match="after close"):
        reporter.update(1, 1.0)


def test_status_durations_and_validation(terminal):
    clock = FakeClock()
    reporter = RenderProgress(10000, clock=clock)
    clock.now += 10
    reporter.update(1, 3.25)  # 2 steps in 10 s: 9998 steps left take 49990 s
    assert reporter.status().endswith("2/10000  loss 3.25  0.2 steps/s  ETA 13:53:10")
    assert RenderProgress(np.int64(3)).total_steps == 3
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(ValueError, match="total_steps"):
            RenderProgress(bad)
