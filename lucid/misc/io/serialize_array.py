"""Turn numpy arrays into image bytes (PNG/JPEG...) or into JavaScript typed-array expressions."""
import base64
import io
import logging

import numpy as np
import PIL.Image

log = logging.getLogger(__name__)

JS_ARRAY_TYPES = {"int8", "int16", "int32", "uint8", "uint16", "uint32", "float32", "float64"}


def _normalize_array(array, domain=(0, 1)):
    """Return a uint8 copy of `array` (singleton dims squeezed) ready to encode as an image.

    Values outside `domain` are clipped to it (`domain=None`: the array's own min and max). Float arrays
    are then mapped linearly from `domain` to [0, 255]; integer arrays are only clipped to [0, 255].
    The final cast truncates, as upstream Lucid does.
    """
    array = np.squeeze(np.array(array))
    if array.ndim > 3:
        raise ValueError("Can only turn arrays of rank <= 3 into an image, got shape %s." % (array.shape,))
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise TypeError("Image arrays must be real numbers, got dtype %s; convert with .astype(np.float32)."
                        % array.dtype)
    if np.isnan(array).any():
        raise ValueError("Image array contains NaN values; replace them (np.nan_to_num) before showing/saving.")
    low, high = array.min(), array.max()
    if domain is None:
        domain = (low, high)
    if low < domain[0] or high > domain[1]:
        log.info("Clipping domain from (%.2f, %.2f) to (%.2f, %.2f).", low, high, domain[0], domain[1])
        array = array.clip(domain[0], domain[1])
    if np.issubdtype(array.dtype, np.floating):
        if domain[0] != 0:
            array = array - domain[0]
        if domain[0] != domain[1]:
            array = array * (255 / (domain[1] - domain[0]))
    return array.clip(0, 255).astype(np.uint8)


def _serialize_normalized_array(array, fmt="png", quality=70):
    """Encode a uint8 array (from `_normalize_array`) as image bytes in format `fmt`."""
    if not np.issubdtype(array.dtype, np.unsignedinteger):
        raise TypeError("Expected an unsigned integer array (see _normalize_array), got %s." % array.dtype)
    if array.shape[-1] <= 1:
        raise ValueError("Cannot encode an image of shape %s: the last dimension must be > 1." % (array.shape,))
    buffer = io.BytesIO()
    PIL.Image.fromarray(array).save(buffer, fmt, quality=quality)
    return buffer.getvalue()


def serialize_array(array, domain=(0, 1), fmt="png", quality=70):
    """Normalise `array` to uint8 over `domain` and encode it as image bytes."""
    return _serialize_normalized_array(_normalize_array(array, domain=domain), fmt=fmt, quality=quality)


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
