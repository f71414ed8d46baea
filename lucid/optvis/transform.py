"""Random image transformations applied before the model, for transformation-robust visualizations.

Each public function is a factory: it takes a configuration and returns `inner(t_image) -> t_image`, working on
NHWC float tensors in the current default graph. Random choices are redrawn on every session run.
"""

import logging
import math

import tensorflow as tf

from lucid.optvis import param
from lucid.optvis.checks import is_number, require_size_at_run_time, validate_size
from lucid.optvis.overrides.gradient_override import gradient_override_map, register_to_random_name

__all__ = [
    "collapse_alpha_random",
    "compose",
    "crop_or_pad_to",
    "jitter",
    "normalize_gradient",
    "pad",
    "random_rotate",
    "random_scale",
    "standard_transforms",
]

log = logging.getLogger(__name__)

_PAD_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")


def _as_image(t_image, name):
    """`t_image` as a float tensor; raise unless its static rank is 4 (NHWC). `name` is the caller's, for errors."""
    t_image = tf.convert_to_tensor(t_image, dtype_hint=tf.float32)
    if t_image.get_shape().rank != 4:
        raise ValueError("%s expects NHWC images of rank 4, got shape %s." % (name, t_image.get_shape()))
    return t_image


def jitter(d, seed=None):
    """Randomly crop `d` pixels off the height and width (a random translation of up to d pixels)."""
    d = validate_size(d, "d", minimum=0)

    def inner(t_image):
        t_image = _as_image(t_image, "jitter")
        static = t_image.get_shape().as_list()
        problem = "jitter(%d) needs images larger than %d pixels (at least %d)" % (d, d, d + 1)
        for axis in (1, 2):
            if static[axis] is None:  # e.g. after random_scale
                t_image = require_size_at_run_time(t_image, axis, d + 1, problem + ".")
            elif static[axis] <= d:
                raise ValueError("%s, got shape %s." % (problem, static))
        t_shp = tf.shape(t_image)
        crop_shape = tf.concat([t_shp[:-3], t_shp[-3:-1] - d, t_shp[-1:]], 0)
        crop = tf.compat.v1.random_crop(t_image, crop_shape, seed=seed)
        crop.set_shape([static[0]] + [None if s is None else s - d for s in static[1:3]] + [static[3]])
        return crop

    return inner


def pad(w, mode="REFLECT", constant_value=0.5):
    """Pad height and width by `w` pixels on each side.

    mode: "REFLECT", "SYMMETRIC" or "CONSTANT" (any case). constant_value: the fill for "CONSTANT", or
    "uniform" for a random grey level drawn from U(0, 1) on every run.
    """
    w = validate_size(w, "w", minimum=0)
    if not isinstance(mode, str):
        raise TypeError('pad mode must be a string such as "REFLECT", got %r.' % (mode,))
    if mode.upper() not in _PAD_MODES:
        raise ValueError("pad mode must be one of %s (any case), got %r." % (", ".join(_PAD_MODES), mode))
    mode = mode.upper()
    uniform = isinstance(constant_value, str)
    if uniform and constant_value != "uniform":
        raise ValueError('constant_value must be a number or "uniform", got %r.' % constant_value)
    if not uniform and not (is_number(constant_value) or tf.is_tensor(constant_value)):
        raise TypeError('constant_value must be a number or "uniform", got %r.' % (constant_value,))
    if is_number(constant_value) and not math.isfinite(constant_value):
        raise ValueError('constant_value must be a finite number or "uniform", got %r.' % (constant_value,))

    def inner(t_image):
        t_image = _as_image(t_image, "pad")
        limit = {"REFLECT": w + 1, "SYMMETRIC": w}.get(mode)
        for size in t_image.get_shape().as_list()[1:3]:
            if limit is not None and size is not None and size < limit:
                raise ValueError(
                    "pad(%d, mode=%r) needs images of at least %d pixels, got shape %s."
                    % (w, mode, limit, t_image.get_shape())
                )
        if uniform:
            value = tf.random.uniform([], 0, 1, dtype=t_image.dtype)
        else:
            value = tf.cast(constant_value, t_image.dtype)
        return tf.pad(t_image, [(0, 0), (w, w), (w, w), (0, 0)], mode=mode, constant_values=value)

    return inner


def _rand_select(xs, seed=None):
    """A tensor holding one entry of `xs` (any iterable, generators included), chosen anew on every run."""
    xs_list = list(xs)
    if not xs_list:
        raise ValueError("Cannot choose from an empty list; pass at least one value.")
    rand_n = tf.random.uniform((), 0, len(xs_list), dtype=tf.int32, seed=seed)
    return tf.constant(xs_list)[rand_n]


