"""lucid.misc.io.showing: HTML for notebooks (IPython display patched) and the terminal PNG fallback."""

import base64
import io
import re
import tempfile

import IPython
import IPython.display
import numpy as np
import PIL.Image
import pytest
import tensorflow as tf

import lucid.misc.io.showing as show

GOLDEN_EYE5 = (
    '<img src="data:image/PNG;base64,iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAAAAACoBHk5AAAAEklEQVR4nGP4z8DAwMDAgJ0'
    'CAErTBPw/r52mAAAAAElFTkSuQmCC"'
)
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
    return [
        np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(data))))
        for data in re.findall(r'src="data:image/PNG;base64,([^"]+)"', html)
    ]


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


def test_graph_view_is_self_contained_and_escaped(displayed):
    graph = _graph_with_big_const()
    with graph.as_default():
        tf.constant("</pre><script>alert(1)</script>", name="payload")
    show.graph(graph)
    (page,) = displayed
    assert "big" in page and "stripped 400 bytes" in page and "GraphDef with 3 nodes" in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<link" not in page and "http" not in page and "import" not in page  # no component from another host


def test_labels_are_escaped(displayed):
    show.show({"<script>alert(1)</script>": np.zeros((2, 2)), "a & b": np.ones((2, 2))})
    (page,) = displayed
    assert "<script" not in page
    assert "> &lt;script&gt;alert(1)&lt;/script&gt; <br/>" in page and "> a &amp; b <br/>" in page


# --- what show accepts, and how it converts ----------------------------------------------------------------


def test_show_dict_uses_keys_as_labels(displayed):
    a, b = np.random.rand(3, 3, 3), np.random.rand(1, 3, 3, 3)
    show.show({"pixels": a, "fft": b})
    (html,) = displayed
    assert "> pixels <br/> " + IMG_PREFIX in html and "> fft <br/> " + IMG_PREFIX in html
    decoded = _decoded_images(html)
    np.testing.assert_array_equal(decoded[0], (a * 255).astype(np.uint8))
    np.testing.assert_array_equal(decoded[1], (b[0] * 255).astype(np.uint8))


def test_show_uint8_bool_grayscale_rgba_and_pil(displayed):
    uint8 = np.random.randint(0, 256, (3, 4, 3), dtype=np.uint8)
    mask = np.array([[True, False], [False, True]])
    gray = np.random.rand(3, 4, 1)
    rgba = np.random.rand(3, 4, 4)
    pil = PIL.Image.fromarray(uint8)
    for thing in (uint8, mask, gray, rgba, [pil]):
        show.show(thing)
    decoded = [_decoded_images(html)[0] for html in displayed]
    np.testing.assert_array_equal(decoded[0], uint8)
    np.testing.assert_array_equal(decoded[1], [[255, 0], [0, 255]])
    np.testing.assert_array_equal(decoded[2], (gray[..., 0] * 255).astype(np.uint8))
    assert decoded[3].shape == (3, 4, 4)  # RGBA keeps its alpha channel, as in the original
    np.testing.assert_array_equal(decoded[4], uint8)


def test_show_list_of_batches_lays_each_batch_side_by_side(displayed):
    batches = [np.random.rand(2, 3, 4, 3), np.random.rand(2, 3, 4, 3)]
    show.show(batches)
    decoded = _decoded_images(displayed[0])
    assert [image.shape for image in decoded] == [(3, 8, 3), (3, 8, 3)]
    np.testing.assert_array_equal(decoded[1], (np.hstack(batches[1]) * 255).astype(np.uint8))


def test_show_domain_and_clipping_warning(displayed, caplog):
    image = np.random.rand(4, 4, 3)
    show.show(image)
    show.show(image * 2 - 1, domain=(-1, 1))
    assert not caplog.records
    np.testing.assert_allclose(_decoded_images(displayed[1])[0], _decoded_images(displayed[0])[0], atol=1)
    show.show(image + 1)
    assert "Clipping values from" in caplog.text and "domain=None" in caplog.text
    assert (_decoded_images(displayed[2])[0] == 255).all()


