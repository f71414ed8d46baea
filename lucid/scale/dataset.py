"""Dataset examples: the image patches that excite each unit most and least, from a chunked pass on Dask.

The images of a folder go to the workers in chunks of paths; each chunk task returns only the k strongest and
weakest responses per channel (tasks.activation_extremes), merged here as they arrive with a bounded number of
chunks in flight. So memory stays flat however many images the folder holds.
"""

import functools
import hashlib
import logging
import os
from collections.abc import Iterable, Mapping, Sequence

import distributed
import numpy as np
import PIL.Image
import PIL.ImageDraw

from lucid.misc.io.image_files import IMAGE_EXTENSIONS, list_image_files
from lucid.scale import tasks
from lucid.scale.units import ModelSpec

__all__ = [
    "CHUNK",
    "extremes_over_images",
    "fingerprint",
    "IMAGE_EXTENSIONS",
    "list_images",
    "PATCH_PX",
    "patches",
]

log = logging.getLogger(__name__)

CHUNK = 32  # images per task
PATCH_PX = 96  # side of a dataset example in the site


def list_images(folder: str) -> list[str]:
    """The image files of `folder` (recursively, sorted); FileNotFoundError / ValueError if there are none."""
    if not os.path.isdir(folder):
        raise FileNotFoundError("No image folder %s: give a directory of images (JPEG, PNG...) to --images." % folder)
    paths = list_image_files(folder, recursive=True)
    if not paths:
        raise ValueError(
            "%s holds no images (%s files); give a folder of images." % (folder, "/".join(IMAGE_EXTENSIONS))
        )
    return paths


def fingerprint(paths: Iterable[str], folder: str) -> str:
    """sha256 of the images' names (relative to `folder`) and contents: another set of images, another key."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(os.path.relpath(path, folder).encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def extremes_over_images(
    client: distributed.Client,
    spec: ModelSpec,
    layers: Iterable[str],
    paths: Sequence[str],
    size: int,
    k: int,
    in_flight: int | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """`{layer: {"top", "bottom"}}` arrays `[4, k, channels]` of (value, image index, row, column) over `paths`.

    An image that cannot be read is skipped with one warning naming it.
    """
    in_flight = in_flight or 2 * max(1, len(client.scheduler_info()["workers"]))
    chunks = iter(range(0, len(paths), CHUNK))
    merged: dict[str, dict[str, np.ndarray]] = {}

    def submit(start):
        return client.submit(
            tasks.activation_extremes, spec, list(layers), paths[start : start + CHUNK], start, size, k, pure=False
        )

    pending = distributed.as_completed([submit(start) for _, start in zip(range(in_flight), chunks)])
    for future in pending:
        chunk = future.result()
        for path, error in chunk["skipped"]:
            log.warning("Skipped the image %s, which cannot be read (%s).", path, error)
        for layer, result in chunk["layers"].items():
            previous = merged.get(layer)
            merged[layer] = {
                side: result[side]
                if previous is None
                else tasks.merge_extremes([previous[side], result[side]], k, side == "top")
                for side in ("top", "bottom")
            }
        future.release()
        start = next(chunks, None)
        if start is not None:
            pending.add(submit(start))
    if not merged:
        raise ValueError("None of the %d images of the dataset could be read (see the warnings)." % len(paths))
    return merged


def patches(
    paths: Sequence[str],
    size: int,
    field: Mapping[str, Sequence[float]],
    extremes: np.ndarray,
    channel: int,
    maps: Mapping[tuple[int, int], np.ndarray] | None = None,
) -> list[tuple[float, str, bytes, bytes | None]]:
    """`[(value, image path, JPEG bytes, overlay JPEG bytes or None)]` of one channel's examples: the receptive
    field of each response, cropped from the image and clipped to it, or the whole image with the position marked
    where the field is larger than the image. `maps` (`{(image index, channel): [h, w]}`) adds the same crop with
    the channel's activation over the image drawn on it."""
    height, width = field["grid"]
    top, left, bottom, right = field["box"]
    examples = []
    for value, image, row, col in extremes[:, :, channel].T:
        image, row, col = int(image), int(row), int(col)
        picture = PIL.Image.fromarray(np.uint8(_square_image(paths[image], size) * 255 + 0.5))
        cell = (col * size / width, row * size / height, (col + 1) * size / width, (row + 1) * size / height)
        activation = None if maps is None else maps.get((image, channel))
        overlay = None if activation is None else activation_overlay(picture, activation, value)
        if bottom - top >= size and right - left >= size:
            box = None
            PIL.ImageDraw.Draw(picture).rectangle(cell, outline=(255, 0, 0), width=max(1, size // 64))
        else:
            centre_x, centre_y = (cell[0] + cell[2]) / 2, (cell[1] + cell[3]) / 2
            corners = (centre_x + left, centre_y + top, centre_x + right, centre_y + bottom)
            x0, y0, x1, y1 = (int(round(min(max(v, 0), size))) for v in corners)
            box = (x0, y0, x1, y1)
        patch = _fit(picture, box)
        overlay = None if overlay is None else _fit(overlay, box)
        overlay_jpeg = None if overlay is None else tasks.encode_jpeg(overlay)
        examples.append((float(value), paths[image], tasks.encode_jpeg(patch), overlay_jpeg))
    return examples


def activation_overlay(picture: PIL.Image.Image, activation: np.ndarray, strongest: float) -> PIL.Image.Image:
    """`picture` with `activation` ([h, w], upsampled) drawn over it: red where the unit responds like its
    strongest response (`strongest`, in absolute value), the image dimmed where it does not respond."""
    scale = abs(float(strongest)) or float(np.abs(activation).max()) or 1.0
    level = np.clip(np.abs(activation) / scale, 0, 1)
    level = np.asarray(PIL.Image.fromarray(np.float32(level)).resize(picture.size, tasks.BILINEAR))[..., None]
    base = np.asarray(picture, np.float32) * (0.35 + 0.3 * level)
    red = np.array([255.0, 40.0, 40.0]) * 0.45 * level
    return PIL.Image.fromarray(np.uint8(np.clip(base + red, 0, 255)))


def _fit(picture: PIL.Image.Image, box: tuple[int, int, int, int] | None) -> PIL.Image.Image:
    """`picture` cropped to `box` (None: the whole picture), scaled to PATCH_PX on its longer side."""
    picture = picture if box is None else picture.crop(box)
    scale = PATCH_PX / max(picture.size)
    return picture.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))))


@functools.lru_cache(maxsize=64)
def _square_image(path, size):
    return tasks.load_square_image(path, size)
