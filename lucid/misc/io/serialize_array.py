"""Turn numpy arrays into image bytes (PNG, JPEG, animated GIF) or into JavaScript typed-array expressions."""

import base64
import io
import logging

import numpy as np
import PIL.Image

__all__ = [
    "array_to_jsbuffer",
    "as_frames",
    "JS_ARRAY_TYPES",
    "normalize_array",
    "serialize_animation",
    "serialize_array",
]

log = logging.getLogger(__name__)

JS_ARRAY_TYPES = {"int8", "int16", "int32", "uint8", "uint16", "uint32", "float32", "float64"}


def normalize_array(array, domain=(0, 1)):
    """Return a uint8 copy of `array` (singleton dims squeezed) ready to encode as an image.

    This is the one conversion that `show` and `save` share, so a saved image holds exactly what was shown.
    Float (and bool) arrays are clipped to `domain` (`None`: the array's own min and max), with a warning
    when values fall outside it, then mapped linearly from `domain` to [0, 255]; the final cast truncates,
    as upstream Lucid does. Integer arrays are already pixel values: `domain` does not apply to them, they
    are only clipped to [0, 255].
    """
    array = np.squeeze(np.array(array))
    if array.ndim > 3:
        raise ValueError("Can only turn arrays of rank <= 3 into an image, got shape %s." % (array.shape,))
    if array.dtype == np.bool_:
        array = array.astype(np.float32)
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise TypeError(
            "Image arrays must be real numbers, got dtype %s; convert with .astype(np.float32)." % array.dtype
        )
    if array.size == 0:
        raise ValueError("Cannot make an image of an empty array (shape %s)." % (array.shape,))
    if np.issubdtype(array.dtype, np.integer):
        if array.min() < 0 or array.max() > 255:
            log.warning("Clipping integer pixel values from (%d, %d) to (0, 255).", array.min(), array.max())
        return array.clip(0, 255).astype(np.uint8)
    if not np.isfinite(array).all():
        raise ValueError(
            "Image array contains NaN or infinite values; replace them (np.nan_to_num) before showing or saving."
        )
    low, high = array.min(), array.max()
    if domain is None:
        domain = (low, high)
    if low < domain[0] or high > domain[1]:
        log.warning(
            "Clipping values from (%.3g, %.3g) to the domain (%.3g, %.3g); pass domain=(low, high) to "
            "map another range, or domain=None for the array's own min and max.",
            low,
            high,
            domain[0],
            domain[1],
        )
        array = array.clip(domain[0], domain[1])
    if domain[0] != 0:
        array = array - domain[0]
    if domain[0] != domain[1]:
        array = array * (255 / (domain[1] - domain[0]))
    return array.clip(0, 255).astype(np.uint8)


# The original's (private) name, which its tutorial notebooks import (differentiable-parameterizations/xy2rgb).
_normalize_array = normalize_array


def _serialize_normalized_array(array, fmt="png", quality=70):
    """Encode a uint8 array (from `normalize_array`) as image bytes in format `fmt`."""
    if not np.issubdtype(array.dtype, np.unsignedinteger):
        raise TypeError("Expected an unsigned integer array (see normalize_array), got %s." % array.dtype)
    if array.shape[-1] <= 1:
        raise ValueError("Cannot encode an image of shape %s: the last dimension must be > 1." % (array.shape,))
    buffer = io.BytesIO()
    PIL.Image.fromarray(array).save(buffer, fmt, quality=quality)
    return buffer.getvalue()


def serialize_array(array, domain=(0, 1), fmt="png", quality=70):
    """Normalise `array` to uint8 over `domain` and encode it as image bytes."""
    return _serialize_normalized_array(normalize_array(array, domain=domain), fmt=fmt, quality=quality)


def as_frames(images):
    """A list of single images from a [N, H, W, C] array of frames, one image, or a list of images.

    An item that is itself a batch [B, H, W, C] (as `render_vis` returns) becomes one image with the batch laid
    side by side, like render_vis shows it.
    """
    if isinstance(images, np.ndarray):
        images = list(images) if images.ndim == 4 else [images]
    frames = []
    for item in images:
        item = np.asarray(item)
        frames.append(np.hstack(item) if item.ndim == 4 else item)
    return frames


def serialize_animation(images, domain=(0, 1), fps=10):
    """Encode frames (anything `as_frames` takes) as a looping animated GIF, `fps` frames per second."""
    if not fps > 0:
        raise ValueError("fps must be a positive number of frames per second, got %r." % (fps,))
    frames = [normalize_array(frame, domain=domain) for frame in as_frames(images)]
    if not frames:
        raise ValueError("No frames to animate: pass a list of images or a [N, H, W, C] array.")
    shapes = {frame.shape for frame in frames}
    if len(shapes) > 1:
        raise ValueError("All frames of an animation must have the same shape, got %s." % sorted(shapes))
    pil_frames = [PIL.Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    pil_frames[0].save(
        buffer, "GIF", save_all=True, append_images=pil_frames[1:], duration=max(1, round(1000 / fps)), loop=0
    )
    return buffer.getvalue()


def array_to_jsbuffer(array):
    """A JavaScript expression that evaluates to a typed array (e.g. Float32Array) holding `array`'s data."""
    if array.ndim != 1:
        raise TypeError("Only 1d arrays can be converted JS TypedArray.")
    if array.dtype.name not in JS_ARRAY_TYPES:
        raise TypeError("Array dtype not supported by JS TypedArray.")
    data = base64.b64encode(array.tobytes()).decode("ascii")
    return (
        "(function() {"
        " const data = atob('%s');"
        " const buf = new Uint8Array(data.length);"
        " for (let i = 0; i < data.length; ++i) { buf[i] = data.charCodeAt(i); }"
        " return new %sArray(buf.buffer);"
        " })()" % (data, array.dtype.name.capitalize())
    )
