"""Conversion of render_vis / make_vis_T arguments (model, param_f, transforms, optimizer, the objective's value)
into graph pieces, with clear errors for what cannot be converted. Re-exported by lucid.optvis.render, where the
original had them."""

import tensorflow as tf

from lucid.optvis import param, transform


def check_model(model):
    """A TypeError unless `model` is a model instance: as in the original, any object with import_graph will do
    (labels are read only if an objective asks)."""
    if isinstance(model, type):
        raise TypeError("model must be a Model instance, e.g. models.%s(), not the class itself." % model.__name__)
    if not callable(getattr(model, "import_graph", None)):
        raise TypeError(
            "model must be a lucid Model (e.g. models.InceptionV1()) or an object with import_graph(t_image, "
            "scope, forget_xy_shape, input_map) and labels; got %r." % (model,)
        )


def loss_tensor(loss):
    """The objective's value as a float tensor, or a TypeError saying what an objective must return."""
    try:
        return tf.convert_to_tensor(loss, dtype_hint=tf.float32)
    except (TypeError, ValueError):
        raise TypeError(
            "The objective must return a tensor computed from T (e.g. tf.reduce_mean(T('mixed4a')[..., 3])), got "
            "%r (type %s)." % (loss, type(loss).__name__)
        ) from None


def make_t_image(param_f):
    """The image tensor from `param_f`: None (-> `param.image(128)`), a function returning a tensor, or a tensor."""
    if param_f is None:
        t_image = param.image(128)
    elif callable(param_f):
        t_image = param_f()
    elif isinstance(param_f, tf.Tensor):
        t_image = param_f
    else:
        raise TypeError(
            "Incompatible type for param_f, %s: pass a function that returns an image tensor, e.g. "
            "param_f=lambda: param.image(128), or such a tensor." % type(param_f).__name__
        )
    if not isinstance(t_image, tf.Tensor):
        raise TypeError(
            "param_f should produce a Tensor, but instead created a %s. (A bare tf.Variable must be turned into a "
            "tensor, e.g. with tf.identity or a sigmoid.)" % type(t_image).__name__
        )
    if t_image.graph is not tf.compat.v1.get_default_graph():
        raise TypeError(
            "param_f produced a tensor that belongs to another graph than the default one. Did you accidentally use "
            "render_vis when you meant to use make_vis_T? (render_vis builds its own graph: pass a function, "
            "param_f=lambda: param.image(128), not a tensor.)"
        )
    return t_image


def make_transform_f(transforms):
    """Compose a list of `transforms`; None or a tuple gives `transform.standard_transforms` (as the original)."""
    if transforms is None or isinstance(transforms, tuple):
        transforms = transform.standard_transforms
    elif not isinstance(transforms, list):
        raise TypeError(
            "transforms must be a list of transforms, e.g. [transform.jitter(8)], [] for none, or None for "
            "transform.standard_transforms; got %r." % (transforms,)
        )
    for t in transforms:
        if not callable(t):
            raise TypeError(
                "Each transform must be a function of the image tensor, e.g. transform.jitter(8); got %r." % (t,)
            )
    return transform.compose(transforms)


def make_optimizer(optimizer, args):
    """None -> Adam(0.05); a function -> `optimizer(*args)`; a tf.compat.v1.train.Optimizer -> itself."""
    if optimizer is None:
        return tf.compat.v1.train.AdamOptimizer(0.05)
    if isinstance(optimizer, tf.compat.v1.train.Optimizer):
        return optimizer
    if callable(optimizer) and not hasattr(optimizer, "apply_gradients"):
        made = optimizer(*args)
        if isinstance(made, tf.compat.v1.train.Optimizer):
            return made
        optimizer = made
    raise TypeError(
        "Could not convert optimizer argument %r to an optimizer: pass a tf.compat.v1.train.Optimizer such as "
        "tf.compat.v1.train.AdamOptimizer(0.05), or a function returning one. (Keras optimizers do not work in "
        "tf.compat.v1 graphs.)" % (optimizer,)
    )
