"""lucid.misc.io.showing: HTML for notebooks (IPython display patched) and the terminal PNG fallback."""
import base64
import io
import re
import tempfile

import IPython.display
import numpy as np
import PIL.Image
import pytest
import tensorflow as tf

import lucid.misc.io.showing as show

GOLDEN_EYE5 = ('<img src="data:image/PNG;base64,iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAAAAACoBHk5AAAAEklEQVR4nGP4z8DAwMDAgJ0'
               'CAErTBPw/r52mAAAAAElFTkSuQmCC"')
IMG_PREFIX = '<img src="data:image/PNG;base64,'


@pytest.fixture
def displayed(monkeypatch):
    """Pretend to run in IPython and collect the HTML strings passed to IPython.display.display."""
    html = []
    monkeypatch.setattr(show, "_in_ipython", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj: html.append(obj.data))
    return html


@pytest.fixture
def terminal(monkeypatch, tmp_path):
    """Pretend no IPython shell runs; fallback PNGs go to tmp_path."""
    monkeypatch.setattr(show, "_in_ipython", lambda: False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def _decoded_images(html):
    """The images embedded as data URLs in `html`, as uint8 arrays."""
    return [np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(data))))
            for data in re.findall(r'src="data:image/PNG;base64,([^"]+)"', html)]


def test_golden_images_html(displayed):
    show.images([np.eye(5)] * 3, labels=["a", "b", "c"])
    assert len(displayed) == 1
    html = displayed[0]
    assert html.count(GOLDEN_EYE5) == 3
    assert html.startswith('<div style="display: flex; flex-direction: row;">') and html.endswith("</div>")
    assert '<div style="margin-right:10px; margin-top: 4px;"> b <br/> ' + GOLDEN_EYE5 in html


def test_images_default_labels_are_indices(displayed):
    show.images([np.zeros((2, 2)), np.ones((2, 2))])
    assert "> 0 <br/>" in displayed[0] and "> 1 <br/>" in displayed[0]


def test_image_html_width_and_style():
    html = show._image_html(np.eye(5), w=40)
    assert html.startswith(GOLDEN_EYE5)
    assert 'style="image-rendering: pixelated; image-rendering: crisp-edges; width: 40px;"' in html
    with pytest.raises(ValueError, match="mode"):
        show._image_url(np.eye(5), mode="url")


def test_show_rank2_and_rank3(displayed):
    gray = np.random.rand(4, 5)
    before = gray.copy()
    show.show(gray)
    rgb = np.random.rand(4, 5, 3)
    show.show(rgb)
    assert len(displayed) == 2 and all(h.startswith(IMG_PREFIX) for h in displayed)
    np.testing.assert_array_equal(_decoded_images(displayed[0])[0], (gray * 255).astype(np.uint8))
    np.testing.assert_array_equal(_decoded_images(displayed[1])[0], (rgb * 255).astype(np.uint8))
    np.testing.assert_array_equal(gray, before)


def test_show_default_domain_clips_but_image_normalizes(displayed):
    array = np.array([[0.0, 2.0], [4.0, 1.0]])
    show.show(array)
    show.image(array)
    np.testing.assert_array_equal(_decoded_images(displayed[0])[0], [[0, 255], [255, 255]])
    np.testing.assert_array_equal(_decoded_images(displayed[1])[0], [[0, 127], [255, 63]])


def test_show_rank4_batch_and_lists(displayed):
    batch = np.random.rand(2, 3, 3, 3)
    show.show(batch)
    show.show([np.random.rand(3, 3, 3), np.random.rand(4, 4)])
    assert len(displayed) == 2
    assert displayed[0].count(IMG_PREFIX) == 2 and displayed[1].count(IMG_PREFIX) == 2
    np.testing.assert_array_equal(_decoded_images(displayed[0])[1], (batch[1] * 255).astype(np.uint8))


def test_show_collapses_unusual_channel_counts(displayed):
    activations = np.random.rand(1, 4, 4, 7)
    before = activations.copy()
    show.show(activations)
    show.show([np.random.rand(4, 4, 5)])
    decoded = _decoded_images(displayed[0]) + _decoded_images(displayed[1])
    assert [image.shape for image in decoded] == [(4, 4, 3), (4, 4, 3)]
    np.testing.assert_array_equal(activations, before)


def test_show_other_things_prints_repr(displayed, capsys):
    show.show({"a": 1})
    show.show(np.arange(3))
    assert capsys.readouterr().out == "{'a': 1}\narray([0, 1, 2])\n"
    assert displayed == []


def test_terminal_fallback_writes_png(terminal, capsys):
    image = np.random.rand(3, 4, 3)
    show.show(image)
    out = capsys.readouterr().out
    match = re.fullmatch(r"\[lucid\.show\] image saved to (\S+\.png)\n", out)
    assert match
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(match.group(1))), (image * 255).astype(np.uint8))


def test_terminal_fallback_for_batches_writes_one_png_each(terminal, capsys):
    show.images([np.zeros((2, 2)), np.ones((2, 2))], labels=["x", "y"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("[lucid.show] x: image saved to ")
    assert np.asarray(PIL.Image.open(lines[1].rsplit(" ", 1)[1])).shape == (2, 2)


def test_real_shell_check_is_false_under_pytest():
    assert show._in_ipython() is False


def test_imshow_is_image():
    assert show.imshow is show.image


def _graph_with_big_const():
    with tf.Graph().as_default() as graph:
        tf.constant(np.zeros(100, np.float32), name="big")
        tf.constant(np.zeros(2, np.float32), name="small")
    return graph


def test_strip_consts():
    graph_def = _graph_with_big_const().as_graph_def()
    stripped = show._strip_consts(graph_def, max_const_size=32)
    contents = {node.name: node.attr["value"].tensor.tensor_content for node in stripped.node}
    assert contents["big"] == b"<stripped 400 bytes>"
    assert contents["small"] == np.zeros(2, np.float32).tobytes()
    assert len(graph_def.node[0].attr["value"].tensor.tensor_content) == 400


def test_graph_widget(displayed):
    show.graph(_graph_with_big_const())
    assert len(displayed) == 1
    assert displayed[0].startswith("<div><iframe") and "tf-graph-basic" in displayed[0]
    assert "big" in displayed[0] and "stripped 400 bytes" in displayed[0]
