"""Render feature visualizations: build one tf.compat.v1 graph (parameterization -> transforms -> model ->
objective) and run Adam gradient ascent on the objective.

    render_vis(model, "mixed4a:476")            # one image, 513 steps, shown at the end
    T = make_vis_T(model, objective)            # the graph pieces, for custom loops (inside a graph + session)
"""

import copy
import gc
import logging
import re
import threading
import weakref
from contextlib import contextmanager

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2

import lucid
from lucid.misc.gradient_override import gradient_override_map
from lucid.misc.io import show
from lucid.misc.io.progress import RenderProgress
from lucid.misc.redirected_relu_grad import redirected_relu6_grad, redirected_relu_grad
from lucid.modelzoo import util as model_util
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives, param, transform

log = logging.getLogger(__name__)


def render_vis(
    model,
    objective_f,
    param_f=None,
    optimizer=None,
    transforms=None,
    thresholds=(512,),
    print_objectives=None,
    verbose=True,
    relu_gradient_override=True,
    use_fixed_seed=False,
    image_size=None,
    show_image=None,
):
    """Optimize an image for `objective_f` and return snapshots of it.

    Args:
      model: a lucid Model instance (e.g. `models.InceptionV1()`).
      objective_f: an Objective, a "layer:channel" string, or a function of T.
      param_f: a function returning the image tensor `[batch, h, w, c]` in [0, 1] (default `param.image(128)`),
        or such a tensor.
      optimizer: a tf.compat.v1.train.Optimizer, or a function returning one (default Adam, learning rate 0.05).
      transforms: a list of transforms applied before the model (default `transform.standard_transforms`; any
        non-list, such as None or a tuple, gives the default; `[]` gives none).
      thresholds: the steps after which a snapshot is taken; `max(thresholds) + 1` steps run in all.
      print_objectives: objectives whose values are printed at each threshold when verbose.
      verbose: print the step and loss at each threshold.
      relu_gradient_override: redirect ReLU gradients during the first steps (see redirected_relu_grad).
      use_fixed_seed: seed NumPy (the initial image) and TensorFlow (every random op) with `lucid.seed`, so two
        runs give identical images.
      image_size: size of the default `param.image`, when `param_f` is not given.
      show_image: display the image at each threshold (default: follows `verbose`).

    Returns:
      A list with one numpy array `[batch, h, w, c]` per threshold reached. On KeyboardInterrupt, the images so far
      plus the current one, with a warning naming the step.
    """
    if image_size is not None:
        if param_f is not None:
            raise ValueError("Pass either image_size (for the default param.image) or param_f, not both.")
        param_f = lambda: param.image(image_size)  # noqa: E731
    thresholds = _check_thresholds(thresholds)
    if show_image is None:
        show_image = verbose

    with graph_and_session() as (graph, sess):
        with _seeded(use_fixed_seed):
            T = _make_vis_T(
                model, objective_f, param_f, optimizer, transforms, relu_gradient_override, print_objectives or []
            )
        print_objective_func = make_print_objective_func(print_objectives, T)
        initialize_variables(sess)
        graph.finalize()

        images = []
        with RenderProgress(max(thresholds) + 1, verbose=verbose, show_image=show_image) as progress:

            def on_step(step, loss, vis):
                progress.update(step, loss, image=vis)
                if vis is not None and verbose:
                    print_objective_func(sess)

            try:
                _run_steps(sess, T, thresholds, images, on_step)
            except KeyboardInterrupt as interrupt:
                log.warning("Interrupted optimization at step %d.", interrupt.step + 1)
                vis = sess.run(T("input"))
                images.append(vis)
                show(np.hstack(vis))
        return images


def _run_steps(sess, T, thresholds, images, on_step=None):
    """Run `max(thresholds) + 1` optimization steps, appending to `images` the image after each threshold step.

    `on_step(step, loss, image)` is called after every step, with the image at thresholds and None otherwise.

    A non-finite loss stops the run with a FloatingPointError whose `images` holds the snapshots so far plus the
    current image (still finite: make_vis_T's update skips non-finite gradients). A KeyboardInterrupt propagates
    with the interrupted step number as its `step` attribute.
    """
    loss, vis_op, t_image = T("loss"), T("vis_op"), T("input")
    step = 0
    try:
        for step in range(max(thresholds) + 1):
            loss_, _ = _run_checked(sess, [loss, vis_op])
            if not np.all(np.isfinite(loss_)):
                images.append(sess.run(t_image))
                error = FloatingPointError(
                    "The loss became %s at step %d; stopped there. The error's `images` holds the snapshots so far "
                    "and the last finite image. Check the objective (e.g. a division or log of zero) and the "
                    "learning rate." % (loss_, step)
                )
                error.images = images
                raise error
            vis = None
            if step in thresholds:
                vis = sess.run(t_image)
                images.append(vis)
            if on_step is not None:
                on_step(step, loss_, vis)
    except KeyboardInterrupt as interrupt:
        interrupt.step = step
        raise


