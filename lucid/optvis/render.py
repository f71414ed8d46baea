"""Render feature visualizations: build one tf.compat.v1 graph (parameterization -> transforms -> model ->
objective) and run Adam gradient ascent on the objective.

    render_vis(model, "mixed4a:476")            # one image, 513 steps, shown at the end
    T = make_vis_T(model, objective)            # the graph pieces, for custom loops (inside a graph + session)

Read top-down: render_vis opens a graph and session (session.py), builds the graph with _make_vis_T (the
arguments converted by the make_* functions below, as in the original; the model imported by _import_for, only
the part the objectives read, see pruning.py) and runs the steps (steps.py), which return the snapshots.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
import tensorflow as tf

from lucid.misc import safe_ops
from lucid.misc.io import show
from lucid.modelzoo.vision_base import Model
from lucid.optvis import fast as fast_path
from lucid.optvis import held_weights, objectives, overrides, param, transform
from lucid.optvis.checks import check_thresholds, validate_size
from lucid.optvis.objective_base import Objective, ObjectiveFunc
from lucid.optvis.objectives_util import check_channel, index_arg, model_T
from lucid.optvis.overrides import gradient_override_map, redirected_relu6_grad, redirected_relu_grad
from lucid.optvis.progress import RenderProgress
from lucid.optvis.pruning import pruned_for
from lucid.optvis.session import default_session, graph_and_session, initialize_variables, seeded, session_config
from lucid.optvis.steps import finite_update, run_steps

# What render_vis takes as an objective: an Objective, a function of T or a "layer:channel" string.
ObjectiveLike = Objective | ObjectiveFunc | str

__all__ = [
    "gradient_override_map",
    "import_model",
    "make_optimizer",
    "make_print_objective_func",
    "make_t_image",
    "make_transform_f",
    "make_vis_T",
    "redirected_relu6_grad",
    "redirected_relu_grad",
    "render_channels",
    "render_vis",
    "show",
]


def render_vis(
    model: Model,
    objective_f: ObjectiveLike,
    param_f: Callable[[], tf.Tensor] | tf.Tensor | None = None,
    optimizer: Callable | tf.compat.v1.train.Optimizer | None = None,
    transforms: list[Callable] | None = None,
    thresholds: int | Iterable[int] = (512,),
    print_objectives: Iterable[ObjectiveLike] | None = None,
    verbose: bool = True,
    relu_gradient_override: bool = True,
    use_fixed_seed: bool = False,
    image_size: int | None = None,
    show_image: bool | None = None,
    precision: str = "float32",
    fast: bool = False,
) -> list[np.ndarray]:
    """Optimize an image for `objective_f` and return snapshots of it.

    Args:
      model: a lucid Model instance (e.g. `models.InceptionV1()`), or as in the original any object with
        `import_graph(t_image, scope=, forget_xy_shape=, input_map=)` returning T, and `labels`.
      objective_f: an Objective, a "layer:channel" string, or a function of T.
      param_f: a function returning the image tensor `[batch, h, w, c]` in [0, 1] (default `param.image(128)`),
        or such a tensor.
      optimizer: a tf.compat.v1.train.Optimizer, or a function returning one (default Adam, learning rate 0.05;
        with a `param.maco` image, Adam at `param.MACO_LEARNING_RATE`, 0.2).
      transforms: a list of transforms applied before the model (default `transform.standard_transforms`; any
        non-list, such as None or a tuple, gives the default; `[]` gives none). With a `param.maco` image and
        transforms=None: `param.maco_transforms()`. Explicit transforms and optimizer always win.
      thresholds: the steps after which a snapshot is taken; `max(thresholds) + 1` steps run in all.
      print_objectives: objectives whose values are printed at each threshold when verbose.
      verbose: print the step and loss at each threshold.
      relu_gradient_override: redirect ReLU gradients during the first steps (see redirected_relu_grad).
      use_fixed_seed: seed NumPy (the initial image) and TensorFlow (every random op) with `lucid.seed`, so two
        runs give identical images.
      image_size: size of the default `param.image`, when `param_f` is not given.
      show_image: display the image at each threshold (default: follows `verbose`).
      precision: the model's arithmetic, "float32" (the original's numbers), "bfloat16" (CPU), "float16" (GPU) or
        "auto"; the image, optimizer and loss stay float32 (see lucid.optvis.precision).
      fast: the default image and the late ReLU gradients computed the fast way (lucid.optvis.fast): other
        numbers than the original's, quality within the measured noise of the default's (README); an explicit
        param_f is kept.

    Returns:
      A list with one numpy array `[batch, h, w, c]` per threshold reached. On KeyboardInterrupt, the images so far
      plus the current one, with a warning naming the step.
    """
    if image_size is not None:
        if param_f is not None:
            raise ValueError("Pass either image_size (for the default param.image) or param_f, not both.")
        param_f = lambda: (fast_path.image if fast else param.image)(image_size)  # noqa: E731
    thresholds = check_thresholds(thresholds)
    if show_image is None:
        show_image = verbose

    with graph_and_session(precision) as (graph, sess):
        with seeded(use_fixed_seed):
            T = _make_vis_T(
                model,
                objective_f,
                param_f,
                optimizer,
                transforms,
                relu_gradient_override,
                print_objectives or [],
                fast=fast,
                hold_weights=True,
            )
        print_objective_func = make_print_objective_func(print_objectives, T)
        initialize_variables(sess)
        graph.finalize()

        with RenderProgress(max(thresholds) + 1, verbose=verbose, show_image=show_image) as progress:

            def on_step(step, loss, vis):
                progress.update(step, loss, image=vis)
                if vis is not None and verbose:
                    print_objective_func(sess)

            images = run_steps(sess, T, thresholds, on_step, on_interrupt="return")
    if images.interrupted:
        show(np.hstack(images[-1]))
    return list(images)


def render_channels(
    model: Model,
    layer: str,
    channels: Iterable[int],
    batch_size: int = 16,
    steps: int = 512,
    image_size: int = 128,
    transforms: list[Callable] | None = None,
    use_fixed_seed: bool = False,
    relu_gradient_override: bool = True,
    precision: str = "float32",
    fast: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Render one image per channel of `layer`, optimizing `batch_size` channels together in one batch.

    Each image of a batch has its own objective (`channel(layer, c, batch=i)`), so a batch of N channels costs
    about one forward/backward pass of N images instead of N separate renders. The batches share one graph (one
    more for a last, smaller batch), their channels fed; each batch's images are those it would get alone.
    `precision` and `fast` as in render_vis.

    Returns `(images, values)`: images `[len(channels), image_size, image_size, 3]` in [0, 1], and values
    `[len(channels)]`, each channel's objective (mean activation, on the transformed image) after the last step.
    """
    channels = [index_arg(c, "channel") for c in channels]
    if not channels:
        raise ValueError("channels is empty: give the channel numbers to render, e.g. range(16).")
    batch_size, steps = validate_size(batch_size, "batch_size"), validate_size(steps, "steps")
    batches = [channels[start : start + batch_size] for start in range(0, len(channels), batch_size)]
    # A model whose weights are held in variables (held_weights) has them only in the session that built the
    # graph: with use_fixed_seed, which needs a new session per batch, it gets a graph per batch.
    reuse = not (use_fixed_seed and held_weights.weightless(model)[0] is not None)
    settings = (model, layer, steps, image_size, transforms, use_fixed_seed, relu_gradient_override, precision, fast)
    images: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for _, same_size in itertools.groupby(enumerate(batches), lambda b: len(b[1]) if reuse else b[0]):
        for batch_images, batch_values in _render_batches([chunk for _, chunk in same_size], *settings):
            images.append(batch_images)
            values.append(batch_values)
    return np.concatenate(images), np.concatenate(values).astype(np.float32)