def test_show_text_graphs_and_unknown_things(displayed, capsys, caplog):
    show.show("hello")
    assert capsys.readouterr().out == "hello\n" and not caplog.records
    show.show(_graph_with_big_const())
    show.show(_graph_with_big_const().as_graph_def())
    assert len(displayed) == 2 and all("GraphDef with 2 nodes" in html for html in displayed)
    show.show([1, 2])
    show.show({"a": np.zeros((2, 2)), "b": 3})
    assert capsys.readouterr().out == "[1, 2]\n{'a': array([[0., 0.],\n       [0., 0.]]), 'b': 3}\n"
    assert len(displayed) == 2 and "using repr()" in caplog.text


def test_show_function_carries_the_other_displays():
    from lucid.misc.io import show as show_function

    assert show_function is show.show
    assert (
        show_function.image,
        show_function.imshow,
        show_function.images,
        show_function.animation,
        show_function.graph,
    ) == (show.image, show.image, show.images, show.animation, show.graph)


def test_images_label_count_must_match(displayed):
    with pytest.raises(ValueError, match="labels"):
        show.images([np.zeros((2, 2))] * 2, labels=["only one"])


@pytest.mark.parametrize(
    "array, domain",
    [
        (np.random.RandomState(1).rand(5, 6, 3).astype(np.float32), (0, 1)),
        (np.random.RandomState(2).rand(5, 6), (0, 1)),
        (np.random.RandomState(3).randint(0, 256, (5, 6, 3)).astype(np.uint8), (0, 1)),
        (np.random.RandomState(4).randn(5, 6, 3), (-2, 2)),
        (np.random.RandomState(5).randn(5, 6, 3), None),
    ],
)
def test_saved_png_is_byte_for_byte_what_show_displayed(displayed, tmp_path, array, domain):
    from lucid.misc.io import save

    show.show(array, domain=domain)
    save(array, str(tmp_path / "a.png"), domain=domain)
    (data,) = re.findall(r'src="data:image/PNG;base64,([^"]+)"', displayed[0])
    assert base64.b64decode(data) == (tmp_path / "a.png").read_bytes()


def test_save_without_domain_stretches_min_to_max_as_the_original(tmp_path):
    # The original's save_img defaults to domain=None; ours clipped to (0, 1), so this came out 51..153.
    from lucid.misc.io import save

    image = np.linspace(0.2, 0.6, 12, dtype=np.float32).reshape(2, 2, 3)
    result = save(image, str(tmp_path / "a.png"))
    assert result["shape"] == (2, 2, 3)
    pixels = np.asarray(PIL.Image.open(tmp_path / "a.png")).ravel().tolist()
    assert pixels == [0, 23, 46, 69, 92, 115, 139, 162, 185, 208, 231, 255]


def test_terminal_fallback_never_crashes(monkeypatch, tmp_path, capsys, caplog):
    monkeypatch.setattr(show, "_in_ipython", lambda: False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    show.show(np.random.rand(3, 3, 3))
    show.show({"a": np.zeros((2, 2))})
    show.graph(_graph_with_big_const())
    out = capsys.readouterr().out
    assert out.startswith("[lucid.show] graph with 2 nodes") and "saved to" not in out
    assert caplog.text.count("it is not shown") == 2


def test_only_a_notebook_kernel_gets_html(monkeypatch):
    shells = {name: type(name, (), {})() for name in ("TerminalInteractiveShell", "ZMQInteractiveShell")}
    monkeypatch.setattr(IPython, "get_ipython", lambda: shells["TerminalInteractiveShell"])
    assert show._in_ipython() is False
    monkeypatch.setattr(IPython, "get_ipython", lambda: shells["ZMQInteractiveShell"])
    assert show._in_ipython() is True