def initialize_variables(sess):
    """Run every variable's initializer; for loops built on make_vis_T. A list of initializers rather than
    global_variables_initializer(): that would add a control dependency to ops a session already ran (make_vis_T
    ran the global step's), which TF reports as a graph mutation in a warning."""
    sess.run([v.initializer for v in tf.compat.v1.global_variables()])


@contextmanager
def graph_and_session():
    """A fresh graph made default, with its session (configured by `_session_config`); both are freed on exit.
    For render_vis and for loops built on make_vis_T.

    TF graphs hold reference cycles, so without a collection each render would keep its graph (a copy of the
    model's weights) until Python's cyclic collector happens to run: repeated renders would grow memory.
    """
    try:
        with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph, config=_session_config()) as sess:
            yield graph, sess
    finally:
        gc.collect()


def _session_config():
    """Grappler settings for a render: one round of graph optimizations instead of two, and on CPU-only machines
    no memory or layout optimizer. Measured on InceptionV1 at 128 px: the first run's optimization time drops from
    ~0.5 s to ~0.3 s, and step times do not change (the passes left out changed a dozen of ~800 nodes on CPU)."""
    config = tf.compat.v1.ConfigProto()
    rewrites = config.graph_options.rewrite_options
    rewrites.meta_optimizer_iterations = rewriter_config_pb2.RewriterConfig.ONE
    if not tf.config.list_physical_devices("GPU"):
        rewrites.memory_optimization = rewriter_config_pb2.RewriterConfig.NO_MEM_OPT
        rewrites.layout_optimizer = rewriter_config_pb2.RewriterConfig.OFF
    return config


def _run_checked(sess, fetches):
    """`sess.run(fetches)`, with the graph's own argument checks (sizes known only at run time, such as a neuron
    position in a layer whose size depends on the image) raised as a ValueError with their message."""
    try:
        return sess.run(fetches)
    except tf.errors.InvalidArgumentError as error:
        found = re.search(r"assertion failed: \[(.*?)\](?: \[(.*?)\])?", error.message, re.S)
        if not found:
            raise
        message = found.group(1) + (" " + found.group(2) if found.group(2) else "")
        raise ValueError(message) from None


# NumPy's global RNG is process-wide: renders with use_fixed_seed in several threads build their graphs in turn.
_seed_lock = threading.Lock()


@contextmanager
def _seeded(use_fixed_seed):
    """Seed TF's graph-level seed and NumPy's global RNG (restored afterwards) with `lucid.seed`."""
    if not use_fixed_seed:
        yield
        return
    with _seed_lock:
        tf.compat.v1.set_random_seed(lucid.seed)
        state = np.random.get_state()
        np.random.seed(lucid.seed)
        try:
            yield
        finally:
            np.random.set_state(state)


def _check_thresholds(thresholds):
    if isinstance(thresholds, (int, np.integer)) and not isinstance(thresholds, bool):
        thresholds = (int(thresholds),)
    try:
        thresholds = frozenset(thresholds)
    except TypeError:
        raise TypeError(
            "thresholds must be a step number or a collection of step numbers, e.g. (512,) or range(0, 512, 64); "
            "got %r." % (thresholds,)
        ) from None
    if not thresholds:
        raise ValueError("thresholds is empty: give at least one step, e.g. thresholds=(512,).")
    for t in thresholds:
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
            raise TypeError("thresholds must hold non-negative integer steps, e.g. (0, 64, 512); got %r." % (t,))
    return thresholds