def _render_batches(
    batches, model, layer, steps, image_size, transforms, use_fixed_seed, relu_gradient_override, precision, fast
):
    """Yield `(images, values)` of each of `batches` (lists of channels, all of one length) rendered on one graph,
    the batch's channels a fed int tensor. Each batch starts anew: its variables (image, optimizer, step)
    re-initialized and, with use_fixed_seed, a new session, whose random ops start their sequences again. So
    each batch's images are those of a graph built for it alone (seeds follow the order ops are made in: the
    fed tensor is made last, by the objective)."""
    fed = {}

    def channel_means(T):
        acts = T(layer)
        for c in (min(fed["channels"]), max(fed["channels"])):
            check_channel(acts, layer, c)
        if "t" not in fed:
            fed["t"] = tf.compat.v1.placeholder(tf.int32, [len(batches[0])], name="channels")
            fed["depth"] = acts.shape[-1]
        # The mask's product passes the gradient of each image's channel unchanged, as a slice would.
        spatial = list(range(1, acts.shape.rank - 1))
        shape = [-1] + [1] * len(spatial) + [fed["depth"]]
        mask = tf.reshape(tf.one_hot(fed["t"], fed["depth"], dtype=acts.dtype), shape)
        return tf.reduce_mean(tf.reduce_sum(acts * mask, axis=-1), axis=spatial)

    fed["channels"] = [c for chunk in batches for c in chunk]
    objective = objectives.Objective(
        lambda T: tf.reduce_sum(channel_means(T)), "channels of %s" % layer, layers=frozenset([layer])
    )
    with graph_and_session(precision) as (graph, sess):
        with seeded(use_fixed_seed):
            T = _make_vis_T(
                model,
                objective,
                lambda: (fast_path.image if fast else param.image)(image_size, batch=len(batches[0])),
                None,
                transforms,
                relu_gradient_override,
                fast=fast,
                hold_weights=True,
            )
        t_values = channel_means(T)
        graph.finalize()
        config = session_config(precision)
        for index, chunk in enumerate(batches):
            feed = {fed["t"]: [c % fed["depth"] for c in chunk]}
            fresh = index > 0 and use_fixed_seed
            with tf.compat.v1.Session(graph=graph, config=config) if fresh else nullcontext(sess) as s:
                initialize_variables(s)
                images = run_steps(s, T, {steps - 1}, feed_dict=feed)
                yield images[-1], s.run(t_values, feed)