def _check_choices(xs, name):
    """`xs` as a non-empty list of finite numbers (it is read once, so generators work)."""
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise TypeError("%s must be a list of numbers, got %r." % (name, xs))
    xs = list(xs)
    if not xs:
        raise ValueError("%s is empty; pass at least one value." % name)
    for x in xs:
        if not is_number(x):
            raise TypeError("%s must contain only numbers, got %r." % (name, x))
        if not math.isfinite(x):
            raise ValueError("%s must contain only finite numbers, got %r." % (name, x))
    return xs


def random_scale(scales, seed=None):
    """Resize height and width by a factor drawn from `scales` (TF1 bilinear, sizes truncated to ints).

    A size that truncates to 0 becomes 1 pixel (the original failed at run time there).
    """
    scales = _check_choices(scales, "scales")
    if min(scales) <= 0:
        raise ValueError("scales must be positive factors such as 0.9 or 1.1, got %r." % (min(scales),))

    def inner(t_image):
        t_image = _as_image(t_image, "random_scale")
        scale = tf.cast(_rand_select(scales, seed=seed), tf.float32)
        hw = tf.cast(tf.shape(t_image)[-3:-1], tf.float32)
        size = tf.maximum(tf.cast(scale * hw, tf.int32), 1)
        return tf.raw_ops.ResizeBilinear(images=t_image, size=size, align_corners=False, half_pixel_centers=False)

    return inner


def _check_units(units):
    """`units` lower-cased; raise unless it names degrees or radians."""
    if not isinstance(units, str) or units.lower() not in ("degrees", "radians", "rads", "rad"):
        raise ValueError('units must be "degrees" or "radians" ("rads", "rad"), got %r.' % (units,))
    return units.lower()


def _angle2rads(angle, units):
    """`angle` as a float32 tensor in radians. Degrees convert with 3.14 (not pi), as in the original."""
    angle = tf.cast(angle, tf.float32)
    if _check_units(units) == "degrees":
        return 3.14 * angle / 180.0
    return angle


def _rotate(t_image, angle):
    """Rotate NHWC images counter-clockwise by `angle` radians about their centre; nearest pixel, zero fill.

    Computes exactly what TF's ImageProjectiveTransformV3 (NEAREST, CONSTANT fill 0) and its registered gradient
    (the incoming gradient mapped through the inverse transform) compute, bit for bit (tested), but as gathers:
    that op runs on one thread and cost ~1.3 ms per forward+backward step at 144 px here, the gathers ~0.5 ms.
    """
    shape = tf.shape(t_image)
    h, w = tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32)
    cos, sin = tf.cos(angle), tf.sin(angle)
    x_offset = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2.0
    y_offset = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2.0
    # Maps each output pixel (x, y, 1) to the input pixel it reads from; the gradient uses the inverse map,
    # normalized as TF's gradient normalizes it.
    matrix = tf.stack([[cos, -sin, x_offset], [sin, cos, y_offset], [0.0, 0.0, 1.0]])
    inverse = tf.linalg.inv(matrix)
    inverse /= inverse[2, 2]

    # The gradient goes through an IdentityN whose gradient (_rotate_grad, registered once) reads the inverse
    # map from its inputs. tf.custom_gradient would register a new gradient function for every graph, and TF's
    # registry would keep each function, its graph and the model's weights in it alive for good.
    rotated = _sample_nearest(tf.stop_gradient(t_image), matrix, shape)
    with gradient_override_map({"IdentityN": _rotate_grad}):
        rotated = tf.raw_ops.IdentityN(input=[rotated, t_image, inverse, shape], name="rotate")[0]
    rotated.set_shape(t_image.get_shape())
    return rotated


def _rotate_grad(op, grad, *unused_grads):
    """Gradient of `_rotate`: the incoming gradient mapped back through the inverse transform."""
    _, _, inverse, shape = op.inputs
    return [None, _sample_nearest(grad, inverse, shape), None, None]


def _sample_nearest(images, matrix, shape):
    """Each output pixel (x, y) of NHWC `images` (of dynamic `shape`) takes the input pixel nearest to
    `matrix @ (x, y, 1)` (an affine 3x3 matrix), or 0 outside the image. The float operations are those of TF's
    projective-transform kernel: (m0 * x + m1 * y) + m2, rounded half away from zero."""
    h, w, hw = shape[1], shape[2], shape[1:3]
    hf, wf = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
    xs, ys = tf.range(wf)[None, :], tf.range(hf)[:, None]

    def nearest_source(row):
        # Both products broadcast to [h, w] before adding: a [1, w] + [h, 1] + scalar chain is reordered by
        # Grappler's arithmetic optimizer, which changes the rounding.
        v = tf.broadcast_to(row[0] * xs, hw) + tf.broadcast_to(row[1] * ys, hw) + row[2]
        return tf.sign(v) * tf.floor(tf.abs(v) + 0.5)

    x, y = nearest_source(matrix[0]), nearest_source(matrix[1])
    inside = (x >= 0) & (x < wf) & (y >= 0) & (y < hf)
    # Outside pixels read index h * w: a zero pixel appended to each flattened image.
    index = tf.where(inside, tf.cast(y, tf.int32) * w + tf.cast(x, tf.int32), h * w)
    flat = tf.pad(tf.reshape(images, [shape[0], h * w, shape[3]]), [[0, 0], [0, 1], [0, 0]])
    return tf.reshape(tf.gather(flat, tf.reshape(index, [-1]), axis=1), shape)


