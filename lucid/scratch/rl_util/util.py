"""Array and image helpers of the "Understanding RL Vision" notebook."""

import colorsys

import numpy as np
import tensorflow as tf


def zoom_to(img, width):
    """Enlarge `img` ([..., h, w, c]) by whole-pixel repetition to about `width` pixels wide (never shrinks)."""
    img = np.asarray(img)
    factor = max(int(width) // img.shape[-2], 1)
    return img.repeat(factor, axis=-3).repeat(factor, axis=-2)


def get_var(model, var_name):
    """The value of the graph's constant (frozen variable) `var_name` of `model`, as a numpy array."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        T = model.import_graph()
        return sess.run(T(var_name))


def get_shape(model, node_name):
    """The static shape of `node_name`'s output (a list, None where unknown) with the model's image_shape input."""
    with tf.Graph().as_default():
        t_input = tf.compat.v1.placeholder(tf.float32, [None, *model.image_shape])
        T = model.import_graph(t_input, forget_xy_shape=False)
        return T(node_name).shape.as_list()


def concatenate_horizontally(images):
    """Images of different heights side by side: each padded at the bottom with zeros to the tallest one."""
    images = [np.asarray(image) for image in images]
    height = max(image.shape[0] for image in images)
    padded = [np.pad(im, [(0, height - im.shape[0])] + [(0, 0)] * (im.ndim - 1)) for im in images]
    return np.concatenate(padded, axis=1)


def _hue_to_rgb(hue, warp=True):
    """RGB of the fully saturated `hue` (degrees). With `warp`, the hue scale runs 1.25x faster from yellow to cyan
    (greens, which look alike) and 0.75x from red to yellow and cyan to blue, so that k channels look more distinct."""
    hue = hue % 360.0
    if warp:
        hue = float(np.interp(hue, [0, 60, 180, 240, 360], [0, 45, 195, 240, 360]))
    return np.array(colorsys.hsv_to_rgb(hue / 360.0, 1.0, 1.0))


def channels_to_rgb(X, warp=True):
    """Show non-negative `X` [..., k] as RGB [..., 3]: channel i gets hue 360 i / k, the colours summed by weight."""
    X = np.asarray(X, dtype=np.float64)
    if (X < 0).any():
        raise ValueError("channels_to_rgb needs non-negative values (e.g. NMF factors); got a minimum of %g." % X.min())
    colors = np.stack([_hue_to_rgb(360.0 * i / X.shape[-1], warp) for i in range(X.shape[-1])])
    return X @ colors


def conv2d(input_, filter_):
    """`tf.nn.conv2d` on numpy arrays (stride 1, SAME padding): input [n, h, w, c], filter [fh, fw, c, c_out]."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        output = tf.nn.conv2d(np.asarray(input_, np.float32), np.asarray(filter_, np.float32), 1, "SAME")
        return sess.run(output)


def norm_filter(length, norm_ord=2, norm_func=lambda n: np.exp(-n), clip=True):
    """A [length, length] smoothing kernel summing to 1: `norm_func` of each cell's distance from the centre
    (the `norm_ord` norm, in cells); with `clip`, cells farther than the kernel's radius are 0."""
    offsets = np.arange(length) - (length - 1) / 2.0
    grid = np.stack(np.meshgrid(offsets, offsets, indexing="ij"), axis=-1)
    distance = np.linalg.norm(grid, ord=norm_ord, axis=-1)
    kernel = norm_func(distance)
    if clip:
        kernel = np.where(distance <= (length - 1) / 2.0 + 1e-9, kernel, 0.0)
    return kernel / kernel.sum()


def brightness_to_opacity(image):
    """RGB [..., 3] in [0, 1] to RGBA: opacity is the brightest channel, colours divided by it (black -> clear)."""
    image = np.asarray(image, dtype=np.float64)
    opacity = image.max(axis=-1, keepdims=True)
    rgb = np.divide(image, opacity, out=np.zeros_like(image), where=opacity > 0)
    return np.concatenate([rgb, opacity], axis=-1)