def make_vis_T(
    model: Model,
    objective_f: ObjectiveLike,
    param_f: Callable[[], tf.Tensor] | tf.Tensor | None = None,
    optimizer: Callable | tf.compat.v1.train.Optimizer | None = None,
    transforms: list[Callable] | None = None,
    relu_gradient_override: bool = False,
) -> Callable[[str], Any]:
    """Build the visualization graph in the default graph and session, and return a lookup function `T(name)`.

    `T` gives "loss", "vis_op", "t_image", "global_step", "init_global_step", "optimizer", "transform_f",
    "objective_f", "param_f", "model", "transforms", "relu_gradient_override" and "T" (the model lookup);
    any other name goes to the model: "input" is the untransformed image, "labels" the model's labels,
    anything else a layer tensor (see `_import_for`: render_vis builds the same T).
    """
    return _make_vis_T(model, objective_f, param_f, optimizer, transforms, relu_gradient_override)


def _make_vis_T(
    model,
    objective_f,
    param_f,
    optimizer,
    transforms,
    relu_gradient_override,
    also_read=(),
    fast=False,
    hold_weights=False,
):
    """make_vis_T; `also_read`: objectives that will be built on T besides `objective_f` (render_vis's
    print_objectives), so that the part of the model they read is imported up front. `fast`: render_vis's;
    `hold_weights`: a big model's weights in variables (lucid.optvis.held_weights), for renders that own their
    session."""
    sess = default_session("make_vis_T")
    _check_model(model)
    t_image = make_t_image(fast_path.image(128) if fast and param_f is None else param_f)
    objective_f = objectives.as_objective(objective_f)
    if param.is_maco_image(t_image):
        transforms = param.maco_transforms() if transforms is None else transforms
        optimizer = tf.compat.v1.train.AdamOptimizer(param.MACO_LEARNING_RATE) if optimizer is None else optimizer
    transform_f = make_transform_f(transforms)
    optimizer = make_optimizer(optimizer, [])

    global_step = tf.compat.v1.train.get_or_create_global_step()
    init_global_step = tf.compat.v1.variables_initializer([global_step])
    sess.run(init_global_step)

    with _relu_override(relu_gradient_override, fast):
        t_transformed = transform_f(t_image)
    T = _import_for(
        model, [objective_f, *also_read], t_transformed, t_image, relu_gradient_override, fast, hold_weights
    )
    loss = _loss_tensor(objective_f(T))
    vis_op = finite_update(optimizer, loss, global_step)

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


def _check_model(model):
    """A TypeError unless `model` is a model instance: as in the original, any object with import_graph will do
    (labels are read only if an objective asks)."""
    if isinstance(model, type):
        raise TypeError("model must be a Model instance, e.g. models.%s(), not the class itself." % model.__name__)
    if not callable(getattr(model, "import_graph", None)):
        raise TypeError(
            "model must be a lucid Model (e.g. models.InceptionV1()) or an object with import_graph(t_image, "
            "scope, forget_xy_shape, input_map) and labels; got %r." % (model,)
        )


