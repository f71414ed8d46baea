"""The optimization step loop shared by render_vis, render_channels, the recipes and lucid.scale.

    for step, loss, image in step_loop(sess, T, thresholds=(0, 256)):   # image: None except at thresholds
        ...

A non-finite loss or a KeyboardInterrupt ends the loop with `StoppedEarly`, which carries the images so far;
`run_steps(..., on_interrupt="return")` returns them on a KeyboardInterrupt instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Generator
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = [
    "finite_update",
    "run_checked",
    "run_steps",
    "Snapshots",
    "step_loop",
    "StoppedEarly",
]

log = logging.getLogger(__name__)


class StoppedEarly(FloatingPointError):
    """The step loop stopped before its last step: at a non-finite loss, or interrupted (Ctrl-C).

    `images` holds the snapshots so far plus the image at `step` (finite: `finite_update` skips non-finite
    gradients); `interrupted` tells the two apart (the KeyboardInterrupt is then the `__cause__`). A
    FloatingPointError, as render_vis raised for a non-finite loss before this type existed.
    """

    def __init__(self, message: str, images: list[np.ndarray], step: int, interrupted: bool) -> None:
        super().__init__(message)
        self.images, self.step, self.interrupted = images, step, interrupted


def step_loop(
    sess: tf.compat.v1.Session,
    T: Callable[[str], Any],
    thresholds: Collection[int],
    feed_dict: dict | Callable[[int], dict | None] | None = None,
) -> Generator[tuple[int, Any, np.ndarray | None], None, None]:
    """Run `max(thresholds) + 1` steps of `T("vis_op")`; yield `(step, loss, image)` after each step, with
    `image` the value of `T("input")` at the steps in `thresholds` and None otherwise.

    `T` is a make_vis_T lookup, or any function giving "loss", "vis_op" and "input". `feed_dict` is a feed for
    every step, or a function of the step that returns one (e.g. a new random view per step). A KeyboardInterrupt
    raised in the loop's body can be passed in with `loop.throw(interrupt)` to stop the same way.
    """
    loss, vis_op, t_image = T("loss"), T("vis_op"), T("input")
    feed_at = feed_dict if callable(feed_dict) else lambda step: feed_dict
    images: list[np.ndarray] = []
    step, feed = 0, None
    try:
        for step in range(max(thresholds) + 1):
            feed = feed_at(step)
            loss_, _ = run_checked(sess, [loss, vis_op], feed)
            if not np.all(np.isfinite(loss_)):
                raise StoppedEarly(
                    "The loss became %s at step %d; stopped there. The error's `images` holds the snapshots so far "
                    "and the last finite image. Check the objective (e.g. a division or log of zero) and the "
                    "learning rate." % (loss_, step),
                    images + [sess.run(t_image, feed)],
                    step,
                    interrupted=False,
                )
            image = sess.run(t_image, feed) if step in thresholds else None
            if image is not None:
                images.append(image)
            yield step, loss_, image
    except KeyboardInterrupt as interrupt:
        raise StoppedEarly(
            "Interrupted at step %d." % step, images + [sess.run(t_image, feed)], step, interrupted=True
        ) from interrupt


class Snapshots(list):
    """The images run_steps returns; `interrupted` is True when a Ctrl-C ended the loop (on_interrupt="return"),
    the last image then being the one at the interrupt."""

    interrupted = False


def run_steps(
    sess: tf.compat.v1.Session,
    T: Callable[[str], Any],
    thresholds: Collection[int],
    on_step: Callable[[int, Any, np.ndarray | None], None] | None = None,
    feed_dict: dict | Callable[[int], dict | None] | None = None,
    on_interrupt: str = "raise",
) -> Snapshots:
    """Run `step_loop` to the end and return its snapshots (a Snapshots list); `on_step(step, loss, image)` is
    called after each step (a KeyboardInterrupt there stops the loop like one during a step).

    The one interrupt policy of lucid's loops: with `on_interrupt="return"`, a Ctrl-C returns the images so far
    plus the current one, with a warning naming the step, as the original render_vis did; with "raise" it is a
    StoppedEarly. A non-finite loss always raises StoppedEarly.
    """
    if on_interrupt not in ("raise", "return"):
        raise ValueError('on_interrupt must be "raise" or "return", got %r.' % (on_interrupt,))
    loop = step_loop(sess, T, thresholds, feed_dict)
    images = Snapshots()
    try:
        for step, loss, image in loop:
            if image is not None:
                images.append(image)
            if on_step is not None:
                try:
                    on_step(step, loss, image)
                except KeyboardInterrupt as interrupt:
                    loop.throw(interrupt)
    except StoppedEarly as stop:
        if not stop.interrupted or on_interrupt == "raise":
            raise
        log.warning("Interrupted optimization at step %d.", stop.step + 1)
        images[:] = stop.images
        images.interrupted = True
    return images


def finite_update(
    optimizer: tf.compat.v1.train.Optimizer, loss: tf.Tensor, global_step: tf.Variable | None = None
) -> tf.Operation:
    """`optimizer.minimize(-loss)`, except that a step whose loss or gradients are not finite changes no variable
    by its gradient (the gradients are zeroed), so the image stays finite and the loop can return it."""
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


def run_checked(sess: tf.compat.v1.Session, fetches: Any, feed_dict: dict | None = None) -> Any:
    """`sess.run(fetches)`, with the graph's own argument checks (sizes known only at run time, such as a neuron
    position in a layer whose size depends on the image) raised as a ValueError with their message."""
    try:
        return sess.run(fetches, feed_dict)
    except tf.errors.InvalidArgumentError as error:
        found = re.search(r"assertion failed: \[(.*?)\](?: \[(.*?)\])?", error.message, re.S)
        if not found:
            raise
        message = found.group(1) + (" " + found.group(2) if found.group(2) else "")
        raise ValueError(message) from None
