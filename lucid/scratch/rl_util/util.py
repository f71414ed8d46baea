"""Array and image helpers of the "Understanding RL Vision" notebook, computing what the original Lucid's do."""

import numpy as np
import scipy.ndimage as nd
import tensorflow as tf

from lucid.misc.io.collapse_channels import hue_to_rgb
from lucid.optvis import render


def zoom_to(img, width):
    """`img` ([..., h, w, c]) enlarged to `width` pixels wide (and as many times as high): first repeated to
    more than `width` pixels, then resampled by nearest neighbour to exactly `width`."""
    img = np.asarray(img)
    n = width // img.shape[-2] + 1
    img = img.repeat(n, axis=-3).repeat(n, axis=-2)
    r = float(width) / img.shape[-2]
    return nd.zoom(img, [1] * (img.ndim - 3) + [r, r, 1], order=0, mode="nearest")


def _import_any_shape(model, t_obses):
    """`T` of `model` imported on `t_obses` (a 4-D tensor of any size), as the notebook's helpers import it."""
    return render.import_model(model, t_obses, t_obses)


def get_var(model, var_name):
    """The value of the graph's tensor (a frozen variable) `var_name` of `model`, as a numpy array."""
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        t_obses = tf.compat.v1.placeholder(tf.float32, (None, None, None, None))
        return sess.run(_import_any_shape(model, t_obses)(var_name))


def get_shape(model, node_name):
    """The static shape of `node_name`'s output (a list, None where unknown) with an input of unknown shape."""
    with tf.Graph().as_default():
        t_obses = tf.compat.v1.placeholder(tf.float32, (None, None, None, None))
        return _import_any_shape(model, t_obses)(node_name).get_shape().as_list()


def concatenate_horizontally(images):
    """A batch of images [n, h, w, c] laid side by side as one image in a batch of one: [1, h, n * w, c]."""
    images = np.asarray(images)
    n, h, w, c = images.shape
    return images.transpose((1, 0, 2, 3)).reshape((1, h, n * w, c))


def channels_to_rgb(X, warp=True):
    """Show non-negative `X` [..., k] as RGB [..., 3]: channel i gets hue 360 i / k (`hue_to_rgb`), the colours
    summed by weight."""
    if not (np.asarray(X) >= 0).all():
        raise ValueError("channels_to_rgb needs non-negative values (e.g. NMF factors).")
    K = X.shape[-1]
    rgb = 0
    for i in range(K):
        color = hue_to_rgb(360 * i / K, warp=warp)
        rgb += X[..., i, None] * color[(None,) * (len(X.shape) - 1)]
    return rgb


def conv2d(input_, filter_):
    """`input_` [n, h, w, c] convolved channel by channel with the 2-D `filter_` [fh, fw] (stride 1, SAME
    padding), in `input_`'s dtype."""
    if input_.ndim != 4:
        raise ValueError("input_ must have 4 dimensions (batch, height, width, channels), got %d." % input_.ndim)
    if filter_.ndim != 2:
        raise ValueError("filter_ must have 2 dimensions; it is applied to each channel, got %d." % filter_.ndim)
    channels = input_.shape[-1]
    # [fh, fw, c, c]: channel i of the output is channel i of the input convolved with filter_.
    kernel = filter_.astype(input_.dtype)[:, :, None, None] * np.eye(channels, dtype=input_.dtype)
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        return sess.run(tf.nn.conv2d(input_, kernel, strides=[1, 1, 1, 1], padding="SAME"))


def norm_filter(length, norm_ord=2, norm_func=lambda n: np.exp(-n), clip=True):
    """A [length, length] kernel: `norm_func` of each cell's `norm_ord` distance from the centre. With `clip`,
    cells below the value at the middle of the kernel's edge are 0 (a round kernel). Not normalized."""
    offsets = np.indices((length, length)) - (length - 1) / 2
    result = np.apply_along_axis(lambda x: norm_func(np.linalg.norm(x, ord=norm_ord)), axis=0, arr=offsets)
    if clip:
        bound = np.amax(np.amin(result, axis=0), axis=0)
        result *= (result >= bound) | np.isclose(result, bound, atol=0)
    return result


def brightness_to_opacity(image):
    """RGB [..., 3] to RGBA: opacity is the colour's Euclidean norm (at most 1), colours divided by it."""
    if image.shape[-1] != 3:
        raise ValueError("brightness_to_opacity needs RGB images [..., 3], got shape %s." % (image.shape,))
    brightness = np.minimum(1, np.linalg.norm(image, ord=2, axis=-1)[..., None])
    image = np.divide(image, brightness, out=np.zeros_like(image), where=(brightness != 0))
    return np.concatenate([image, brightness], axis=-1)