def render_channels(
    model,
    layer,
    channels,
    batch_size=16,
    steps=512,
    image_size=128,
    transforms=None,
    use_fixed_seed=False,
    relu_gradient_override=True,
):
    """Render one image per channel of `layer`, optimizing `batch_size` channels together in one batch.

    Each image of a batch has its own objective (`channel(layer, c, batch=i)`), so a batch of N channels costs
    about one forward/backward pass of N images instead of N separate renders.

    Returns `(images, values)`: images `[len(channels), image_size, image_size, 3]` in [0, 1], and values
    `[len(channels)]`, each channel's objective (mean activation, on the transformed image) after the last step.
    """
    channels = list(channels)
    if not channels:
        raise ValueError("channels is empty: give the channel numbers to render, e.g. range(16).")
    for name, value in (("batch_size", batch_size), ("steps", steps)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError("%s must be a positive integer, got %r." % (name, value))
    images, values = [], []
    for start in range(0, len(channels), batch_size):
        chunk = channels[start : start + batch_size]
        per_image = [objectives.channel(layer, c, batch=i) for i, c in enumerate(chunk)]
        with graph_and_session() as (graph, sess):
            with _seeded(use_fixed_seed):
                T = _make_vis_T(
                    model,
                    objectives.Objective.sum(per_image),
                    lambda chunk=chunk: param.image(image_size, batch=len(chunk)),
                    None,
                    transforms,
                    relu_gradient_override,
                    only_for=per_image,
                )
            t_values = [obj(T) for obj in per_image]
            initialize_variables(sess)
            graph.finalize()
            _run_steps(sess, T, {steps - 1}, images)
            values.extend(sess.run(t_values))
    return np.concatenate(images), np.array(values, np.float32)


def make_vis_T(model, objective_f, param_f=None, optimizer=None, transforms=None, relu_gradient_override=False):
    """Build the visualization graph in the default graph and session, and return a lookup function `T(name)`.

    `T` gives "loss", "vis_op", "t_image", "global_step", "init_global_step", "optimizer", "transform_f",
    "objective_f", "param_f", "model", "transforms", "relu_gradient_override" and "T" (the model lookup);
    any other name goes to the model: "input" is the untransformed image, "labels" the model's labels,
    anything else a layer tensor.
    """
    return _make_vis_T(model, objective_f, param_f, optimizer, transforms, relu_gradient_override)


def _make_vis_T(model, objective_f, param_f, optimizer, transforms, relu_gradient_override, only_for=None):
    """make_vis_T; with `only_for` (the objectives that will ever be built on T), import only the part of the
    model's graph they read, when that can be found (see `_pruned_for`). T then knows only those layers."""
    if tf.executing_eagerly():
        raise RuntimeError(
            "make_vis_T builds a graph and needs a default graph and session; call it inside "
            "`with tf.Graph().as_default(), tf.compat.v1.Session():` (or use render_vis, which does that)."
        )
    sess = tf.compat.v1.get_default_session()
    if sess is None:
        raise RuntimeError(
            "make_vis_T needs a default session: call it inside `with tf.compat.v1.Session().as_default():` "
            "(or `with tf.compat.v1.Session():`)."
        )
    if isinstance(model, type):
        raise TypeError("model must be a Model instance, e.g. models.%s(), not the class itself." % model.__name__)
    if not isinstance(model, Model):
        raise TypeError("model must be a lucid Model (e.g. models.InceptionV1()); got %r." % (model,))

    t_image = make_t_image(param_f)
    objective_f = objectives.as_objective(objective_f)
    transform_f = make_transform_f(transforms)
    optimizer = make_optimizer(optimizer, [])

    global_step = tf.compat.v1.train.get_or_create_global_step()
    init_global_step = tf.compat.v1.variables_initializer([global_step])
    sess.run(init_global_step)

    imported = model if only_for is None else _pruned_for(model, [objective_f] + list(only_for), t_image)
    if relu_gradient_override:
        with gradient_override_map({"Relu": redirected_relu_grad, "Relu6": redirected_relu6_grad}):
            T = import_model(imported, transform_f(t_image), t_image)
    else:
        T = import_model(imported, transform_f(t_image), t_image)
    loss = objective_f(T)
    try:
        loss = tf.convert_to_tensor(loss, dtype_hint=tf.float32)
    except (TypeError, ValueError):
        raise TypeError(
            "The objective must return a tensor computed from T (e.g. tf.reduce_mean(T('mixed4a')[..., 3])), got "
            "%r (type %s)." % (loss, type(loss).__name__)
        ) from None
    vis_op = _finite_update(optimizer, loss, global_step)

    pieces = dict(
        loss=loss,
        vis_op=vis_op,
        t_image=t_image,
        global_step=global_step,
        init_global_step=init_global_step,
        optimizer=optimizer,
        transform_f=transform_f,
        objective_f=objective_f,
        param_f=param_f,
        model=model,
        transforms=transforms,
        relu_gradient_override=relu_gradient_override,
        T=T,
    )

    def T2(name):
        return pieces[name] if name in pieces else T(name)

    return T2


# Per model: the static shape and dtype of every tensor of its imported graph, for `_pruned_for`'s stand-ins.
_tensor_specs = weakref.WeakKeyDictionary()


def _model_tensor_specs(model):
    if model not in _tensor_specs:
        channels = list(model.image_shape or [None])[-1]
        with tf.Graph().as_default() as graph:
            model.import_graph(tf.compat.v1.placeholder(tf.float32, [None, None, None, channels]), scope="import")
            _tensor_specs[model] = {
                t.name[len("import/") :]: (t.shape, t.dtype)
                for op in graph.get_operations()
                if op.name.startswith("import/")
                for t in op.outputs
            }
    return _tensor_specs[model]


def _pruned_for(model, objective_fns, t_image):
    """`model`, or a copy whose graph_def holds only the nodes `objective_fns` read through T.

    Importing a whole model costs most of a render's start-up (InceptionV1's GraphDef is 54 MB; the part up to
    mixed4a is 4 MB). The objectives are built once in a scratch graph on stand-in placeholders with the layers'
    static shapes, recording which graph nodes they ask for. If anything there fails or is unknown (a tensor that
    post_import creates, an error in the objective), the whole model is used and the real build reports it.
    """
    node_names = {node.name for node in model.graph_def.node}
    read = set()
    try:
        specs = _model_tensor_specs(model)
        with tf.Graph().as_default():
            stand_in_image = tf.compat.v1.placeholder(t_image.dtype, t_image.shape)

            def T(name):
                if name == "input":
                    return stand_in_image
                if name == "labels":
                    return model.labels
                key = name if ":" in name else name + ":0"
                shape, dtype = specs[key]
                node = key.split(":")[0]
                if node not in node_names:
                    raise KeyError(name)
                read.add(node)
                if shape.rank:
                    shape = [t_image.shape[0]] + shape.as_list()[1:]
                return tf.compat.v1.placeholder(dtype, shape)

            for objective in objective_fns:
                objectives.as_objective(objective)(T)
    except Exception:  # noqa: BLE001 - unknown: import everything, and let the real build raise any error
        return model
    if not read or model.input_name not in node_names:
        return model
    pruned = copy.copy(model)
    pruned._graph_def = model_util.subgraph_def(model.graph_def, read | {model.input_name})
    return pruned


def _finite_update(optimizer, loss, global_step):
    """`optimizer.minimize(-loss)`, except that a step whose loss or gradients are not finite changes no variable
    by its gradient (the gradients are zeroed), so the image stays finite and render_vis can return it."""
    grads = optimizer.compute_gradients(-loss, gate_gradients=tf.compat.v1.train.Optimizer.GATE_NONE)
    grads_and_vars = [(g, v) for g, v in grads if g is not None]
    if not grads_and_vars:
        raise ValueError(
            "The objective does not depend on any trainable variable of the image parameterization: check that "
            "param_f creates variables and that the objective reads a layer of the model (or T('input'))."
        )
    grads = [tf.convert_to_tensor(g) for g, _ in grads_and_vars]
    # sum(t * 0) is 0 when every entry of t is finite and NaN otherwise: cheaper than reducing is_finite over
    # every entry. tf.compat.v1.where with a scalar condition passes one tensor through without copying.
    finite = tf.reduce_all([tf.math.is_finite(tf.reduce_sum(t * 0)) for t in grads + [loss]])
    safe = [(tf.compat.v1.where(finite, g, tf.zeros_like(g)), v) for g, (_, v) in zip(grads, grads_and_vars)]
    return optimizer.apply_gradients(safe, global_step=global_step)


def make_print_objective_func(print_objectives, T):
    """Return `f(sess)` that prints the value of each of `print_objectives` as "NN: description: value"."""
    print_objectives = [objectives.as_objective(obj) for obj in print_objectives or []]
    tensors = [obj(T) for obj in print_objectives]

    def print_objective_func(sess):
        for i, (obj, value) in enumerate(zip(print_objectives, sess.run(tensors))):
            print("{:02d}: {}: {:7.2f}".format(i + 1, getattr(obj, "description", obj), np.mean(value)))

    return print_objective_func


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


def import_model(model, t_image, t_image_raw=None, scope="import", input_map=None):
    """Import `model` with `t_image` as its input; return `T(name)` ("input" -> `t_image_raw`, "labels")."""
    if t_image_raw is None:
        t_image_raw = t_image
    if t_image_raw.shape.rank == 4:
        model.check_image_size(t_image_raw)  # the param's size, before transforms change it
    T_ = model.import_graph(t_image, scope=scope, forget_xy_shape=True, input_map=input_map)

    def T(layer):
        if layer == "input":
            return t_image_raw
        if layer == "labels":
            return model.labels
        return T_(layer)

    return T