def random_rotate(angles, units="degrees", seed=None):
    """Rotate by an angle drawn from `angles` (in `units`), counter-clockwise, keeping the image size."""
    angles = _check_choices(angles, "angles")
    _check_units(units)

    def inner(t_image):
        t_image = _as_image(t_image, "random_rotate")
        return _rotate(t_image, _angle2rads(_rand_select(angles, seed=seed), units))

    return inner


def normalize_gradient(grad_scales=None):
    """Identity in the forward pass; scales the gradient to unit L2 norm per example on the way back.

    grad_scales: optional per-example factors [batch]: example i's gradient gets norm grad_scales[i] (the norm is
    taken before scaling, as in the original). There is no epsilon: a zero gradient becomes NaN, as in the original.
    """

    def NormalizeGrad(op, grad):
        grad_norm = tf.sqrt(tf.reduce_sum(grad**2, [1, 2, 3], keepdims=True))
        if grad_scales is not None:
            grad *= tf.cast(grad_scales, grad.dtype)[:, None, None, None]
        return grad / grad_norm

    grad_name = register_to_random_name(NormalizeGrad)

    def inner(x):
        with gradient_override_map({"Identity": grad_name}):
            return tf.identity(x)

    return inner


def compose(transforms):
    """One transform that applies `transforms` in list order."""
    transforms = list(transforms)
    for transform in transforms:
        if not callable(transform):
            raise TypeError("compose needs callables (transforms), got %r." % (transform,))

    def apply(x):
        for transform in transforms:
            x = transform(x)
        return x

    def inner(x):
        try:
            return apply(x)
        except ValueError as error:
            x = tf.convert_to_tensor(x)
            shape = x.get_shape()
            minimum = _minimum_size(apply, shape, x.dtype)
            if minimum is None:
                raise
            raise ValueError(
                "%s Together these transforms need images of at least %d x %d pixels (height x "
                "width), got shape %s; use a larger image." % (error, minimum, minimum, shape)
            ) from None

    return inner


def _minimum_size(apply, shape, dtype, limit=1 << 14):
    """Smallest square size the composed transforms `apply` accept, judged by the static checks they make while
    building; None if `shape` (NHWC) does not fail for being small or no size up to `limit` works.

    Built in throwaway graphs, so the caller's graph gets no extra ops.
    """
    if shape.rank != 4 or None in shape.as_list()[1:3]:
        return None

    def fits(size):
        with tf.Graph().as_default():
            try:
                apply(tf.compat.v1.placeholder(dtype, [shape[0], size, size, shape[3]]))
            except ValueError:
                return False
        return True

    too_small, high = 0, max(shape.as_list()[1:3])
    while not fits(high):
        too_small, high = high, high * 2
        if high > limit:
            return None
    while high - too_small > 1:
        middle = (too_small + high) // 2
        too_small, high = (too_small, middle) if fits(middle) else (middle, high)
    return high if high > min(shape.as_list()[1:3]) else None


def collapse_alpha_random(sd=0.5):
    """Composite RGBA images over random `image_sample` backgrounds (new each run), giving RGB images.

    Works anywhere in a transform chain: where the image size is only known at run time (after random_scale),
    the background is drawn at that size when the graph runs.
    """

    def inner(t_image):
        t_image = _as_image(t_image, "collapse_alpha_random")
        channels = t_image.get_shape()[-1]
        if channels is not None and channels < 4:
            raise ValueError(
                "collapse_alpha_random needs RGBA images (alpha in channel 3, e.g. param.image(w, "
                "alpha=True)), got shape %s." % (t_image.get_shape(),)
            )
        rgb, a = t_image[..., :3], t_image[..., 3:4]
        rgb_shape = rgb.get_shape().as_list()
        background = param.random.image_sample(tf.shape(rgb) if None in rgb_shape else rgb_shape, sd=sd)
        return a * rgb + (1 - a) * background

    return inner


def crop_or_pad_to(height, width):
    """Centre-crop or zero-pad images to `height` x `width`."""
    height = validate_size(height, "height")
    width = validate_size(width, "width")

    def inner(t_image):
        return tf.image.resize_with_crop_or_pad(_as_image(t_image, "crop_or_pad_to"), height, width)

    return inner


standard_transforms = [
    pad(12, mode="constant", constant_value=0.5),
    jitter(8),
    random_scale([1 + (i - 5) / 50.0 for i in range(11)]),
    random_rotate(list(range(-10, 11)) + 5 * [0]),
    jitter(4),
]