def make_t_image(param_f: Callable[[], tf.Tensor] | tf.Tensor | None) -> tf.Tensor:
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


def make_transform_f(transforms: list[Callable] | None) -> Callable[[tf.Tensor], tf.Tensor]:
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


def make_optimizer(
    optimizer: Callable | tf.compat.v1.train.Optimizer | None, args: Sequence[Any]
) -> tf.compat.v1.train.Optimizer:
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


def _relu_override(relu_gradient_override, fast=False):
    """The redirected ReLU gradients for ops built inside (see lucid.optvis.overrides.redirected_relu_grad; fused
    with `fast`), or nothing."""
    if not relu_gradient_override:
        return nullcontext()
    return fast_path.relu_overrides() if fast else overrides.relu_overrides()


def _import_for(model, objective_fns, t_transformed, t_image, relu_gradient_override, fast=False, hold=False):
    """The model lookup T of make_vis_T and render_vis: every layer of the model, from one import.

    Only the part of the model that `objective_fns` read is imported up front (pruning.pruned_for). A name outside
    that part imports the whole model on first use, under the scope "import_whole", fed the same image. `hold`:
    a big model's weights in variables (held_weights), its weightless copy pruned and imported.
    """
    light, weights = held_weights.weightless(model) if hold else (None, {})

    def imported(model, scope):
        input_map = held_weights.held(model, weights, default_session("render")) if weights else {}
        with _relu_override(relu_gradient_override, fast):
            return import_model(model, t_transformed, t_image, scope=scope, input_map=input_map)

    whole = light or model
    part = pruned_for(whole, objective_fns, t_image)
    T = imported(part, "import")
    if part is whole:
        return T
    imported_whole = []

    def T_every_layer(name):
        try:
            return T(name)
        except KeyError:
            if not imported_whole:
                imported_whole.append(imported(whole, "import_whole"))
            return imported_whole[0](name)

    return T_every_layer


def import_model(
    model: Model,
    t_image: tf.Tensor,
    t_image_raw: tf.Tensor | None = None,
    scope: str = "import",
    input_map: dict | None = None,
) -> Callable[[str], Any]:
    """Import `model` with `t_image` as its input; return `T(name)`, the lookup objectives receive ("input" ->
    `t_image_raw`, "labels" -> the model's labels, any other name -> a tensor of the imported model)."""
    if t_image_raw is None:
        t_image_raw = t_image
    graph = tf.compat.v1.get_default_graph()
    ops_before = len(graph.get_operations())
    if isinstance(model, Model) and t_image_raw.shape.rank == 4:
        model.check_image_size(t_image_raw)  # the param's size, before transforms change it
    T_ = model.import_graph(t_image, scope=scope, forget_xy_shape=True, input_map=input_map)
    if not isinstance(model, Model):
        # A duck-typed model imports its graph its own way: check the ops it added before anything runs them.
        safe_ops.check_ops_added(graph, ops_before, repr(model), getattr(model, "allow_unsafe_ops", False))

    return model_T(T_, t_image_raw, model)


def _loss_tensor(loss):
    """The objective's value as a float tensor, or a TypeError saying what an objective must return."""
    try:
        return tf.convert_to_tensor(loss, dtype_hint=tf.float32)
    except (TypeError, ValueError):
        raise TypeError(
            "The objective must return a tensor computed from T (e.g. tf.reduce_mean(T('mixed4a')[..., 3])), got "
            "%r (type %s)." % (loss, type(loss).__name__)
        ) from None


def make_print_objective_func(
    print_objectives: Iterable[ObjectiveLike] | None, T: Callable[[str], Any]
) -> Callable[[tf.compat.v1.Session], None]:
    """Return `f(sess)` that prints the value of each of `print_objectives` as "NN: description: value"."""
    objs = [objectives.as_objective(obj) for obj in print_objectives or []]
    tensors = [obj(T) for obj in objs]

    def print_objective_func(sess):
        for i, (obj, value) in enumerate(zip(objs, sess.run(tensors))):
            print("{:02d}: {}: {:7.2f}".format(i + 1, getattr(obj, "description", obj), np.mean(value)))

    return print_objective_func
