"""Image files from a stranger (issue 23 rows 4, 12, 13): only photo formats are decoded, whatever the file's name;
a folder yields only regular files inside it; an image over the megapixel cap is refused before it is decoded."""

import importlib
import os
import struct
import zlib

import numpy as np
import PIL.EpsImagePlugin
import PIL.Image
import pytest

from lucid.misc import limits
from lucid.misc.io import load
from lucid.misc.io.image_files import list_image_files, open_image
from lucid.scale import dataset, tasks

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\nnewpath 0 0 moveto 8 8 lineto stroke\nshowpage\n%%EOF\n"


@pytest.fixture
def ghostscript_calls(monkeypatch):
    """Records each time Pillow would run Ghostscript (on an EPS file), instead of running it."""
    calls = []

    def record(*args, **kwargs):
        calls.append(args)
        raise OSError("Ghostscript would run here")

    monkeypatch.setattr(PIL.EpsImagePlugin, "Ghostscript", record)
    monkeypatch.setattr(PIL.EpsImagePlugin, "gs_windows_binary", None)
    return calls


def _png(path, size=(4, 4)):
    PIL.Image.fromarray(np.zeros(size[::-1] + (3,), np.uint8)).save(path)
    return str(path)


@pytest.mark.parametrize("name", ["photo.png", "cat.jpg", "scan.JPEG"])
def test_an_eps_file_named_as_a_photo_never_reaches_ghostscript(tmp_path, ghostscript_calls, name):
    """Issue 23 row 4: Pillow chose the EPS decoder by content and ran Ghostscript on it."""
    (tmp_path / name).write_bytes(EPS)
    with pytest.raises(PIL.UnidentifiedImageError, match="not an image lucid decodes"):
        load(str(tmp_path / name))
    with pytest.raises(PIL.UnidentifiedImageError):
        tasks.load_square_image(str(tmp_path / name), 8)
    assert ghostscript_calls == []


def test_unknown_extension_still_raises_the_originals_runtime_error(tmp_path, ghostscript_calls):
    (tmp_path / "figure.eps").write_bytes(EPS)
    with pytest.raises(RuntimeError, match="Could not load resource .* as image"):
        load(str(tmp_path / "figure.eps"))
    assert ghostscript_calls == []
    np.testing.assert_array_equal(load(_png(tmp_path / "a.png")), np.zeros((4, 4, 3)))


def test_folders_yield_only_regular_files_inside_them(tmp_path):
    """Issue 23 row 12: a symlink to /dev/zero was read forever, one to a private photo published."""
    folder = tmp_path / "images"
    folder.mkdir()
    _png(folder / "a.png")
    private = _png(tmp_path / "private.png")
    os.symlink(private, folder / "private.png")
    os.symlink("/dev/zero", folder / "zero.jpg")
    os.mkfifo(folder / "pipe.png")
    os.symlink(folder / "a.png", folder / "alias.png")  # inside the folder: kept
    (folder / "sub").mkdir()
    _png(folder / "sub" / "b.png")
    os.symlink(tmp_path, folder / "sub" / "up")  # a symlinked folder is not entered
    expected = [str(folder / name) for name in ("a.png", "alias.png")]
    assert list_image_files(str(folder)) == expected
    assert dataset.list_images(str(folder)) == expected[:1] + [str(folder / "alias.png"), str(folder / "sub" / "b.png")]
    maco = importlib.import_module("lucid.optvis.param.maco")  # the package exports a function of that name
    assert len(maco._load_images(str(folder))) == 2
    with pytest.raises(ValueError, match="not a regular file"):
        open_image("/dev/zero")


def _sixteen_bit_png(path, width, height):
    """A valid 16-bit greyscale PNG of zeros, written row by row: 8400 x 8400 (141 MB of pixels) is ~140 KB."""
    compressor, row = zlib.compressobj(9), b"\0" * (1 + 2 * width)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return str(path)


def test_images_over_the_megapixel_cap_are_refused_before_decoding(tmp_path, monkeypatch):
    """Issue 23 row 13: a small 16-bit PNG decoded to a gigabyte float array without a word."""
    path = _sixteen_bit_png(tmp_path / "huge.png", 8400, 8400)
    assert os.path.getsize(path) < 300_000
    with pytest.raises(ValueError, match=r"8400x8400 pixels \(71 megapixels\), more than the cap of 64"):
        load(path)
    with pytest.raises(ValueError, match="LUCID_MAX_IMAGE_MEGAPIXELS"):
        tasks.load_square_image(path, 8)
    small = _png(tmp_path / "small.png", (200, 100))
    monkeypatch.setattr(limits, "MAX_IMAGE_MEGAPIXELS", 0.01)
    with pytest.raises(ValueError, match="200x100 pixels"):
        load(small)
    monkeypatch.setenv("LUCID_MAX_IMAGE_MEGAPIXELS", "0.02")
    assert load(small).shape == (100, 200, 3)
