"""Opening image files that may come from a stranger: the one place lucid decodes an image file, and lists the
images of a folder.

Pillow picks a decoder by the file's content, whatever its name: an EPS file named photo.png would go to
Ghostscript. So only the formats a photo or a rendering comes in are decoded (IMAGE_FORMATS), and an image over
limits.MAX_IMAGE_MEGAPIXELS is refused from its header, before it is decoded (a 167 KB 16-bit PNG can hold a
gigabyte of pixels). A folder yields only the regular files inside it: no symlink out of it (to a private photo),
no device (/dev/zero reads forever), no FIFO.
"""

import logging
import os
import stat
from typing import IO

import PIL.Image

from lucid.misc import limits

__all__ = [
    "IMAGE_EXTENSIONS",
    "IMAGE_FORMATS",
    "list_image_files",
    "open_image",
]

log = logging.getLogger(__name__)

IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")


def open_image(path_or_handle: str | os.PathLike | IO[bytes]) -> PIL.Image.Image:
    """A PIL image of a file in one of IMAGE_FORMATS, not decoded yet (as PIL.Image.open); a path must name a
    regular file. PIL.UnidentifiedImageError for other formats, ValueError over the megapixel cap."""
    if isinstance(path_or_handle, (str, os.PathLike)) and not stat.S_ISREG(os.stat(path_or_handle).st_mode):
        raise ValueError("%s is not a regular file; give an image file." % os.fspath(path_or_handle))
    name = getattr(path_or_handle, "name", path_or_handle)
    try:
        image = PIL.Image.open(path_or_handle, formats=IMAGE_FORMATS)
    except PIL.UnidentifiedImageError as error:
        raise PIL.UnidentifiedImageError(
            "%s is not an image lucid decodes (%s)." % (name, ", ".join(IMAGE_FORMATS))
        ) from error
    cap = limits.get("MAX_IMAGE_MEGAPIXELS")
    if image.width * image.height > cap * 1e6:
        image.close()
        raise ValueError(
            "%s is %dx%d pixels (%.0f megapixels), more than the cap of %g megapixels. %s"
            % (
                name,
                image.width,
                image.height,
                image.width * image.height / 1e6,
                cap,
                limits.how_to_raise("MAX_IMAGE_MEGAPIXELS"),
            )
        )
    return image


def list_image_files(folder: str | os.PathLike, recursive: bool = False) -> list[str]:
    """Sorted paths of the image files (by extension, not hidden) in `folder` (and its subfolders if `recursive`)
    that are regular files inside it; a symlink out of the folder, a device or a FIFO is skipped with a warning."""
    folder = os.fspath(folder)
    inside = os.path.realpath(folder)
    walk = os.walk(folder) if recursive else [(folder, [], os.listdir(folder))]
    paths = []
    for root, _, names in walk:
        for name in names:
            if not name.lower().endswith(IMAGE_EXTENSIONS) or name.startswith("."):
                continue
            path = os.path.join(root, name)
            real = os.path.realpath(path)
            if os.path.commonpath([inside, real]) != inside or not os.path.isfile(real):
                log.warning("Skipped %s: not a regular file inside %s.", path, folder)
                continue
            paths.append(path)
    return sorted(paths)
